import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { WindowReservoir, type SamplingPolicy } from '../../src/features/sampler.ts';

/** A spectrogram of `frames` x `bands` whose every value says (recording id, frame). */
function spec(id: number, frames: number, bands = 2): Matrix {
  const m = matrix(frames, bands);
  for (let t = 0; t < frames; t++) for (let b = 0; b < bands; b++) m.data[t * bands + b] = id * 1e4 + t;
  return m;
}

function shares(policy: SamplingPolicy, lengths: number[], count = 30000, seed = 1): number[] {
  const r = new WindowReservoir({ count, frames: 3, bands: 2, policy, seed });
  lengths.forEach((n, i) => r.offer(spec(i, n)));
  r.result();
  return r.countsPerRecording().map((c) => c / count);
}

describe('WindowReservoir', () => {
  it('balanced: every recording an equal share, whatever its length', () => {
    // 5, 50 and 500 windows of 3 frames.
    const s = shares('balanced', [7, 52, 502]);
    for (const x of s) expect(x).toBeCloseTo(1 / 3, 1);
    expect(Math.max(...s) - Math.min(...s)).toBeLessThan(0.03);
  });

  it('duration: every window an equal chance, so shares follow the lengths', () => {
    const s = shares('duration', [7, 52, 502]);
    [5 / 555, 50 / 555, 500 / 555].forEach((want, i) => expect(Math.abs(s[i] - want)).toBeLessThan(0.01));
  });

  it('keeps whole, consecutive windows of the right recording, the same ones for the same seed', () => {
    const run = (seed: number) => {
      const r = new WindowReservoir({ count: 200, frames: 3, bands: 2, policy: 'balanced', seed });
      [10, 4, 2, 30].forEach((n, i) => r.offer(spec(i, n)));
      return r;
    };
    const r = run(5);
    const X = r.result();
    for (let row = 0; row < X.rows; row++) {
      const id = r.sourceOf[row];
      const t0 = X.data[row * 6] - id * 1e4;
      expect(Array.from(X.data.subarray(row * 6, row * 6 + 6))).toEqual([0, 0, 1, 1, 2, 2].map((k) => id * 1e4 + t0 + k));
    }
    // The recording of 2 frames is too short for a window of 3 and gives none.
    expect(r.countsPerRecording()[2]).toBe(0);
    expect(Array.from(run(5).result().data)).toEqual(Array.from(X.data));
    expect(Array.from(run(6).result().data)).not.toEqual(Array.from(X.data));
  });

  it('names a dominating recording, and refuses when no recording is long enough', () => {
    const r = new WindowReservoir({ count: 1000, frames: 3, bands: 2, policy: 'duration', seed: 1 });
    [5, 5, 2000].forEach((n, i) => r.offer(spec(i, n)));
    expect(r.dominant()).toMatchObject({ index: 2 });
    expect(r.dominant()!.share).toBeGreaterThan(0.9);
    const short = new WindowReservoir({ count: 10, frames: 3, bands: 2, policy: 'balanced', seed: 1 });
    short.offer(spec(0, 2));
    expect(() => short.result()).toThrow('no recording has 3 frames (the longest has 2), so no window of 3 frames can be drawn');
  });

  it("its memory does not depend on the number of frames it passes over", () => {
    // In a child with --expose-gc, so memory is measured after collection: the bytes held by
    // array buffers after offering 20 and 4,000 recordings of 1,000 frames x 40 bands (160 KB each,
    // 640 MB passed over in all), each generated, offered and dropped.
    const url = new URL('../../src/features/sampler.ts', import.meta.url).href;
    const script = `
      const { WindowReservoir } = await import(${JSON.stringify(url)});
      // Collected a few times with pauses: array buffers are freed when the collector finalises them.
      const settle = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); } };
      const held = (n) => {
        const r = new WindowReservoir({ count: 5000, frames: 4, bands: 40, policy: 'balanced', seed: 1 });
        for (let i = 0; i < n; i++) r.offer({ data: new Float32Array(1000 * 40).fill(i), rows: 1000, cols: 40 });
        r.result();
        return r;
      };
      await settle();
      const base = process.memoryUsage().arrayBuffers;
      const small = held(20);
      await settle();
      const afterSmall = process.memoryUsage().arrayBuffers;
      const large = held(4000);
      await settle();
      const afterLarge = process.memoryUsage().arrayBuffers;
      console.log(JSON.stringify({ small: afterSmall - base, large: afterLarge - afterSmall, windows: large.windows.data.byteLength, n: small.recordings + large.recordings }));
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { small, large, windows, n } = JSON.parse(r.stdout);
    expect(n).toBe(4020);
    expect(windows).toBe(5000 * 160 * 4);
    // What each reservoir holds: its 3.2 MB of windows and 20 kB of indexes, the same after 20
    // recordings as after 4,000 (640 MB passed over).
    expect(small).toBeLessThan(windows + 1e5);
    expect(Math.abs(large - small)).toBeLessThan(1e5);
  });
});
