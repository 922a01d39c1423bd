/**
 * Learned features of recordings, for use in other tools: a trained run's features of every window
 * of each recording (per 'window'), or pooled over each recording the way the run pools them
 * (per 'recording'), one matrix with each recording's row range.
 *
 * Recordings are encoded a group at a time (the groups the classification pipelines make, see
 * GROUP_FRAMES), so memory is one group's spectrograms and windows plus what is returned: one
 * vector per recording, or every window's features when they are asked for.
 */
import { concatRows, spectrogram } from '../audio/spectrogram-stream.ts';
import { matrix, type Matrix } from '../compute/matrix.ts';
import { poolRecordings, type PoolOptions, type RowRange } from '../features/pooling.ts';
import { GROUP_FRAMES } from './recording-features.ts';
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
  const used: { file: string; seconds: number }[] = [];
  const parts: Matrix[] = [];
  const ranges: RowRange[] = [];
  let pool: PoolOptions = { method: 'mean', segments: 1 };
  let group: Matrix[] = [];
  let groupFrames = 0;
  const encodeGroup = () => {
    if (group.length === 0) return;
    const e = run.encode(group);
    pool = e.pool;
    const offset = ranges.length === 0 ? 0 : ranges[ranges.length - 1].end;
    if (per === 'recording') {
      parts.push(poolRecordings(e.features, e.ranges, e.pool));
      for (let i = 0; i < group.length; i++) ranges.push({ start: offset + i, end: offset + i + 1 });
    } else {
      // Window rows of each recording, in order (encode returns them recording by recording).
      parts.push(e.features);
      for (const r of e.ranges) ranges.push({ start: offset + r.start, end: offset + r.end });
    }
    group = [];
    groupFrames = 0;
  };
  const skipped: { path: string; reason: string }[] = [];
  const bar = progress({ stage: 'encoding', total: paths.length });
  try {
    for (const [i, path] of paths.entries()) {
      try {
        const samples = await decodeAt(path, params.sampleRate);
        if (samples.length < params.frameSize) throw new SflError(`too short: ${samples.length} samples, shorter than one frame (${params.frameSize})`, path);
        const S = spectrogram(samples, params);
        if (group.length > 0 && groupFrames + S.rows > GROUP_FRAMES) encodeGroup();
        group.push(S);
        groupFrames += S.rows;
        used.push({ file: path, seconds: samples.length / params.sampleRate });
      } catch (e) {
        if (!(e instanceof SflError)) throw e;
        skipped.push({ path, reason: e.message.startsWith(path) ? e.message : `${path}: ${e.message}` });
      }
      bar.update(i + 1);
    }
    encodeGroup();
  } finally {
    bar.stop();
  }
  if (used.length === 0) return { features: matrix(0, 0), recordings: [], skipped, per, pool };
  return { features: concatRows(parts, parts[0].cols), recordings: used.map((u, i) => ({ ...u, rows: [ranges[i].start, ranges[i].end] })), skipped, per, pool };
}
