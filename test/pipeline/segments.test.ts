import { describe, expect, it } from 'vitest';
import { secondsAt, segmentRanges, timeDecimals } from '../../src/pipeline/segments.ts';

describe('segmentRanges', () => {
  it('cuts segments of the given length every hop, the last one ending at the end', () => {
    expect(segmentRanges(8000, 8000, 1, 0.5)).toEqual([{ start: 0, end: 8000 }]);
    expect(segmentRanges(20000, 8000, 1, 0.5)).toEqual([
      { start: 0, end: 8000 }, { start: 4000, end: 12000 }, { start: 8000, end: 16000 }, { start: 12000, end: 20000 },
    ]);
    expect(() => segmentRanges(100, 8000, 0, 1)).toThrow(/positive seconds/);
  });

  it('a tail of half the hop or more gets a last full-length segment that ends at the end', () => {
    // 2.25 s at 8 kHz, 1 s segments every 0.5 s: the tail [2.0, 2.25) is half the hop; the last is [1.25, 2.25).
    expect(segmentRanges(18000, 8000, 1, 0.5)).toEqual([
      { start: 0, end: 8000 }, { start: 4000, end: 12000 }, { start: 8000, end: 16000 }, { start: 10000, end: 18000 },
    ]);
    // A recording no longer than a segment stays one segment of its own length.
    expect(segmentRanges(6000, 8000, 1, 0.5)).toEqual([{ start: 0, end: 6000 }]);
  });

  it('a tail shorter than half the hop joins the last segment: a 1.02 s recording is one segment, not 0-1 s and 0.02-1.02 s', () => {
    expect(segmentRanges(8160, 8000, 1, 0.5)).toEqual([{ start: 0, end: 8160 }]);
    // 10.2 s, 1 s every 1 s: ten segments, the last 9-10.2 s (a 0.2 s tail is under half the hop).
    const r = segmentRanges(81600, 8000, 1, 1);
    expect(r).toHaveLength(10);
    expect(r.at(-1)).toEqual({ start: 72000, end: 81600 });
    // 2.24 s every 0.5 s: the 0.24 s tail joins [1, 2) -> [1, 2.24).
    expect(segmentRanges(17920, 8000, 1, 0.5).at(-1)).toEqual({ start: 8000, end: 17920 });
  });

  it('covers every recording from start to end, each segment at least the segment length and under it plus half a hop', () => {
    for (const [length, hop] of [[20001, 0.3], [123457, 0.7], [8001, 1], [8160, 0.5], [44100, 0.25], [30000, 2]] as const) {
      const r = segmentRanges(length, 8000, 1, hop);
      const H = Math.round(hop * 8000);
      expect(r[0].start).toBe(0);
      expect(r.at(-1)!.end).toBe(length);
      for (const s of r) {
        expect(s.end - s.start).toBeGreaterThanOrEqual(8000);
        expect(s.end - s.start).toBeLessThan(8000 + Math.min(H, 8000) / 2);
      }
      // Starts never go back; with a hop up to the segment length nothing between them is left out.
      for (let i = 1; i < r.length; i++) {
        expect(r[i].start).toBeGreaterThan(r[i - 1].start);
        if (H <= 8000) expect(r[i].start).toBeLessThanOrEqual(r[i - 1].end);
      }
    }
  });
});

describe('segment times', () => {
  it('are rounded to the millisecond (finer when the frame hop is under a millisecond), so they print cleanly', () => {
    // 1 s segments every 0.48 s at 22.05 kHz: 0.48 * 2 = 0.96 came out as 0.9600000000000001 from sums of floats.
    expect(secondsAt(22521, 22050, 256)).toBe(1.021);
    expect(secondsAt(Math.round(0.96 * 22050), 22050, 256)).toBe(0.96);
    expect(timeDecimals(8000, 128)).toBe(3);
    expect(timeDecimals(48000, 16)).toBe(4);
    expect(secondsAt(12345, 48000, 16)).toBe(0.2572);
  });
});
