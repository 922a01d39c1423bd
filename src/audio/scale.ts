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

export type LogScale = 'ln' | 'db';
export const LOG_SCALES: readonly LogScale[] = ['ln', 'db'];

/** Smallest power taken to decibels: 1e-10 = -100 dB (librosa.power_to_db's amin). */
export const DB_AMIN = 1e-10;

/**
 * Power to decibels in place, as librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=topDb):
 * m[i] = 10 log10(max(m[i], 1e-10)); then, if topDb is not null, every value is raised to at
 * least max(m) - topDb, the maximum taken over the whole matrix (one recording).
 * @param m     non-negative power spectra (any shape). Overwritten.
 * @param topDb dynamic range kept below the loudest value, dB (>= 0), or null.
 * @returns m.
 */
export function decibelsInPlace(m: Matrix, topDb: number | null): Matrix {
  const d = m.data;
  for (let i = 0; i < d.length; i++) d[i] = 10 * Math.log10(Math.max(d[i], DB_AMIN));
  return topDb == null ? m : topDbFloorInPlace(m, topDb);
}

/**
 * The top_db floor of librosa.power_to_db on values already in dB: every value raised to at least
 * max(m) - topDb, the maximum taken over the whole matrix (one recording).
 */
export function topDbFloorInPlace(m: Matrix, topDb: number): Matrix {
  const d = m.data;
  if (d.length === 0) return m;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) if (d[i] > max) max = d[i];
  const floor = max - topDb;
  for (let i = 0; i < d.length; i++) if (d[i] < floor) d[i] = floor;
  return m;
}
