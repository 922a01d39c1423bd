import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { allWindows, sampleWindows, slidingWindows, windowCount, windowIndex, windowLayout } from '../../src/features/sampler.ts';

/** Spectrogram whose value encodes (recording, frame, band): rec * 10000 + frame * 10 + band. */
function spec(rec: number, frames: number, bands: number): Matrix {
  const m = matrix(frames, bands);
  for (let t = 0; t < frames; t++) for (let b = 0; b < bands; b++) m.data[t * bands + b] = rec * 10000 + t * 10 + b;
  return m;
}

/** Decodes a window row back to (recording, start frame), checking it is K consecutive frames in the layout. */
function decode(row: Float32Array, K: number, bands: number): { rec: number; start: number } {
  const rec = Math.floor(row[0] / 10000);
  const start = Math.floor((row[0] - rec * 10000) / 10);
  for (let t = 0; t < K; t++) for (let b = 0; b < bands; b++) {
    expect(row[windowIndex(t, b, bands)]).toBe(rec * 10000 + (start + t) * 10 + b);
  }
  return { rec, start };
}

describe('window layout', () => {
  it('is time-major: index = t * bands + b', () => {
    expect(windowLayout.order).toBe('time-major');
    expect(windowIndex(0, 0, 40)).toBe(0);
    expect(windowIndex(0, 39, 40)).toBe(39);
    expect(windowIndex(1, 0, 40)).toBe(40);
    expect(windowIndex(3, 5, 40)).toBe(125);
  });

  it('counts windows', () => {
    expect(windowCount(10, 4)).toBe(7);
    expect(windowCount(3, 4)).toBe(0);
    expect(windowCount(4, 4)).toBe(1);
    expect(windowCount(10, 4, 3)).toBe(3);
  });
});

describe('slidingWindows', () => {
  it('returns every window of one recording in order', () => {
    const w = slidingWindows(spec(2, 9, 3), 4);
    expect([w.rows, w.cols]).toEqual([6, 12]);
    for (let i = 0; i < w.rows; i++) expect(decode(w.data.subarray(i * 12, i * 12 + 12), 4, 3)).toEqual({ rec: 2, start: i });
  });

  it('honours the hop and returns no rows for a short recording', () => {
    const w = slidingWindows(spec(0, 10, 2), 4, 3);
    expect(w.rows).toBe(3);
    expect(decode(w.data.subarray(2 * 8, 3 * 8), 4, 2).start).toBe(6);
    expect(slidingWindows(spec(0, 3, 2), 4).rows).toBe(0);
    expect(() => slidingWindows(spec(0, 10, 2), 4, 0)).toThrow(/hop/);
  });
});

describe('allWindows', () => {
  it('stacks recordings and gives each one its row range (empty when shorter than K)', () => {
    const { windows, ranges } = allWindows([spec(0, 5, 2), spec(1, 2, 2), spec(2, 6, 2)], 4);
    expect(ranges).toEqual([{ start: 0, end: 2 }, { start: 2, end: 2 }, { start: 2, end: 5 }]);
    expect(windows.rows).toBe(5);
    for (let i = 0; i < 5; i++) {
      const { rec, start } = decode(windows.data.subarray(i * 8, i * 8 + 8), 4, 2);
      expect(rec).toBe(i < 2 ? 0 : 2);
      expect(start).toBe(i < 2 ? i : i - 2);
    }
  });
});

describe('sampleWindows', () => {
  it('draws valid windows, every window equally likely', () => {
    // Recording 0 has 10 windows of 4 frames, recording 1 has 1, recording 2 (3 frames) none.
    const specs = [spec(0, 13, 3), spec(1, 4, 3), spec(2, 3, 3)];
    const count = 22000;
    const X = sampleWindows(specs, { count, frames: 4, seed: 7 });
    expect([X.rows, X.cols]).toEqual([count, 12]);
    const hits = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const row = X.data.subarray(i * 12, i * 12 + 12);
      const rec = Math.floor(row[0] / 10000);
      const start = Math.floor((row[0] - rec * 10000) / 10);
      if (i < 200) decode(row, 4, 3);
      hits.set(`${rec}:${start}`, (hits.get(`${rec}:${start}`) ?? 0) + 1);
    }
    expect(hits.size).toBe(11);
    expect([...hits.keys()].some((k) => k.startsWith('2:'))).toBe(false);
    // 11 windows, 2000 expected draws each; binomial std ~43.
    for (const n of hits.values()) expect(Math.abs(n - 2000)).toBeLessThan(250);
  });

  it('is reproducible from a seed and accepts a generator', () => {
    const specs = [spec(0, 20, 4), spec(1, 30, 4)];
    const a = sampleWindows(specs, { count: 50, seed: 3 });
    const b = sampleWindows(specs, { count: 50, seed: 3 });
    const c = sampleWindows(specs, { count: 50, seed: mulberry32(3) });
    const d = sampleWindows(specs, { count: 50, seed: 4 });
    expect(a.cols).toBe(16); // default K = 4
    expect(b.data).toEqual(a.data);
    expect(c.data).toEqual(a.data);
    expect(d.data).not.toEqual(a.data);
  });

  it('draws the same windows for a seed as it always has (the draw is pinned, not only repeatable)', () => {
    // Windows per recording: 3, 6, none (2 frames), 1. Each value is rec * 10000 + start frame * 10.
    const specs = [spec(0, 6, 1), spec(1, 9, 1), spec(2, 2, 1), spec(3, 4, 1)];
    const X = sampleWindows(specs, { count: 8, frames: 4, seed: 5 });
    expect(Array.from({ length: 8 }, (_, r) => X.data[r * 4])).toEqual([10030, 10040, 20, 10030, 0, 10020, 10040, 10010]);
  });

  it('fails with a sentence when nothing can be drawn or bands disagree', () => {
    expect(() => sampleWindows([spec(0, 3, 2), spec(1, 2, 2)], { count: 5, frames: 4 })).toThrow(/no recording has 4 frames \(the longest has 3\)/);
    expect(() => sampleWindows([spec(0, 8, 2), spec(1, 8, 3)], { count: 5 })).toThrow(/spectrogram 1 has 3 bands but spectrogram 0 has 2/);
    expect(() => sampleWindows([], { count: 5 })).toThrow(/no spectrograms/);
    expect(() => sampleWindows([spec(0, 8, 2)], { count: 5, frames: 0 })).toThrow(/positive integer/);
  });
});
