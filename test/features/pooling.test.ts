import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/compute/matrix.ts';
import { pooledWidth, poolRecordings, poolWindows, rangesFromCounts } from '../../src/features/pooling.ts';
import { SflError } from '../../src/util/errors.ts';

// 4 windows x 2 hidden units.
const H = matrix(4, 2, Float32Array.from([
  1, 8,
  3, 6,
  5, 4,
  7, 2,
]));

describe('pooling over time', () => {
  it('mean, max and meanmax of one recording', () => {
    expect([...poolWindows(H, { method: 'mean' })]).toEqual([4, 5]);
    expect([...poolWindows(H, { method: 'max' })]).toEqual([7, 8]);
    expect([...poolWindows(H, { method: 'meanmax' })]).toEqual([4, 5, 7, 8]);
    expect([...poolWindows(H)]).toEqual([4, 5]); // default mean
  });

  it('segments pool consecutive equal parts and concatenate them in time order', () => {
    // 2 segments: rows 0-1 and rows 2-3.
    expect([...poolWindows(H, { method: 'mean', segments: 2 })]).toEqual([2, 7, 6, 3]);
    expect([...poolWindows(H, { method: 'meanmax', segments: 2 })]).toEqual([2, 7, 3, 8, 6, 3, 7, 4]);
    // 3 segments of 4 windows: [0,1), [1,2), [2,4).
    expect([...poolWindows(H, { method: 'max', segments: 3 })]).toEqual([1, 8, 3, 6, 7, 4]);
    expect(pooledWidth(2, { method: 'meanmax', segments: 3 })).toBe(12);
  });

  it('a recording shorter than the number of segments shares windows instead of leaving gaps', () => {
    const two = matrix(2, 1, Float32Array.from([10, 20]));
    // 3 segments over 2 windows: floor(0)=0, floor(2/3)=0, floor(4/3)=1.
    expect([...poolWindows(two, { method: 'mean', segments: 3 })]).toEqual([10, 10, 20]);
    const one = matrix(1, 1, Float32Array.from([5]));
    expect([...poolWindows(one, { method: 'meanmax', segments: 2 })]).toEqual([5, 5, 5, 5]);
  });

  it('many recordings: a list of matrices or one big matrix with row ranges give the same rows', () => {
    const a = matrix(3, 2, H.data.slice(0, 6));
    const b = matrix(1, 2, H.data.slice(6, 8));
    const fromList = poolRecordings([a, b], { method: 'meanmax' });
    const fromRanges = poolRecordings(H, rangesFromCounts([3, 1]), { method: 'meanmax' });
    expect(fromList.rows).toBe(2);
    expect(fromList.cols).toBe(4);
    expect([...fromList.data]).toEqual([3, 6, 5, 8, 7, 2, 7, 2]);
    expect([...fromRanges.data]).toEqual([...fromList.data]);
    // ranges may be in any order
    const reversed = poolRecordings(H, [{ start: 3, end: 4 }, { start: 0, end: 3 }], { method: 'mean' });
    expect([...reversed.data]).toEqual([7, 2, 3, 6]);
  });

  it('negative activations: max is not clamped at zero', () => {
    const neg = matrix(2, 1, Float32Array.from([-3, -1]));
    expect([...poolWindows(neg, { method: 'max' })]).toEqual([-1]);
  });

  it('explains bad input in sentences', () => {
    expect(() => poolWindows(matrix(0, 2))).toThrow(/no windows/);
    expect(() => poolWindows(H, { segments: 0 })).toThrow(SflError);
    expect(() => poolWindows(H, { method: 'median' as never })).toThrow(/unknown method/);
    expect(() => poolRecordings(H, [{ start: 2, end: 6 }])).toThrow(/row range \[2, 6\)/);
    expect(() => poolRecordings(H, [{ start: 2, end: 2 }])).toThrow(SflError);
    expect(() => poolRecordings([H, matrix(1, 3)])).toThrow(/3 hidden units/);
    expect(() => poolWindows(matrix(1, 2, Float32Array.from([1, NaN])))).toThrow(/NaN/);
  });
});
