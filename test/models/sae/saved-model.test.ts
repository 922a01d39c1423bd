/**
 * saeFeatures folds the fitted preprocessing's affine part into the encoder (one product per
 * window instead of the whitening's and the encoder's): its activations must be the ones of the
 * preprocessing applied first, for every normalisation and whitening, as exact as float32 allows.
 */
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/compute/backend.ts';
import type { Matrix } from '../../../src/compute/matrix.ts';
import { Preprocessor, type NormaliseKind, type WhiteningChoice } from '../../../src/features/preprocess.ts';
import { saeFeatures, type SaeModel } from '../../../src/models/sae/saved-model.ts';
import { encode, initParams, unpackParams } from '../../../src/models/sae/sparse-autoencoder.ts';
import { mulberry32, normal } from '../../../src/util/random.ts';

/** Rows like log-spectrum windows: a large offset, correlated dimensions (a few sources mixed), noise. */
function logSpectrumLike(rows: number, d: number, seed: number): Matrix {
  const rng = mulberry32(seed);
  const sources = 5;
  const mix = Float64Array.from({ length: sources * d }, () => normal(rng));
  const offset = Float64Array.from({ length: d }, () => -8 + 2 * normal(rng));
  const data = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const s = Array.from({ length: sources }, () => 1.5 * normal(rng));
    for (let i = 0; i < d; i++) {
      let v = offset[i] + 0.3 * normal(rng);
      for (let k = 0; k < sources; k++) v += s[k] * mix[k * d + i];
      data[r * d + i] = v;
    }
  }
  return { data, rows, cols: d };
}

/** sigmoid(W1 z + b1) with z the preprocessing's stages applied in float64 (Preprocessor.stages). */
function float64Features(m: SaeModel, X: Matrix): Float64Array {
  const stages = m.preprocessor.stages();
  const v = m.preprocessor.outputDim, h = m.hyper.hidden;
  const { W1, b1 } = unpackParams(m.theta, v, h);
  const out = new Float64Array(X.rows * h);
  for (let r = 0; r < X.rows; r++) {
    let z = Float64Array.from(X.data.subarray(r * X.cols, (r + 1) * X.cols));
    for (const s of stages) {
      if (s.kind === 'clip') {
        z = z.map((x) => Math.max(s.low, Math.min(s.high, x)));
        continue;
      }
      const y = Float64Array.from(s.c);
      for (let o = 0; o < s.outDim; o++) for (let i = 0; i < s.inDim; i++) y[o] += s.A[o * s.inDim + i] * z[i];
      z = y;
    }
    for (let j = 0; j < h; j++) {
      let a = b1[j];
      for (let i = 0; i < v; i++) a += W1[j * v + i] * z[i];
      out[r * h + j] = 1 / (1 + Math.exp(-a));
    }
  }
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('saeFeatures with the preprocessing folded into the encoder', () => {
  const cases: [NormaliseKind, WhiteningChoice, number][] = [
    ['standardise', 'zca', 1],
    ['standardise', 'zca', 0.01],
    ['none', 'zca', 0.1],
    ['none', 'pca', 0.1],
    ['example-mean', 'zca', 0.1],
    ['rescale01', 'zca', 0.1],
    ['rescale01', 'none', 0.1],
    ['standardise', 'none', 0.1],
    ['none', 'none', 0.1],
  ];
  it.each(cases)('%s + %s (epsilon %s): the activations of the preprocessing applied first, as close to float64 as they are', async (normalise, kind, epsilon) => {
    await initBackend();
    const d = 60, hidden = 24;
    const train = logSpectrumLike(2000, d, 1);
    const X = logSpectrumLike(3000, d, 2); // more rows than one device batch is not needed: the fold is per row
    const preprocessor = new Preprocessor({ normalise, whitening: { kind, epsilon, retainVariance: kind === 'pca' ? 0.99 : 1 } }).fit(train);
    const v = preprocessor.outputDim;
    // Weights a few times the initial ones, so the activations are spread over the sigmoid and not all near 1/2.
    const theta = initParams(v, hidden, 3).map((w) => 4 * w);
    const model: SaeModel = { input: { kind: 'image', width: d, height: 1 } as SaeModel['input'], preprocessor, hyper: { hidden, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'linear' }, theta };
    const folded = saeFeatures(model, X);
    const unfolded = encode(preprocessor.transform(X), theta);
    const reference = float64Features(model, X);
    expect([folded.rows, folded.cols]).toEqual([X.rows, hidden]);
    // Both are float32 computations of the same float64 value; how close either gets depends on the
    // data's offset and the weights (here up to 1e-5, harsher than FSDD's windows, where both are
    // within 4e-7). The folded one must be as close as the preprocessing applied first.
    const foldedError = maxDiff(folded.data, reference), unfoldedError = maxDiff(unfolded.data, reference);
    expect(foldedError).toBeLessThan(1.25 * unfoldedError + 2e-7);
    expect(foldedError).toBeLessThan(1e-5);
    // The activations are spread: a test of nearly constant outputs would prove little.
    const a = Array.from(folded.data);
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(0.5);
  });

  it('folds again when the model is given new weights (nothing stale is kept)', async () => {
    await initBackend();
    const train = logSpectrumLike(500, 20, 4);
    const preprocessor = new Preprocessor({ normalise: 'standardise', whitening: { kind: 'zca', epsilon: 0.1, retainVariance: 1 } }).fit(train);
    const model: SaeModel = { input: { kind: 'image', width: 20, height: 1 } as SaeModel['input'], preprocessor, hyper: { hidden: 8, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'linear' }, theta: initParams(20, 8, 1) };
    const first = saeFeatures(model, train);
    model.theta = initParams(20, 8, 2);
    const second = saeFeatures(model, train);
    expect(maxDiff(second.data, encode(preprocessor.transform(train), model.theta).data)).toBeLessThan(1e-6);
    expect(maxDiff(first.data, second.data)).toBeGreaterThan(1e-2);
  });

  it('refuses vectors of another length, naming both', async () => {
    await initBackend();
    const preprocessor = new Preprocessor({ normalise: 'standardise', whitening: { kind: 'zca', epsilon: 0.1, retainVariance: 1 } }).fit(logSpectrumLike(200, 10, 5));
    const model: SaeModel = { input: { kind: 'image', width: 10, height: 1 } as SaeModel['input'], preprocessor, hyper: { hidden: 4, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'linear' }, theta: initParams(10, 4, 1) };
    expect(() => saeFeatures(model, logSpectrumLike(5, 12, 6))).toThrow(/fitted on vectors of 10 values, these have 12/);
  });
});
