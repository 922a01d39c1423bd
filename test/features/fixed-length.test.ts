import { describe, expect, it } from 'vitest';
import { fixFrames, fixFramesOfBlocks, loudestSegmentStart } from '../../src/features/fixed-length.ts';
import { blocksOfMatrix } from '../../src/data/row-blocks.ts';
import { noise } from '../audio/signals.ts';
import type { Matrix } from '../../src/compute/matrix.ts';

/** A frames x 2 spectrogram whose frame t holds [v[t], v[t]]. */
const spec = (v: number[]): Matrix => ({ data: Float32Array.from(v.flatMap((x) => [x, x])), rows: v.length, cols: 2 });
const column = (m: Matrix) => Array.from({ length: m.rows }, (_, t) => m.data[t * m.cols]);

describe('fixed-length spectrograms', () => {
  it('keeps the loudest stretch of a longer recording', () => {
    const s = spec([-9, -9, -1, 1, 2, 0, -9, -9]);
    expect(loudestSegmentStart(s, 3)).toBe(3); // 1 + 2 + 0 beats -1 + 1 + 2
    expect(column(fixFrames(s, 3, [0, 0]))).toEqual([1, 2, 0]);
    expect(loudestSegmentStart(spec([5, 1, 1, 1]), 2)).toBe(0);
    expect(loudestSegmentStart(spec([1, 1, 1, 5]), 2)).toBe(2);
  });

  it('on a tie keeps the first stretch', () => {
    expect(loudestSegmentStart(spec([1, 2, 1, 2, 1]), 2)).toBe(0);
  });

  it('centres a shorter recording and pads each band with its own value (an odd frame after)', () => {
    const s: Matrix = { data: Float32Array.from([1, 10, 2, 20]), rows: 2, cols: 2 };
    const f = fixFrames(s, 5, [-1, -2]);
    expect(f.rows).toBe(5);
    expect(Array.from(f.data)).toEqual([-1, -2, 1, 10, 2, 20, -1, -2, -1, -2]);
  });

  it('returns an equal-length recording unchanged, as a copy', () => {
    const s = spec([3, 4, 5]);
    const f = fixFrames(s, 3, [0, 0]);
    expect(Array.from(f.data)).toEqual(Array.from(s.data));
    expect(f.data).not.toBe(s.data);
  });

  it('says what is wrong with its arguments', () => {
    expect(() => fixFrames(spec([1]), 0, [0, 0])).toThrow(/positive integer/);
    expect(() => fixFrames(spec([1]), 2, [0])).toThrow(/1 padding values for 2 bands/);
  });
});

describe('fixed-length spectrograms read in blocks (a long recording, never whole)', () => {
  it('keep exactly the stretch fixFrames keeps, for any block size, with two reads', async () => {
    for (const [rows, frames] of [[1000, 30], [257, 256], [40, 40], [20, 33], [500, 1]] as const) {
      const S: Matrix = { data: noise(rows * 5, rows + frames), rows, cols: 5 };
      const pad = [0.1, 0.2, 0.3, 0.4, 0.5];
      const want = Array.from(fixFrames(S, frames, pad).data);
      for (const block of [1, 7, 29, 1000]) {
        let reads = 0;
        const got = await fixFramesOfBlocks(async () => (reads++, blocksOfMatrix(S, block)), frames, pad);
        expect(Array.from(got.data)).toEqual(want);
        expect(reads).toBe(rows > frames ? 2 : 1);
      }
    }
  });
});
