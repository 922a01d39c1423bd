import { describe, expect, it } from 'vitest';
import { strongestCombination } from '../../src/viz/unit-combination.ts';

describe('strongestCombination', () => {
  it('sums the m most strongly weighted lower pictures, signs kept, and says which they are', () => {
    const F = { data: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), rows: 3, cols: 3 }; // identity: picture i lights input i
    const W = { data: Float32Array.from([0.1, -2, 0.5, 3, 0, 0]), rows: 2, cols: 3 };
    const c = strongestCombination(W, F, 2);
    expect(Array.from(c.pictures.data.subarray(0, 3))).toEqual([0, -2, 0.5]); // 0.1 dropped
    expect(c.parts[0]).toEqual([{ unit: 1, weight: -2 }, { unit: 2, weight: 0.5 }]);
    expect(Array.from(c.pictures.data.subarray(3, 6))).toEqual([3, 0, 0]);
    expect(() => strongestCombination(W, { ...F, rows: 2, data: F.data.subarray(0, 6) }, 2)).toThrow(/3 weights per unit but 2/);
  });
});
