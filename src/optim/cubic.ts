/**
 * Step-length interpolation for the line searches: the minimiser of the cubic that matches
 * value and slope at two points, clamped to [lo, hi]. This is the two-point case of minFunc's
 * `polyinterp` (Nocedal & Wright eq. 3.59); with bounds outside the two points it extrapolates.
 *
 * When the cubic has no local minimiser (negative discriminant) or the formula degenerates
 * (0/0, e.g. two identical points), the midpoint of [lo, hi] is returned, as minFunc does.
 */
export function cubicMinimizer(
  x1: number, f1: number, g1: number,
  x2: number, f2: number, g2: number,
  lo: number = Math.min(x1, x2),
  hi: number = Math.max(x1, x2),
): number {
  // Order so that (xa, fa, ga) is the point with the smaller x: the formula is written relative
  // to the larger one, and the sign of the square root depends on that order.
  const swap = x1 > x2;
  const xa = swap ? x2 : x1, fa = swap ? f2 : f1, ga = swap ? g2 : g1;
  const xb = swap ? x1 : x2, fb = swap ? f1 : f2, gb = swap ? g1 : g2;
  const d1 = ga + gb - (3 * (fa - fb)) / (xa - xb);
  const disc = d1 * d1 - ga * gb;
  if (disc >= 0) {
    const d2 = Math.sqrt(disc);
    const t = xb - (xb - xa) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
    if (!Number.isNaN(t)) return Math.min(Math.max(t, lo), hi);
  }
  return (lo + hi) / 2;
}
