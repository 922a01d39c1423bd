import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/compute/backend.ts';
import { matrix, type Matrix } from '../../../src/compute/matrix.ts';
import {
  convolvePoolImages, convolveSpectrograms, foldFilters, poolMaps, preprocessorAffine,
} from '../../../src/models/conv/convolve.ts';
import { Preprocessor } from '../../../src/features/preprocess.ts';
import { allWindows, samplePatches, sampleWindows } from '../../../src/features/sampler.ts';
import { encode, initParams } from '../../../src/models/sae/sparse-autoencoder.ts';
import { mulberry32, fillNormal } from '../../../src/util/random.ts';

beforeAll(async () => {
  await initBackend();
});

function randomSpectra(n: number, bands: number, seed: number): Matrix[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const S = matrix(6 + ((i * 7) % 13), bands);
    // Correlated columns (a smooth spectrum plus noise) so that whitening has work to do.
    for (let t = 0; t < S.rows; t++) {
      const level = rng() * 4;
      for (let b = 0; b < bands; b++) S.data[t * bands + b] = level + Math.sin(b / 3 + t) + 0.3 * rng();
    }
    return S;
  });
}

/** A random (untrained) autoencoder with fitted preprocessing: convolution must match it for any weights. */
function model(X: Matrix, hidden: number, prep: ConstructorParameters<typeof Preprocessor>[0], seed = 3) {
  const preprocessor = new Preprocessor(prep).fit(X);
  const theta = initParams(preprocessor.outputDim, hidden, seed);
  // initParams leaves b1 at zero; random biases check that the bias fold is right too.
  const rng = mulberry32(seed + 1);
  const v = preprocessor.outputDim;
  for (let j = 0; j < hidden; j++) theta[2 * hidden * v + j] = rng() - 0.5;
  return { preprocessor, theta };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('preprocessorAffine', () => {
  it('reads the preprocessing off as z = A x + c', () => {
    const X = sampleWindows(randomSpectra(8, 6, 1), { count: 400, frames: 2, seed: 2 });
    for (const prep of [
      { normalise: 'standardise', whitening: { kind: 'zca', epsilon: 0.1, retainVariance: 1 } },
      { normalise: 'example-mean', whitening: { kind: 'pca', epsilon: 0.01, retainVariance: 0.9 } },
      { normalise: 'rescale01', whitening: { kind: 'none', epsilon: 0, retainVariance: 1 } },
    ] as const) {
      const p = new Preprocessor(prep).fit(X);
      const { A, c, inDim, outDim } = preprocessorAffine(p);
      const Z = p.transform(X);
      expect(Z.cols).toBe(outDim);
      const mine = new Float64Array(X.rows * outDim);
      for (let n = 0; n < X.rows; n++) {
        for (let r = 0; r < outDim; r++) {
          let s = c[r];
          for (let i = 0; i < inDim; i++) s += A[r * inDim + i] * X.data[n * inDim + i];
          mine[n * outDim + r] = s;
        }
      }
      expect(maxAbsDiff(mine, Z.data)).toBeLessThan(1e-3);
    }
  });
});

describe('preprocessorAffine with rescale01', () => {
  it('is the map on values inside the clip range even when a unit vector lies beyond the clip', () => {
    // Small values (std about 0.03 after removing each row's mean): the clip is at about +-0.09, so
    // a unit vector (1 - 1/d after its mean is removed) would be clipped if the map were probed with it.
    const rng = mulberry32(11);
    const d = 16;
    const X = matrix(500, d);
    for (let i = 0; i < X.data.length; i++) X.data[i] = 0.1 * rng();
    const p = new Preprocessor({ normalise: 'rescale01', whitening: { kind: 'none', epsilon: 0, retainVariance: 1 } }).fit(X);
    const clip = p.stages().find((s) => s.kind === 'clip');
    expect(clip && clip.kind === 'clip' && clip.high < 1 - 1 / d).toBe(true);
    const { A, c } = preprocessorAffine(p);
    // Rows whose values stay inside the clip range: transform must equal A x + c.
    const Z = p.transform(X);
    let checked = 0;
    for (let n = 0; n < X.rows; n++) {
      const z = Z.data.subarray(n * d, (n + 1) * d);
      if (z.some((v) => v <= 0.1 + 1e-6 || v >= 0.9 - 1e-6)) continue; // a clipped row
      checked++;
      for (let r = 0; r < d; r++) {
        let s = c[r];
        for (let i = 0; i < d; i++) s += A[r * d + i] * X.data[n * d + i];
        expect(Math.abs(s - z[r])).toBeLessThan(1e-5);
      }
    }
    expect(checked).toBeGreaterThan(400);
  });
});

describe('convolving spectrograms with learned filters', () => {
  const bands = 10, K = 3, hidden = 7;
  const spectra = randomSpectra(6, bands, 5);
  const X = sampleWindows(spectra, { count: 500, frames: K, seed: 4 });
  const m = model(X, hidden, { normalise: 'standardise', whitening: { kind: 'zca', epsilon: 0.1, retainVariance: 1 } });

  it('the response at time t equals the autoencoder\'s activation for the window starting at t', () => {
    const f = foldFilters(m.preprocessor, m.theta, K, bands);
    // Small chunks so several conv2d calls, and windows straddling two recordings, are exercised.
    const { H, ranges } = convolveSpectrograms(spectra, f, { chunkFrames: 25 });
    const ref = allWindows(spectra, K);
    expect(ranges).toEqual(ref.ranges);
    const direct = encode(m.preprocessor.transform(ref.windows), m.theta);
    expect(H.cols).toBe(hidden);
    expect(maxAbsDiff(H.data, direct.data)).toBeLessThan(1e-4);
  });

  it('would notice a filter folded without the preprocessing', () => {
    const raw = new Preprocessor({ normalise: 'none', whitening: { kind: 'none', epsilon: 0, retainVariance: 1 } }).fit(X);
    const wrong = foldFilters(raw, m.theta, K, bands);
    const { H } = convolveSpectrograms(spectra, wrong);
    const direct = encode(m.preprocessor.transform(allWindows(spectra, K).windows), m.theta);
    expect(maxAbsDiff(H.data, direct.data)).toBeGreaterThan(1e-2);
  });

  it('band patches slide over frequency too, and are max-pooled over offsets', () => {
    const P = 4;
    const Xp = samplePatches(spectra, { count: 500, height: K, width: P, seed: 6 });
    const mp = model(Xp, hidden, { normalise: 'standardise', whitening: { kind: 'zca', epsilon: 0.1, retainVariance: 1 } });
    const f = foldFilters(mp.preprocessor, mp.theta, K, P);
    const size = 3, stride = 2; // offsets 0..6 -> regions [0,3), [2,5), [4,7)
    const { H, ranges } = convolveSpectrograms(spectra, f, { frequencyPool: { size, stride, kind: 'max' } });
    const offsets = bands - P + 1, regions = 3;
    expect(H.cols).toBe(regions * hidden);
    // The same by hand: every K x P patch encoded, then the max over each region's offsets.
    spectra.forEach((S, i) => {
      for (let t = 0; t + K <= S.rows; t++) {
        const patches = matrix(offsets, K * P);
        for (let o = 0; o < offsets; o++) {
          for (let y = 0; y < K; y++) for (let x = 0; x < P; x++) patches.data[o * K * P + y * P + x] = S.data[(t + y) * bands + o + x];
        }
        const A = encode(mp.preprocessor.transform(patches), mp.theta);
        for (let r = 0; r < regions; r++) {
          for (let j = 0; j < hidden; j++) {
            let best = -Infinity;
            for (let o = r * stride; o < r * stride + size; o++) best = Math.max(best, A.data[o * hidden + j]);
            expect(H.data[(ranges[i].start + t) * H.cols + r * hidden + j]).toBeCloseTo(best, 4);
          }
        }
      }
    });
  });

  it('says which spectrogram is too short, and that band filters need a frequency pool', () => {
    const f = foldFilters(m.preprocessor, m.theta, K, bands);
    expect(() => convolveSpectrograms([spectra[0], matrix(2, bands)], f)).toThrow(/spectrogram 1 has 2 frames, fewer than the filters' 3/);
    const Xp = samplePatches(spectra, { count: 200, height: K, width: 4, seed: 6 });
    const mp = model(Xp, hidden, { normalise: 'none', whitening: { kind: 'none', epsilon: 0, retainVariance: 1 } });
    expect(() => convolveSpectrograms(spectra, foldFilters(mp.preprocessor, mp.theta, K, 4))).toThrow(/need a frequency pool/);
    expect(() => foldFilters(mp.preprocessor, mp.theta, K, 5)).toThrow(/trained on 12 values per patch, not 3 x 5/);
  });
});

describe('convolving and pooling images', () => {
  it('equals encoding every patch and pooling the regions by hand (mean and max)', () => {
    const side = 9, p = 4, hidden = 5, n = 6;
    const rng = mulberry32(9);
    const images = matrix(n, side * side);
    fillNormal(rng, images.data as unknown as Float32Array);
    const views = Array.from({ length: n }, (_, i) => ({ data: images.data.subarray(i * side * side, (i + 1) * side * side), rows: side, cols: side }));
    const patches = samplePatches(views, { count: 300, height: p, width: p, seed: 1 });
    const m = model(patches, hidden, { normalise: 'none', whitening: { kind: 'zca', epsilon: 0.1, retainVariance: 1 } });
    const f = foldFilters(m.preprocessor, m.theta, p, p);
    const ms = side - p + 1; // 6 x 6 maps
    const size = 3, stride = 3; // 2 x 2 regions
    const out = convolvePoolImages(images, side, side, f, { size, stride, kind: 'meanmax', batch: 4 });
    expect(out.cols).toBe(2 * 2 * 2 * hidden);
    for (let i = 0; i < n; i++) {
      const all = matrix(ms * ms, p * p);
      for (let y = 0; y < ms; y++) for (let x = 0; x < ms; x++) {
        for (let dy = 0; dy < p; dy++) for (let dx = 0; dx < p; dx++) all.data[(y * ms + x) * p * p + dy * p + dx] = images.data[i * side * side + (y + dy) * side + x + dx];
      }
      const A = encode(m.preprocessor.transform(all), m.theta);
      for (let ry = 0; ry < 2; ry++) for (let rx = 0; rx < 2; rx++) for (let j = 0; j < hidden; j++) {
        let sum = 0, max = -Infinity;
        for (let y = ry * stride; y < ry * stride + size; y++) for (let x = rx * stride; x < rx * stride + size; x++) {
          const a = A.data[(y * ms + x) * hidden + j];
          sum += a;
          max = Math.max(max, a);
        }
        const base = i * out.cols + (ry * 2 + rx) * 2 * hidden;
        expect(out.data[base + j]).toBeCloseTo(sum / (size * size), 4);
        expect(out.data[base + hidden + j]).toBeCloseTo(max, 4);
      }
    }
  });

  it('refuses a pooling region larger than the maps', () => {
    const maps = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    expect(() => poolMaps(maps, [5, 5], [5, 5], 'mean')).toThrow(/does not fit in 4 x 4/);
    maps.dispose();
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const images = matrix(3, 64);
    const patches = samplePatches([{ data: images.data.subarray(0, 64), rows: 8, cols: 8 }], { count: 50, height: 3, width: 3, seed: 2 });
    const m = model(patches, 4, { normalise: 'none', whitening: { kind: 'none', epsilon: 0, retainVariance: 1 } });
    convolvePoolImages(images, 8, 8, foldFilters(m.preprocessor, m.theta, 3, 3), { size: 2, stride: 2, kind: 'max' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('samplePatches', () => {
  it('draws patches that exist in the input, row-major, at every offset', () => {
    const S = matrix(5, 6);
    for (let i = 0; i < S.data.length; i++) S.data[i] = i; // value = row * 6 + column
    const P = samplePatches([S], { count: 200, height: 2, width: 3, seed: 3 });
    const seen = new Set<number>();
    for (let r = 0; r < P.rows; r++) {
      const v0 = P.data[r * 6];
      const y0 = Math.floor(v0 / 6), x0 = v0 % 6;
      seen.add(x0);
      for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) expect(P.data[r * 6 + y * 3 + x]).toBe((y0 + y) * 6 + x0 + x);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(() => samplePatches([S], { count: 1, height: 2, width: 7 })).toThrow(/patch width must be an integer from 1 to 6/);
  });
});
