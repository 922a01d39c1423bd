import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix as MLMatrix } from 'ml-matrix';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { fillNormal, mulberry32 } from '../../src/util/random.ts';
import { symmetricEigen } from '../../src/features/eigh.ts';
import { Whitening, componentsForVariance } from '../../src/features/whitening.ts';

function randn(rows: number, cols: number, seed: number): Float64Array {
  return fillNormal(mulberry32(seed), new Float64Array(rows * cols));
}

/** n x d float32 data = G * A + offset with G standard normal and A a random d x d mixing matrix: correlated, non-zero mean. */
function correlated(n: number, d: number, seed: number): Matrix {
  const G = randn(n, d, seed);
  const A = randn(d, d, seed + 1);
  const X = matrix(n, d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) {
    let s = 3 + c;
    for (let k = 0; k < d; k++) s += G[r * d + k] * A[k * d + c];
    X.data[r * d + c] = s;
  }
  return X;
}

/** Random d x d orthogonal matrix (rows orthonormal) from Gram-Schmidt. */
function orthogonal(d: number, seed: number): Float64Array {
  const Q = randn(d, d, seed);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += Q[i * d + k] * Q[j * d + k];
      for (let k = 0; k < d; k++) Q[i * d + k] -= dot * Q[j * d + k];
    }
    let nrm = 0;
    for (let k = 0; k < d; k++) nrm += Q[i * d + k] ** 2;
    for (let k = 0; k < d; k++) Q[i * d + k] /= Math.sqrt(nrm);
  }
  return Q;
}

/**
 * Data whose covariance is exactly Q' diag(lambda) Q: columns of G centred and orthogonalised so
 * G'G = n I, then X = G diag(sqrt(lambda)) Q + mean.
 */
function knownSpectrum(n: number, lambda: number[], seed: number): Matrix {
  const d = lambda.length;
  const Gt = randn(d, n, seed); // rows = columns of G
  for (let i = 0; i < d; i++) {
    let m = 0;
    for (let r = 0; r < n; r++) m += Gt[i * n + r] / n;
    for (let r = 0; r < n; r++) Gt[i * n + r] -= m;
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += Gt[i * n + r] * Gt[j * n + r];
      for (let r = 0; r < n; r++) Gt[i * n + r] -= dot * Gt[j * n + r];
    }
    let nrm = 0;
    for (let r = 0; r < n; r++) nrm += Gt[i * n + r] ** 2;
    for (let r = 0; r < n; r++) Gt[i * n + r] /= Math.sqrt(nrm);
  }
  const Q = orthogonal(d, seed + 7);
  const X = matrix(n, d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) {
    let s = 1 - c;
    for (let k = 0; k < d; k++) s += Gt[k * n + r] * Math.sqrt(n * lambda[k]) * Q[k * d + c];
    X.data[r * d + c] = s;
  }
  return X;
}

/** Covariance (population) of a float32 matrix, in float64. */
function cov(X: Matrix): number[][] {
  const { rows: n, cols: d, data } = X;
  const mean = new Array(d).fill(0);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] += data[r * d + c] / n;
  const C = Array.from({ length: d }, () => new Array(d).fill(0));
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) {
    const a = data[r * d + i] - mean[i];
    for (let j = 0; j < d; j++) C[i][j] += a * (data[r * d + j] - mean[j]) / n;
  }
  return C;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxDevFromIdentity(C: number[][]): number {
  let m = 0;
  C.forEach((row, i) => row.forEach((v, j) => { m = Math.max(m, Math.abs(v - (i === j ? 1 : 0))); }));
  return m;
}

describe('symmetricEigen', () => {
  it('matches ml-matrix on a random symmetric matrix', () => {
    const d = 40;
    const R = randn(d, d, 11);
    const S = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S[i * d + j] = R[i * d + j] + R[j * d + i];
    const { values, vectors } = symmetricEigen(S, d);
    const ref = new EigenvalueDecomposition(new MLMatrix(Array.from({ length: d }, (_, i) => Array.from(S.subarray(i * d, i * d + d)))), { assumeSymmetric: true });
    const refValues = [...ref.realEigenvalues].sort((a, b) => b - a);
    expect(maxAbsDiff(values, refValues)).toBeLessThan(1e-10);
    // S v = lambda v and orthonormal rows.
    for (let r = 0; r < d; r++) {
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += S[i * d + k] * vectors[r * d + k];
        expect(Math.abs(s - values[r] * vectors[r * d + i])).toBeLessThan(1e-10);
      }
      let nrm = 0;
      for (let k = 0; k < d; k++) nrm += vectors[r * d + k] ** 2;
      expect(nrm).toBeCloseTo(1, 12);
    }
  });

  it('handles 1 x 1 and diagonal matrices', () => {
    expect(Array.from(symmetricEigen(Float64Array.from([5]), 1).values)).toEqual([5]);
    const { values } = symmetricEigen(Float64Array.from([1, 0, 0, 0, 3, 0, 0, 0, 2]), 3);
    expect(Array.from(values)).toEqual([3, 2, 1]);
  });
});

