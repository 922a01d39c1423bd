import { describe, expect, it } from 'vitest';
import { argmax, argmaxRows } from '../../src/compute/matrix.ts';

describe('argmax, the one index-of-the-largest', () => {
  it('gives the first of equal largest values, counted from start', () => {
    expect(argmax([0.1, 0.7, 0.2])).toBe(1);
    expect(argmax([0.5, 0.5, 0.1])).toBe(0);
    expect(argmax([-3, -1, -2])).toBe(1);
    expect(argmax([9, 1, 5, 2, 9], 1, 4)).toBe(1);
  });

  it('argmaxRows is argmax over each row', () => {
    const data = Float32Array.from([1, 3, 2, 7, 7, 0, -1, -2, -0.5]);
    expect(Array.from(argmaxRows(data, 3, 3))).toEqual([1, 0, 2]);
  });
});
