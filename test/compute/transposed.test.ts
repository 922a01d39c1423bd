import { describe, expect, it } from 'vitest';
import { transposed } from '../../src/compute/matrix.ts';

describe('transposed, the one transpose of a row-major matrix', () => {
  it('turns rows x cols into cols x rows, float32 by default and float64 when asked', () => {
    // 2 x 3: [[1, 2, 3], [4, 5, 6]] -> 3 x 2: [[1, 4], [2, 5], [3, 6]].
    const f32 = transposed([1, 2, 3, 4, 5, 6], 2, 3);
    expect(f32).toBeInstanceOf(Float32Array);
    expect(Array.from(f32)).toEqual([1, 4, 2, 5, 3, 6]);
    const f64 = transposed(Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), 3, 2, Float64Array);
    expect(f64).toBeInstanceOf(Float64Array);
    expect(Array.from(f64)).toEqual([0.1, 0.3, 0.5, 0.2, 0.4, 0.6]);
  });
});
