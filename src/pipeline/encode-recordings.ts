/**
 * Learned features of recordings, for use in other tools: a trained run's features of every window
 * of each recording (per 'window'), or pooled over each recording the way the run pools them
 * (per 'recording'), one matrix with each recording's row range.
 *
 * Recordings are encoded a group at a time (the groups the classification pipelines make, see
 * GROUP_FRAMES), so memory is one group's spectrograms and windows plus what is returned: one
 * vector per recording, or every window's features when they are asked for. A recording longer
 * than a group is decoded and encoded a chunk of frames at a time (features/window-chunks.ts),
 * its windows' features pooled as they come (RunningPool), so it is never held whole.
 */
import { concatRows, spectrogram } from '../audio/spectrogram-stream.ts';
import { matrix, type Matrix } from '../compute/matrix.ts';
import { poolRecordings, type PoolOptions, type RowRange } from '../features/pooling.ts';
import { GROUP_FRAMES } from './recording-features.ts';
import { probeAudio } from '../audio/decode.ts';
import { RunningPool } from '../features/pooling.ts';
import { WindowChunks } from '../features/window-chunks.ts';
import { openSpectrogram } from './spectra.ts';
import type { SpectrumParams } from '../audio/spectrogram.ts';
import { frameRows } from '../audio/frames.ts';
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
        const K = run.windowFrames;
        const declared = K === undefined ? 0 : await declaredSamples(path, params);
        if (K !== undefined && frameRows(declared, params.frameSize, params.hop, params.center) > GROUP_FRAMES) {
          // Long: the groups before it first, so the rows stay in the order of the files.
          encodeGroup();
          const e = await encodeLong(run, K, path, params, per, (fraction) => bar.update(i + fraction));
          pool = e.pool;
          const offset = ranges.length === 0 ? 0 : ranges[ranges.length - 1].end;
          parts.push(e.features);
          ranges.push({ start: offset, end: offset + e.features.rows });
          used.push({ file: path, seconds: declared / params.sampleRate });
        } else {
          const samples = await decodeAt(path, params.sampleRate);
          if (samples.length < params.frameSize) throw new SflError(`too short: ${samples.length} samples, shorter than one frame (${params.frameSize})`, path);
          const S = spectrogram(samples, params);
          if (group.length > 0 && groupFrames + S.rows > GROUP_FRAMES) encodeGroup();
          group.push(S);
          groupFrames += S.rows;
          used.push({ file: path, seconds: samples.length / params.sampleRate });
        }
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

/** Samples a file will give at `params`' rate, from its header (0 when it declares no length: such a file is taken whole). */
async function declaredSamples(path: string, params: SpectrumParams): Promise<number> {
  let probe;
  try {
    probe = await probeAudio(path);
  } catch (e) {
    if (e instanceof SflError) return 0; // decoding it names the problem, as for any file
    throw e;
  }
  // The resampler's rule (as spectra.ts declaredFrames).
  return probe.frames === null ? 0 : probe.sampleRate === params.sampleRate ? probe.frames : Math.round(probe.frames * (params.sampleRate / probe.sampleRate));
}

/**
 * One long recording's features, its spectrogram decoded and encoded a chunk of frames at a time:
 * the pooled row (per 'recording') or every window's row (per 'window'), as encode() of the whole
 * spectrogram gives them. Memory: a block and a chunk, plus the rows returned.
 */
async function encodeLong(
  run: TrainedRun,
  K: number,
  path: string,
  params: SpectrumParams,
  per: EncodePer,
  onFraction: (f: number) => void,
): Promise<{ features: Matrix; pool: PoolOptions }> {
  const blocks = await openSpectrogram(path, params, (w) => process.stderr.write(`warning: ${w}\n`));
  let pool: PoolOptions = { method: 'mean', segments: 1 };
  let pooled: RunningPool | null = null;
  const windows: Matrix[] = [];
  const chunks = new WindowChunks(K, blocks.cols, blocks.rows, (chunk) => {
    const e = run.encode([chunk]);
    pool = e.pool;
    if (per === 'window') {
      windows.push(e.features);
      return;
    }
    pooled ??= new RunningPool(e.features.cols, chunks.windows, e.pool);
    pooled.add(e.features);
  });
  let done = 0;
  for await (const b of blocks) {
    chunks.add(b);
    onFraction((done += b.rows) / blocks.rows);
  }
  chunks.finish();
  const features = per === 'window' ? concatRows(windows, windows[0].cols) : { data: (pooled as RunningPool | null)!.finish(), rows: 1, cols: (pooled as RunningPool | null)!.width };
  return { features, pool };
}
