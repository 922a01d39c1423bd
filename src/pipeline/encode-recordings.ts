/**
 * Learned features of recordings, for use in other tools: a trained run's features of every window
 * of each recording (per 'window'), or pooled over each recording the way the run pools them
 * (per 'recording'), one matrix with each recording's row range.
 */
import { spectrogram } from '../audio/spectrogram-stream.ts';
import { matrix, type Matrix } from '../compute/matrix.ts';
import { poolRecordings, type PoolOptions } from '../features/pooling.ts';
import { SflError } from '../util/errors.ts';
import { progress } from '../util/progress.ts';
import { decodeAt } from './classify-recordings.ts';
import type { TrainedRun } from './trained-run.ts';

export type EncodePer = 'recording' | 'window';

export interface EncodedRecordings {
  /** rows x features, float32. */
  features: Matrix;
  /** One entry per recording used: its rows of `features` [start, end) and its length in seconds. */
  recordings: { file: string; rows: [number, number]; seconds: number }[];
  skipped: { path: string; reason: string }[];
  per: EncodePer;
  /** The pooling the run uses (what 'recording' applied). */
  pool: PoolOptions;
}

export async function encodeRecordings(run: TrainedRun, paths: readonly string[], per: EncodePer): Promise<EncodedRecordings> {
  if (run.cannotEncode) throw new SflError(run.cannotEncode);
  if (run.input.kind !== 'audio') throw new SflError(`run ${run.dir} takes ${run.input.height} x ${run.input.width} images, not recordings`);
  const params = run.input.spectrum;
  const spectra: Matrix[] = [];
  const used: { file: string; seconds: number }[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const bar = progress({ stage: 'encoding', total: paths.length });
  try {
    for (const [i, path] of paths.entries()) {
      try {
        const samples = await decodeAt(path, params.sampleRate);
        if (samples.length < params.frameSize) throw new SflError(`too short: ${samples.length} samples, shorter than one frame (${params.frameSize})`, path);
        spectra.push(spectrogram(samples, params));
        used.push({ file: path, seconds: samples.length / params.sampleRate });
      } catch (e) {
        if (!(e instanceof SflError)) throw e;
        skipped.push({ path, reason: e.message.startsWith(path) ? e.message : `${path}: ${e.message}` });
      }
      bar.update(i + 1);
    }
  } finally {
    bar.stop();
  }
  if (spectra.length === 0) return { features: matrix(0, 0), recordings: [], skipped, per, pool: { method: 'mean', segments: 1 } };
  const e = run.encode(spectra);
  if (per === 'recording') {
    const pooled = poolRecordings(e.features, e.ranges, e.pool);
    return { features: pooled, recordings: used.map((u, i) => ({ ...u, rows: [i, i + 1] })), skipped, per, pool: e.pool };
  }
  // Window rows of each recording, in order (encode returns them recording by recording).
  return { features: e.features, recordings: used.map((u, i) => ({ ...u, rows: [e.ranges[i].start, e.ranges[i].end] })), skipped, per, pool: e.pool };
}
