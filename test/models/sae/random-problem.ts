import { matrix, type Matrix } from '../../../src/compute/matrix.ts';
import { initParams, type Decoder } from '../../../src/models/sae/sparse-autoencoder.ts';
import { mulberry32 } from '../../../src/util/random.ts';

/** Random inputs in the decoder's output range: [0, 1) for sigmoid, [-1, 1) for linear. */
export function randomData(rows: number, cols: number, decoder: Decoder, seed: number): Matrix {
  const rng = mulberry32(seed);
  const X = matrix(rows, cols);
  for (let n = 0; n < X.data.length; n++) X.data[n] = decoder === 'sigmoid' ? rng() : 2 * rng() - 1;
  return X;
}

/** The usual initial weights with random (not zero) biases, so the bias gradients are exercised too. */
export function randomTheta(v: number, h: number, seed: number): Float64Array {
  const theta = initParams(v, h, seed);
  const rng = mulberry32(seed + 1);
  for (let n = 2 * v * h; n < theta.length; n++) theta[n] = 0.2 * (rng() - 0.5);
  return theta;
}
