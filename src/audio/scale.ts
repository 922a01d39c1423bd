import type { Matrix } from '../compute/matrix.ts';

/**
 * Floor added before taking logs: log(x + LOG_FLOOR). 1e-10 is -230 dB relative to a unit power,
 * far below 16-bit quantisation noise (about -100 dB for a full-scale frame), so it only matters
 * for digital silence, where it keeps the log finite (log(1e-10) = -23.03) instead of -Infinity.
 */
export const LOG_FLOOR = 1e-10;

/**
 * Natural-log compression in place: m[i] = ln(m[i] + floor).
 * @param m     non-negative spectra (any shape). Overwritten.
 * @param floor additive floor, default LOG_FLOOR (1e-10).
 * @returns m.
 */
export function logInPlace(m: Matrix, floor = LOG_FLOOR): Matrix {
  const d = m.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.log(d[i] + floor);
  return m;
}
