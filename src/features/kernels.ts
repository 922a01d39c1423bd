/**
 * Small float64 dense kernels for the feature stages (column means, covariance, applying a linear
 * map). Plain loops with 4 x 2 register blocking and cache tiling, accumulating in float64.
 * (tf-affine.ts is the tfjs alternative for applying a linear map to many rows.)
 */
import type { Matrix } from '../compute/matrix.ts';

/** Rows of A handled per tile: a tile of 32 rows x 1000 float64 is 256 kB and stays in cache. */
const TILE = 32;

/**
 * C = A * B' for row-major A (m x k) and B (n x k); C is m x n row-major (written, not accumulated).
 * 4 x 2 register blocks (rows past the edge are computed from a repeated row and not written).
 * With `upper`, A and B must be the same matrix (m = n) and only the blocks touching or above the
 * diagonal are computed (so every C[i][j] with j >= i is set); callers mirror the rest.
 */
export function gemmNT(A: Float64Array, m: number, B: Float64Array, n: number, k: number, C: Float64Array, upper = false): void {
  for (let i0 = 0; i0 < m; i0 += TILE) {
    const i1 = Math.min(m, i0 + TILE);
    const last = (i1 - 1) * k;
    for (let j = upper ? i0 : 0; j < n; j += 2) {
      const b0 = j * k;
      const hasJ1 = j + 1 < n;
      const b1 = hasJ1 ? b0 + k : b0;
      for (let i = i0; i < i1; i += 4) {
        if (upper && j + 1 < i) continue;
        const a0 = i * k;
        const a1 = Math.min(a0 + k, last), a2 = Math.min(a0 + 2 * k, last), a3 = Math.min(a0 + 3 * k, last);
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
        for (let t = 0; t < k; t++) {
          const y0 = B[b0 + t], y1 = B[b1 + t];
          const x0 = A[a0 + t], x1 = A[a1 + t], x2 = A[a2 + t], x3 = A[a3 + t];
          s00 += x0 * y0; s01 += x0 * y1;
          s10 += x1 * y0; s11 += x1 * y1;
          s20 += x2 * y0; s21 += x2 * y1;
          s30 += x3 * y0; s31 += x3 * y1;
        }
        let o = i * n + j;
        C[o] = s00;
        if (hasJ1) C[o + 1] = s01;
        if (i + 1 < i1) { o += n; C[o] = s10; if (hasJ1) C[o + 1] = s11; }
        if (i + 2 < i1) { o += n; C[o] = s20; if (hasJ1) C[o + 1] = s21; }
        if (i + 3 < i1) { o += n; C[o] = s30; if (hasJ1) C[o + 1] = s31; }
      }
    }
  }
}

/** Per-column mean of X, summed in float64. */
export function columnMean(X: Matrix): Float64Array {
  const { data, rows, cols } = X;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) mean[c] += data[o + c];
  }
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  return mean;
}

/**
 * Covariance (X - mean)'(X - mean) / n as a d x d row-major float64 matrix, accumulated in float64.
 * Rows are processed in blocks: each block is centred and transposed to float64 (d x block) and its
 * Gram matrix is added to the total.
 */
export function covariance(X: Matrix, mean: Float64Array): Float64Array {
  const { data, rows: n, cols: d } = X;
  const BLOCK = 128;
  const T = new Float64Array(d * BLOCK);
  const G = new Float64Array(d * d);
  const C = new Float64Array(d * d);
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const len = Math.min(BLOCK, n - r0);
    if (len < BLOCK) T.fill(0);
    for (let r = 0; r < len; r++) {
      const o = (r0 + r) * d;
      for (let c = 0; c < d; c++) T[c * BLOCK + r] = data[o + c] - mean[c];
    }
    gemmNT(T, d, T, d, BLOCK, G, true);
    for (let i = 0; i < d; i++) {
      const o = i * d;
      for (let j = i; j < d; j++) C[o + j] += G[o + j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = C[i * d + j] / n;
      C[i * d + j] = v;
      C[j * d + i] = v;
    }
  }
  return C;
}

/**
 * Y = (X - shift) * M' (+ offset), i.e. y_r = M (x_r - shift) + offset for every row, with M given
 * row-major as out x d in float64. Computed in float64 tiles of rows; the result is float32.
 */
export function applyAffine(X: Matrix, M: Float64Array, out: number, shift?: Float64Array, offset?: Float64Array): Matrix {
  const { data, rows: n, cols: d } = X;
  const res = new Float32Array(n * out);
  const ROWS = 64;
  const A = new Float64Array(ROWS * d);
  const Y = new Float64Array(ROWS * out);
  for (let r0 = 0; r0 < n; r0 += ROWS) {
    const len = Math.min(ROWS, n - r0);
    for (let r = 0; r < len; r++) {
      const o = (r0 + r) * d;
      const a = r * d;
      if (shift) for (let c = 0; c < d; c++) A[a + c] = data[o + c] - shift[c];
      else for (let c = 0; c < d; c++) A[a + c] = data[o + c];
    }
    gemmNT(A, len, M, out, d, Y);
    for (let r = 0; r < len; r++) {
      const o = (r0 + r) * out;
      const y = r * out;
      if (offset) for (let j = 0; j < out; j++) res[o + j] = Y[y + j] + offset[j];
      else for (let j = 0; j < out; j++) res[o + j] = Y[y + j];
    }
  }
  return { data: res, rows: n, cols: out };
}
