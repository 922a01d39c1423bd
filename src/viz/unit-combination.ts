/**
 * A unit of a higher layer drawn in the input space as the combination of the lower-layer units
 * it weights most: for unit j with weights w (one per lower unit) and lower-unit pictures F (one
 * row each, in the input space), the picture is sum over the m largest |w_i| of w_i F_i. Keeping
 * only the strongest few says what the unit is mostly made of, instead of a sum of everything
 * that reads as noise.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';

export interface UnitCombination {
  /** One row per higher unit, in the input space of F (same columns as F). */
  pictures: Matrix;
  /** For each higher unit, the lower units used, strongest |weight| first, with their weights. */
  parts: { unit: number; weight: number }[][];
}

/** W: higher units x lower units; F: lower units x input dims. */
export function strongestCombination(W: Matrix, F: Matrix, m: number): UnitCombination {
  if (W.cols !== F.rows) throw new Error(`unit combination: ${W.cols} weights per unit but ${F.rows} lower-unit pictures`);
  const k = Math.max(1, Math.min(m, W.cols));
  const pictures = matrix(W.rows, F.cols);
  const parts: UnitCombination['parts'] = [];
  for (let j = 0; j < W.rows; j++) {
    const w = W.data.subarray(j * W.cols, (j + 1) * W.cols);
    const order = Array.from({ length: W.cols }, (_, i) => i).sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b).slice(0, k);
    parts.push(order.map((i) => ({ unit: i, weight: w[i] })));
    const out = pictures.data.subarray(j * F.cols, (j + 1) * F.cols);
    for (const i of order) for (let c = 0; c < F.cols; c++) out[c] += w[i] * F.data[i * F.cols + c];
  }
  return { pictures, parts };
}
