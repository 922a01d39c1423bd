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
