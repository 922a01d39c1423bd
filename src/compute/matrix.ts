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

/** Index of the largest value in each row (the first one on ties). */
export function argmaxRows(data: Float32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bv = data[i * cols];
    for (let j = 1; j < cols; j++) {
      const v = data[i * cols + j];
      if (v > bv) { bv = v; best = j; }
    }
    out[i] = best;
  }
  return out;
}
