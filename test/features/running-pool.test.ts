/**
 * One recording's window activations (or frames) arriving in blocks give exactly the vector that
 * pooling (or the baseline statistics) of all of them at once gives: the running versions are what
 * lets a recording of any length be encoded holding one block.
 */
import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/compute/matrix.ts';
import { poolWindows, RunningPool, type PoolMethod } from '../../src/features/pooling.ts';
import { recordingStats, RunningStats } from '../../src/features/recording-stats.ts';
import { noise } from '../audio/signals.ts';

/** Rows [a, b) of M (a view). */
const rowsOf = (M: Matrix, a: number, b: number): Matrix => ({ data: M.data.subarray(a * M.cols, b * M.cols), rows: b - a, cols: M.cols });

/** M fed to `add` in blocks of `size` rows. */
function feed(M: Matrix, size: number, add: (b: Matrix) => void): void {
  for (let a = 0; a < M.rows; a += size) add(rowsOf(M, a, Math.min(M.rows, a + size)));
}

describe('RunningPool', () => {
  it('equals poolWindows exactly for every method, number of segments and block size, also with fewer windows than segments', () => {
    let checked = 0;
    for (const n of [1, 2, 3, 5, 17, 100]) {
      const H: Matrix = { data: noise(n * 4, n), rows: n, cols: 4 };
      for (const method of ['mean', 'max', 'meanmax'] as PoolMethod[]) {
        for (const segments of [1, 3, 4, 7]) {
          const whole = Array.from(poolWindows(H, { method, segments }));
          for (const size of [1, 2, 3, 7, n]) {
            const p = new RunningPool(4, n, { method, segments });
            feed(H, size, (b) => p.add(b));
            expect(Array.from(p.finish())).toEqual(whole);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(6 * 3 * 4 * 5);
  });

  it('refuses to finish before every announced window arrived, and refuses more', () => {
    const H: Matrix = { data: noise(20, 1), rows: 5, cols: 4 };
    const p = new RunningPool(4, 6, { method: 'mean' });
    p.add(H);
    expect(() => p.finish()).toThrow(/5 windows arrived, 6 were announced/);
    expect(() => p.add(H)).toThrow(/more than the 6 windows/);
  });
});

describe('RunningStats', () => {
  it('equals recordingStats exactly, for any block size, also with fewer frames than segments', () => {
    for (const n of [1, 2, 4, 50, 301]) {
      const S: Matrix = { data: noise(n * 6, n + 7), rows: n, cols: 6 };
      const whole = Array.from(recordingStats([S]).data);
      for (const size of [1, 2, 5, 64, n]) {
        const s = new RunningStats(6, n);
        feed(S, size, (b) => s.add(b));
        expect(Array.from(s.finish())).toEqual(whole);
      }
    }
  });
});
