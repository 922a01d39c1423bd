/**
 * Spectrograms of different lengths brought to one number of frames, so a network with a fixed
 * input (the convolutional autoencoder) can take whole recordings:
 *  - longer: the `frames` consecutive frames with the largest sum of values are kept (for log
 *    spectra, the loudest stretch: the utterance rather than the silence around it);
 *  - shorter: the recording is centred (an odd leftover frame goes after it) and padded with a
 *    given value per band, e.g. the training mean of each band, which standardises to 0.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { collectRows, type RowBlocks } from '../data/row-blocks.ts';
import { SflError } from '../util/errors.ts';

/** First frame of the `frames`-frame stretch of S with the largest sum; 0 when S has at most `frames` frames. */
export function loudestSegmentStart(S: Matrix, frames: number): number {
  if (S.rows <= frames) return 0;
  const frameSum = new Float64Array(S.rows);
  for (let t = 0; t < S.rows; t++) {
    let s = 0;
    for (let b = 0; b < S.cols; b++) s += S.data[t * S.cols + b];
    frameSum[t] = s;
  }
  let window = 0;
  for (let t = 0; t < frames; t++) window += frameSum[t];
  let best = 0, bestSum = window;
  for (let start = 1; start + frames <= S.rows; start++) {
    window += frameSum[start + frames - 1] - frameSum[start - 1];
    if (window > bestSum) [best, bestSum] = [start, window];
  }
  return best;
}

/** S (frames x bands) cut or padded to exactly `frames` rows, by the rules above; `pad` holds one value per band. */
export function fixFrames(S: Matrix, frames: number, pad: ArrayLike<number>): Matrix {
  if (!Number.isInteger(frames) || frames < 1) throw new SflError(`the number of frames must be a positive integer, got ${frames}`);
  if (pad.length !== S.cols) throw new SflError(`${pad.length} padding values for ${S.cols} bands`);
  const B = S.cols;
  const data = new Float32Array(frames * B);
  if (S.rows >= frames) {
    const start = loudestSegmentStart(S, frames);
    data.set(S.data.subarray(start * B, (start + frames) * B));
  } else {
    const before = Math.floor((frames - S.rows) / 2);
    for (let t = 0; t < frames; t++) {
      const src = t - before;
      if (src >= 0 && src < S.rows) data.set(S.data.subarray(src * B, (src + 1) * B), t * B);
      else for (let b = 0; b < B; b++) data[t * B + b] = pad[b];
    }
  }
  return { data, rows: frames, cols: B };
}

/**
 * S with at least K frames: a recording shorter than one window of K frames is padded at the end
 * by repeating its last frame (S itself when it is long enough), so that every recording gets at
 * least one window.
 */
export function padToFrames(S: Matrix, K: number): Matrix {
  if (S.rows >= K) return S;
  const data = new Float32Array(K * S.cols);
  data.set(S.data);
  // Repeat the last frame rather than inserting zeros, which in log units would be a loud event.
  for (let t = S.rows; t < K; t++) data.copyWithin(t * S.cols, (S.rows - 1) * S.cols, S.rows * S.cols);
  return { data, rows: K, cols: S.cols };
}

/**
 * fixFrames of a spectrogram read as blocks (`open` gives a new read each call), never held whole
 * when it is longer than `frames`: a first read finds the loudest stretch (loudestSegmentStart's
 * sums, in the same order, over a ring of the last `frames` frame sums), a second copies it.
 * Memory: a block and the `frames` frames kept.
 */
export async function fixFramesOfBlocks(open: () => Promise<RowBlocks>, frames: number, pad: ArrayLike<number>): Promise<Matrix> {
  const first = await open();
  if (first.rows <= frames) return fixFrames(await collectRows(first), frames, pad);
  const B = first.cols;
  const ring = new Float64Array(frames);
  let t = 0, window = 0, best = 0, bestSum = 0;
  for await (const b of first) {
    for (let r = 0; r < b.rows; r++, t++) {
      let s = 0;
      for (let j = 0; j < B; j++) s += b.data[r * B + j];
      if (t < frames) {
        window += s;
        if (t === frames - 1) bestSum = window;
      } else {
        // The stretch starting at t - frames + 1: frame t in, frame t - frames out.
        window += s - ring[t % frames];
        if (window > bestSum) [best, bestSum] = [t - frames + 1, window];
      }
      ring[t % frames] = s;
    }
  }
  const out = matrix(frames, B);
  t = 0;
  for await (const b of await open()) {
    const a = Math.max(best, t), z = Math.min(best + frames, t + b.rows);
    if (a < z) out.data.set(b.data.subarray((a - t) * B, (z - t) * B), (a - best) * B);
    t += b.rows;
    if (t >= best + frames) break; // the rest is not needed: the read is closed
  }
  return out;
}
