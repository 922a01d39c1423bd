/**
 * From spectrograms to one feature vector per recording with a learned autoencoder: every window
 * of K frames (sliding, hop 1) is preprocessed and encoded, then the hidden activations are pooled
 * over time (features/pooling.ts). Recordings shorter than K frames are padded at the end to K
 * frames (repeating the last frame) so that every recording gets a vector.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { allWindows } from '../features/sampler.ts';
import { poolRecordings, type PoolOptions } from '../features/pooling.ts';
import { saeFeatures, type SaeModel } from './sae-model.ts';
import { SflError } from '../util/errors.ts';

function padToFrames(S: Matrix, K: number): Matrix {
  if (S.rows >= K) return S;
  const out = matrix(K, S.cols);
  out.data.set(S.data);
  // Repeat the last frame rather than inserting zeros, which in log units would be a loud event.
  for (let t = S.rows; t < K; t++) out.data.copyWithin(t * S.cols, (S.rows - 1) * S.cols, S.rows * S.cols);
  return out;
}

export function recordingFeatures(model: SaeModel, spectra: readonly Matrix[], pool: PoolOptions): Matrix {
  if (model.input.kind !== 'spectro-temporal') throw new SflError('this model was trained on images, not on spectral windows');
  const K = model.input.frames;
  const padded = spectra.map((S) => padToFrames(S, K));
  const { windows, ranges } = allWindows(padded, K);
  const H = saeFeatures(model, windows);
  return poolRecordings(H, ranges, pool);
}
