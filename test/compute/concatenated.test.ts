import { describe, expect, it } from 'vitest';
import { concatenated } from '../../src/compute/matrix.ts';

describe('concatenated, the one "arrays end to end"', () => {
  it('joins the parts in order into a new array, float32 by default and float64 when asked', () => {
    const a = Float32Array.of(1, 2);
    const joined = concatenated([a, Float32Array.of(), Float32Array.of(3)]);
    expect(joined).toBeInstanceOf(Float32Array);
    expect(Array.from(joined)).toEqual([1, 2, 3]);
    const one = concatenated([a]);
    expect(one).not.toBe(a); // a copy even of one part
    expect(Array.from(one)).toEqual([1, 2]);
    const f64 = concatenated([Float64Array.of(0.1), [0.2, 0.3]], Float64Array);
    expect(f64).toBeInstanceOf(Float64Array);
    expect(Array.from(f64)).toEqual([0.1, 0.2, 0.3]);
    expect(concatenated([]).length).toBe(0);
  });
});