describe('Whitening', () => {
  const X = correlated(3000, 12, 5);

  it('PCA: whitened training data has identity covariance (small epsilon)', () => {
    const w = new Whitening({ kind: 'pca', epsilon: 1e-9 }).fit(X);
    expect(w.nComponents_).toBe(12);
    const Z = w.transform(X);
    expect(Z.cols).toBe(12);
    expect(maxDevFromIdentity(cov(Z))).toBeLessThan(2e-4);
    // components are sorted by decreasing eigenvalue
    for (let i = 1; i < 12; i++) expect(w.eigenvalues_![i]).toBeLessThanOrEqual(w.eigenvalues_![i - 1]);
  });

  it('ZCA equals PCA rotated back: Z_zca = Z_pca U\', and is white too', () => {
    const pca = new Whitening({ kind: 'pca', epsilon: 1e-3 }).fit(X);
    const zca = new Whitening({ kind: 'zca', epsilon: 1e-3 }).fit(X);
    const Zp = pca.transform(X), Zz = zca.transform(X);
    const d = 12, U = pca.components_!; // k x d, rows are eigenvectors: Z_pca * U' in column notation = Zp (n x k) * components_ (k x d)
    const rotated = new Float64Array(X.rows * d);
    for (let r = 0; r < X.rows; r++) for (let c = 0; c < d; c++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += Zp.data[r * d + k] * U[k * d + c];
      rotated[r * d + c] = s;
    }
    expect(maxAbsDiff(Zz.data, rotated)).toBeLessThan(1e-4);
    expect(maxDevFromIdentity(cov(new Whitening({ kind: 'zca', epsilon: 1e-9 }).fitTransform(X)))).toBeLessThan(2e-4);
  });

  it('inverseTransform(transform(x)) ~ x with all components', () => {
    for (const kind of ['pca', 'zca'] as const) {
      const w = new Whitening({ kind, epsilon: 1e-6 }).fit(X);
      const back = w.inverseTransform(w.transform(X));
      expect(maxAbsDiff(back.data, X.data)).toBeLessThan(1e-3);
    }
  });

  it('retainVariance keeps the fewest components reaching the fraction (known spectrum)', () => {
    // Total 200: cumulative fractions 0.5, 0.75, 0.875, 0.94, 0.97, 0.985, 0.995, 1.0
    const lambda = [100, 50, 25, 13, 6, 3, 2, 1];
    const Y = knownSpectrum(2000, lambda, 21);
    const full = new Whitening({ kind: 'pca' }).fit(Y);
    expect(maxAbsDiff(full.eigenvalues_!, lambda)).toBeLessThan(1e-3);
    // Exact spectrum, including fractions exactly at a boundary.
    const exact: [number, number][] = [[0.4, 1], [0.5, 1], [0.75, 2], [0.7500001, 3], [0.9, 4], [0.99, 7], [1, 8]];
    for (const [fraction, k] of exact) expect(componentsForVariance(Float64Array.from(lambda), fraction)).toBe(k);
    // Fitted spectrum, fractions between the steps.
    const fitted: [number, number][] = [[0.4, 1], [0.7, 2], [0.9, 4], [0.96, 5], [0.99, 7], [0.999, 8], [1, 8]];
    for (const [fraction, k] of fitted) {
      const w = new Whitening({ kind: 'pca', retainVariance: fraction }).fit(Y);
      expect(w.nComponents_).toBe(k);
      expect(w.transform(Y).cols).toBe(k);
    }
    const w = new Whitening({ kind: 'pca', retainVariance: 0.9, epsilon: 1e-5 }).fit(Y);
    expect(w.retainedVarianceFraction).toBeCloseTo(0.94, 4);
    // PCA with k < d: the whitened data is still white in k dimensions.
    expect(maxDevFromIdentity(cov(w.transform(Y)))).toBeLessThan(1e-3);
    // ZCA keeps d outputs and reconstructs the projection onto the retained span.
    const z = new Whitening({ kind: 'zca', retainVariance: 0.9, epsilon: 1e-9 }).fit(Y);
    expect(z.transform(Y).cols).toBe(8);
    const p = new Whitening({ kind: 'pca', nComponents: 4, epsilon: 1e-9 }).fit(Y);
    expect(maxAbsDiff(z.inverseTransform(z.transform(Y)).data, p.inverseTransform(p.transform(Y)).data)).toBeLessThan(1e-3);
  });

  it('transforms new data with the training statistics', () => {
    const w = new Whitening({ kind: 'zca', epsilon: 0.1 }).fit(X);
    const shift = Float32Array.from({ length: 12 }, (_, i) => i - 5);
    const X2 = matrix(X.rows, 12, X.data.map((v, i) => v + shift[i % 12]));
    const Z = w.transform(X), Z2 = w.transform(X2);
    const Wh = w.whiteningMatrix();
    for (const r of [0, 17, 2999]) for (let j = 0; j < 12; j++) {
      let expected = 0;
      for (let c = 0; c < 12; c++) expected += Wh.data[j * 12 + c] * shift[c];
      expect(Z2.data[r * 12 + j] - Z.data[r * 12 + j]).toBeCloseTo(expected, 3);
    }
    // a whitening fitted on the shifted data would centre it; the train-fitted one does not
    let m = 0;
    for (let r = 0; r < X.rows; r++) m += Z2.data[r * 12 + 11] / X.rows;
    expect(Math.abs(m)).toBeGreaterThan(0.1);
  });

  it('exposes whitening/dewhitening matrices that fold into a layer', () => {
    const w = new Whitening({ kind: 'pca', nComponents: 5, epsilon: 0.01 }).fit(X);
    const Wh = w.whiteningMatrix(), Wd = w.dewhiteningMatrix(), mean = w.meanVector();
    expect([Wh.rows, Wh.cols, Wd.rows, Wd.cols]).toEqual([5, 12, 12, 5]);
    // Wh Wd = I_k
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let c = 0; c < 12; c++) s += Wh.data[i * 12 + c] * Wd.data[c * 5 + j];
      expect(s).toBeCloseTo(i === j ? 1 : 0, 4);
    }
    // A layer W (3 x 5), b on whitened input equals W_eff = W Wh, b_eff = b - W_eff mean on raw input.
    const W = randn(3, 5, 9), b = [0.1, -0.2, 0.3];
    const Weff = new Float64Array(3 * 12);
    for (let h = 0; h < 3; h++) for (let c = 0; c < 12; c++) for (let k = 0; k < 5; k++) Weff[h * 12 + c] += W[h * 5 + k] * Wh.data[k * 12 + c];
    const beff = b.map((bh, h) => bh - Array.from({ length: 12 }, (_, c) => Weff[h * 12 + c] * mean[c]).reduce((a, v) => a + v, 0));
    const Z = w.transform(X);
    for (const r of [0, 123]) for (let h = 0; h < 3; h++) {
      let viaWhite = b[h], viaRaw = beff[h];
      for (let k = 0; k < 5; k++) viaWhite += W[h * 5 + k] * Z.data[r * 5 + k];
      for (let c = 0; c < 12; c++) viaRaw += Weff[h * 12 + c] * X.data[r * 12 + c];
      expect(viaRaw).toBeCloseTo(viaWhite, 3);
    }
  });

  it('round-trips through JSON', () => {
    const w = new Whitening({ kind: 'zca', retainVariance: 0.95, epsilon: 0.01 }).fit(X);
    const w2 = Whitening.fromJSON(JSON.parse(JSON.stringify(w)));
    expect(w2.kind).toBe('zca');
    expect(w2.nComponents_).toBe(w.nComponents_);
    expect(w2.transform(X).data).toEqual(w.transform(X).data);
    expect(() => Whitening.fromJSON({ ...w.toJSON(), mean_: [1] })).toThrow(/damaged/);
    expect(() => Whitening.fromJSON({ type: 'Standardiser' })).toThrow(/not a Whitening/);
  });

  it('fails with a sentence on bad input', () => {
    const bad = matrix(10, 12, X.data.slice(0, 120));
    bad.data[3 * 12 + 7] = NaN;
    expect(() => new Whitening({ kind: 'zca' }).fit(bad)).toThrow(/row 3, column 7 is NaN/);
    bad.data[3 * 12 + 7] = -Infinity;
    expect(() => new Whitening({ kind: 'zca' }).fit(bad)).toThrow(/row 3, column 7 is -Infinity/);
    const w = new Whitening({ kind: 'pca' });
    expect(() => w.transform(X)).toThrow(/not fitted/);
    w.fit(X);
    expect(() => w.transform(matrix(2, 11))).toThrow(/expected 12 columns \(the dimension the whitening was fitted on\), got 11/);
    expect(() => w.inverseTransform(matrix(2, 3))).toThrow(/expected 12 columns/);
    expect(() => w.fit({ data: new Float32Array(5), rows: 2, cols: 3 })).toThrow(/2 x 3 but holds 5 values/);
    expect(() => w.fit(matrix(1, 3))).toThrow(/at least 2 rows/);
    expect(() => new Whitening({ kind: 'pcaa' as 'pca' })).toThrow(/'pca' or 'zca'/);
    expect(() => new Whitening({ kind: 'zca', retainVariance: 1.5 })).toThrow(/retainVariance/);
    expect(() => new Whitening({ kind: 'zca', epsilon: -1 })).toThrow(/epsilon/);
    expect(() => new Whitening({ kind: 'zca', nComponents: 20 }).fit(X)).toThrow(/only 12 dimensions/);
  });
});
