/**
 * A dense row-major matrix of float32 values: `rows` examples (or frames) by `cols` dimensions.
 * This is the currency between stages (spectra, window vectors, whitened data, features):
 * element (i, j) is data[i * cols + j].
 */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export function matrix(rows: number, cols: number, data?: Float32Array): Matrix {
  const d = data ?? new Float32Array(rows * cols);
  if (d.length !== rows * cols) {
    throw new Error(`matrix: data has ${d.length} values, expected ${rows} x ${cols} = ${rows * cols}`);
  }
  return { data: d, rows, cols };
}

/**
 * The transpose (cols x rows) of a row-major rows x cols matrix, as float32, or float64 when given
 * Float64Array: a weight matrix stored out x in becomes in x out for a product on the right.
 */
export function transposed(M: ArrayLike<number>, rows: number, cols: number): Float32Array;
export function transposed(M: ArrayLike<number>, rows: number, cols: number, type: Float64ArrayConstructor): Float64Array;
export function transposed(M: ArrayLike<number>, rows: number, cols: number, type: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): Float32Array | Float64Array {
  const T = new type(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) T[c * rows + r] = M[r * cols + c];
  return T;
}

/** The arrays end to end in a new one, float32, or float64 when given Float64Array. */
export function concatenated(parts: readonly ArrayLike<number>[]): Float32Array;
export function concatenated(parts: readonly ArrayLike<number>[], type: Float64ArrayConstructor): Float64Array;
export function concatenated(parts: readonly ArrayLike<number>[], type: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): Float32Array | Float64Array {
  const out = new type(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Index of the largest of values[start..end), counted from start (the first one on ties). The one
 * argmax of the project: argmaxRows, the browser page and the unit pictures all use it.
 */
export function argmax(values: ArrayLike<number>, start = 0, end = values.length): number {
  let best = start;
  for (let j = start + 1; j < end; j++) if (values[j] > values[best]) best = j;
  return best - start;
}

/** Index of the largest value in each row (the first one on ties). */
export function argmaxRows(data: Float32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) out[i] = argmax(data, i * cols, (i + 1) * cols);
  return out;
}
