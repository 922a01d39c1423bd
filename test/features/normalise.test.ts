import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { fillNormal, mulberry32 } from '../../src/util/random.ts';
import { Rescale01, Standardiser, removeExampleMean, standardiseByGroup } from '../../src/features/normalise.ts';

function randn(rows: number, cols: number, seed: number, scale = 1, shift = 0): Matrix {
  const m = matrix(rows, cols);
  fillNormal(mulberry32(seed), m.data, shift, scale);
  return m;
}

function colStats(X: Matrix): { mean: number[]; std: number[] } {
  const mean = new Array(X.cols).fill(0), std = new Array(X.cols).fill(0);
  for (let r = 0; r < X.rows; r++) for (let c = 0; c < X.cols; c++) mean[c] += X.data[r * X.cols + c] / X.rows;
  for (let r = 0; r < X.rows; r++) for (let c = 0; c < X.cols; c++) std[c] += (X.data[r * X.cols + c] - mean[c]) ** 2 / X.rows;
  return { mean, std: std.map(Math.sqrt) };
}

describe('removeExampleMean', () => {
  it('gives every row mean zero and keeps differences', () => {
    const X = matrix(2, 3, Float32Array.from([1, 2, 6, -1, -1, -1]));
    expect(Array.from(removeExampleMean(X).data)).toEqual([-2, -1, 3, 0, 0, 0]);
    expect(Array.from(X.data)).toEqual([1, 2, 6, -1, -1, -1]);
  });
});

describe('Standardiser', () => {
  it('gives zero mean, unit std on training data and floors constant dimensions', () => {
    const X = randn(500, 4, 1, 3, 5);
    for (let r = 0; r < X.rows; r++) X.data[r * 4 + 2] = 7; // constant column
    const s = new Standardiser().fit(X);
    expect(s.std_![2]).toBe(1e-6);
    const { mean, std } = colStats(s.transform(X));
    for (const c of [0, 1, 3]) {
      expect(Math.abs(mean[c])).toBeLessThan(1e-5);
      expect(Math.abs(std[c] - 1)).toBeLessThan(1e-5);
    }
    expect(mean[2]).toBe(0);
  });

  it('transforms new data with the training statistics, inverts, and round-trips JSON', () => {
    const train = randn(300, 3, 2, 2, 1);
    const s = new Standardiser().fit(train);
    const test = matrix(1, 3, Float32Array.from([s.mean_![0], s.mean_![1] + s.std_![1], s.mean_![2] - 2 * s.std_![2]]));
    const z = s.transform(test);
    expect(Array.from(z.data).map((v) => +v.toFixed(4) + 0)).toEqual([0, 1, -2]);
    const back = s.inverseTransform(z);
    for (let i = 0; i < 3; i++) expect(back.data[i]).toBeCloseTo(test.data[i], 4);
    const s2 = Standardiser.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(s2.transform(test).data).toEqual(z.data);
  });

  it('fails with a sentence', () => {
    expect(() => new Standardiser().transform(randn(2, 2, 1))).toThrow(/not fitted/);
    const s = new Standardiser().fit(randn(10, 3, 1));
    expect(() => s.transform(randn(2, 4, 1))).toThrow(/expected 3 columns/);
    expect(() => Standardiser.fromJSON({ type: 'Whitening' })).toThrow(/not a Standardiser/);
  });
});

describe('Rescale01', () => {
  it('follows normalizeData: example mean removed, +/-3 std truncated, mapped to [0.1, 0.9]', () => {
    const X = randn(400, 16, 3, 2, 10);
    const r = new Rescale01().fit(X);
    // Reference computed directly.
    const Y = removeExampleMean(X);
    const n = Y.data.length;
    let m = 0; for (const v of Y.data) m += v / n;
    let v2 = 0; for (const v of Y.data) v2 += (v - m) ** 2;
    const pstd = 3 * Math.sqrt(v2 / (n - 1));
    expect(r.scale_).toBeCloseTo(pstd, 4);
    const out = r.transform(X);
    let err = 0, lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const ref = (Math.max(Math.min(Y.data[i], pstd), -pstd) / pstd + 1) * 0.4 + 0.1;
      err = Math.max(err, Math.abs(out.data[i] - ref));
      lo = Math.min(lo, out.data[i]);
      hi = Math.max(hi, out.data[i]);
    }
    expect(err).toBeLessThan(1e-5);
    expect(lo).toBeGreaterThanOrEqual(0.1 - 1e-7);
    expect(hi).toBeLessThanOrEqual(0.9 + 1e-7);
  });

  it('uses the training scale on new data, clips outliers, inverts and round-trips JSON', () => {
    const r = new Rescale01({ removeExampleMean: false }).fit(randn(1000, 4, 4));
    const s = r.scale_;
    const test = matrix(1, 4, Float32Array.from([0, s / 2, 10 * s, -10 * s]));
    const y = r.transform(test);
    expect(Array.from(y.data).map((v) => +v.toFixed(5))).toEqual([0.5, 0.7, 0.9, 0.1]);
    const back = r.inverseTransform(y);
    expect(back.data[1]).toBeCloseTo(s / 2, 4);
    const r2 = Rescale01.fromJSON(JSON.parse(JSON.stringify(r)));
    expect(r2.transform(test).data).toEqual(y.data);
    expect(() => new Rescale01({ low: 1, high: 0 })).toThrow(/low < high/);
  });
});

describe('standardiseByGroup', () => {
  it("standardises each group's rows with that group's own statistics, leaving row order alone", () => {
    // Two speakers, interleaved, with different offsets and scales in every column.
    const a = randn(40, 3, 2, 1, 0), b = randn(60, 3, 3, 5, 10);
    const X = matrix(100, 3);
    const groups: string[] = [];
    let ia = 0, ib = 0;
    for (let r = 0; r < 100; r++) {
      const fromA = r % 5 < 2;
      X.data.set((fromA ? a : b).data.subarray((fromA ? ia++ : ib++) * 3, (fromA ? ia : ib) * 3), r * 3);
      groups.push(fromA ? 'a' : 'b');
    }
    const Z = standardiseByGroup(X, groups);
    for (const g of ['a', 'b']) {
      const rows = groups.flatMap((x, r) => (x === g ? [r] : []));
      const part = matrix(rows.length, 3);
      rows.forEach((r, k) => part.data.set(Z.data.subarray(r * 3, r * 3 + 3), k * 3));
      const { mean, std } = colStats(part);
      mean.forEach((m) => expect(m).toBeCloseTo(0, 5));
      std.forEach((s) => expect(s).toBeCloseTo(1, 4));
    }
    // Row 2 is b's first row: its value is standardised with b's statistics, not a's or everyone's.
    const bStats = colStats(b);
    expect(Z.data[2 * 3]).toBeCloseTo((b.data[0] - bStats.mean[0]) / bStats.std[0], 4);
    expect(() => standardiseByGroup(X, groups.slice(1))).toThrow(/99 group names for 100 rows/);
  });
});

