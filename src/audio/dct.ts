import { matrix, type Matrix } from '../compute/matrix.ts';

const cache = new Map<string, Float64Array>();

/**
 * Orthonormal DCT-II basis, rows k = 0 .. coefficients-1 over n = 0 .. size-1:
 * C[k, n] = s_k cos(pi k (2n + 1) / (2 size)), s_0 = sqrt(1 / size), s_k = sqrt(2 / size),
 * i.e. scipy.fft.dct(type=2, norm='ortho') truncated to the first coefficients.
 * Cached; do not modify.
 */
function dctBasis(size: number, coefficients: number): Float64Array {
  const key = `${size}|${coefficients}`;
  let c = cache.get(key);
  if (c) return c;
  c = new Float64Array(coefficients * size);
  for (let k = 0; k < coefficients; k++) {
    const s = Math.sqrt((k === 0 ? 1 : 2) / size);
    for (let n = 0; n < size; n++) c[k * size + n] = s * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * size));
  }
  cache.set(key, c);
  return c;
}

/**
 * Orthonormal DCT-II of every row, keeping the first `coefficients` outputs. A direct
 * coefficients x size product: for 13 x 40 per frame this beats an FFT-based DCT.
 * @param m (frames, size).
 * @param coefficients number of outputs per row, 1 .. size.
 * @returns (frames, coefficients).
 */
export function dctRows(m: Matrix, coefficients: number): Matrix {
  const size = m.cols;
  const basis = dctBasis(size, coefficients);
  const out = matrix(m.rows, coefficients);
  for (let t = 0; t < m.rows; t++) {
    const row = t * size;
    for (let k = 0; k < coefficients; k++) {
      let acc = 0;
      const b = k * size;
      for (let n = 0; n < size; n++) acc += basis[b + n] * m.data[row + n];
      out.data[t * coefficients + k] = acc;
    }
  }
  return out;
}
