import { describe, expect, it } from 'vitest';
import { cubicMinimizer } from '../../src/optim/cubic.ts';

describe('cubicMinimizer', () => {
  it('finds the minimiser of a quadratic exactly, whichever point comes first', () => {
    // f = (x - 0.3)^2 sampled at 0 and 1
    expect(cubicMinimizer(0, 0.09, -0.6, 1, 0.49, 1.4)).toBeCloseTo(0.3, 12);
    expect(cubicMinimizer(1, 0.49, 1.4, 0, 0.09, -0.6)).toBeCloseTo(0.3, 12);
  });

  it('finds the local minimiser of a true cubic', () => {
    // f = x^3 - 3x has its local minimum at x = 1; sample at -0.5 and 2
    const f = (x: number) => x ** 3 - 3 * x;
    const g = (x: number) => 3 * x * x - 3;
    expect(cubicMinimizer(-0.5, f(-0.5), g(-0.5), 2, f(2), g(2))).toBeCloseTo(1, 12);
  });

  it('extrapolates within the given bounds', () => {
    // f = (x - 5)^2 sampled at 0 and 1, both descending: minimiser 5, inside [1.01, 10]
    expect(cubicMinimizer(0, 25, -10, 1, 16, -8, 1.01, 10)).toBeCloseTo(5, 12);
    // same data, bounds [1.01, 3]: clamped to the upper bound
    expect(cubicMinimizer(0, 25, -10, 1, 16, -8, 1.01, 3)).toBe(3);
  });

  it('falls back to the midpoint when the cubic has no minimiser or the data degenerate', () => {
    // slope -1 at both ends and a drop of 2/3: the cubic is monotone decreasing (no critical point)
    expect(cubicMinimizer(0, 0, -1, 1, -2 / 3, -1)).toBe(0.5);
    expect(cubicMinimizer(1, 2, 0, 1, 2, 0, 0, 4)).toBe(2);
  });
});
