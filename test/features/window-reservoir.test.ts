import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { windowCount, WindowReservoir, type SamplingPolicy } from '../../src/features/sampler.ts';
import { mulberry32 } from '../../src/util/random.ts';

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

/**
 * The reservoir's draw as it was written for whole spectrograms (before recordings were offered
 * in blocks), kept here as the reference the block-wise offer must reproduce window for window.
 */
function referenceDraw(specs: Matrix[], count: number, K: number, policy: SamplingPolicy, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const bands = specs[0].cols;
  const width = K * bands;
  const out = new Float32Array(count * width);
  let total = 0;
  const skip = (logq: number) => {
    const s = Math.floor(Math.log(1 - rng()) / logq);
    return Number.isFinite(s) ? s : Number.MAX_SAFE_INTEGER;
  };
  for (const spec of specs) {
    const n = windowCount(spec.rows, K);
    if (n === 0) continue;
    const weight = policy === 'balanced' ? 1 : n;
    total += weight;
    const p = weight / total;
    const logq = Math.log1p(-p);
    for (let slot = p >= 1 ? 0 : skip(logq); slot < count; slot += p >= 1 ? 1 : 1 + skip(logq)) {
      const start = Math.min(n - 1, Math.floor(rng() * n));
      out.set(spec.data.subarray(start * bands, start * bands + width), slot * width);
    }
  }
  return out;
}

/** Offers `spec` to `r` in blocks of the sizes `sizes` gives in turn (the last block what is left). */
function offerInBlocks(r: WindowReservoir, spec: Matrix, sizes: number[]): number {
  const draw = r.begin(spec.rows, spec.cols);
  for (let at = 0, i = 0; at < spec.rows; i++) {
    const n = Math.min(spec.rows - at, sizes[i % sizes.length]);
    draw.add({ data: spec.data.slice(at * spec.cols, (at + n) * spec.cols), rows: n, cols: spec.cols });
    at += n;
  }
  return draw.commit();
}

describe('WindowReservoir', () => {
  it('offered in blocks of any size, it draws exactly the windows of the whole-spectrogram reference', () => {
    const K = 4;
    const lengths = [3000, 2, 57, 1200, 4, 800];
    const specs = lengths.map((n, i) => spec(i + 1, n, 3));
    for (const policy of ['balanced', 'duration'] as const) {
      const want = referenceDraw(specs, 500, K, policy, 7);
      for (const sizes of [[1], [3], [4], [1000], [7, 1, 250, 2, 4096]]) {
        const r = new WindowReservoir({ count: 500, frames: K, bands: 3, policy, seed: 7 });
        specs.forEach((s) => offerInBlocks(r, s, sizes));
        expect(Array.from(r.result().data), `${policy}, blocks ${sizes}`).toEqual(Array.from(want));
      }
      // offer() of the whole spectrogram is the same draw.
      const whole = new WindowReservoir({ count: 500, frames: K, bands: 3, policy, seed: 7 });
      specs.forEach((s) => whole.offer(s));
      expect(Array.from(whole.result().data)).toEqual(Array.from(want));
    }
  });

  it('a recording abandoned part-way (a bad file) leaves the draw as if it had never been offered', () => {
    const [a, bad, c] = [spec(1, 300), spec(2, 500), spec(3, 200)];
    for (const policy of ['balanced', 'duration'] as const) {
      const r = new WindowReservoir({ count: 400, frames: 3, bands: 2, policy, seed: 3 });
      r.offer(a);
      const draw = r.begin(bad.rows, bad.cols);
      draw.add({ data: bad.data.slice(0, 400 * 2), rows: 400, cols: 2 });
      draw.abort();
      offerInBlocks(r, c, [64]);
      expect(Array.from(r.result().data)).toEqual(Array.from(referenceDraw([a, c], 400, 3, policy, 3)));
      expect(r.countsPerRecording().length).toBe(2);
      // Abandoning the first recording too: the draw starts afresh.
      const first = new WindowReservoir({ count: 50, frames: 3, bands: 2, policy, seed: 3 });
      first.begin(bad.rows, 2).abort();
      first.offer(c);
      expect(Array.from(first.result().data)).toEqual(Array.from(referenceDraw([c], 50, 3, policy, 3)));
    }
    const r = new WindowReservoir({ count: 10, frames: 3, bands: 2, policy: 'balanced', seed: 1 });
    const draw = r.begin(10, 2);
    draw.add(spec(0, 6));
    expect(() => draw.commit()).toThrow('6 of the 10 frames announced arrived');
  });

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

  it('counts the distinct windows of the recordings offered (frames - K + 1 each, none for a short one)', () => {
    const r = new WindowReservoir({ count: 100, frames: 3, bands: 2, policy: 'balanced', seed: 1 });
    r.offer(spec(0, 10));
    offerInBlocks(r, spec(1, 7), [2]);
    r.offer(spec(2, 2));
    expect(r.windowsAvailable).toBe(8 + 5);
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

  it("its memory does not depend on the number of frames it passes over", async () => {
    // In a child with --expose-gc, so memory is measured after collection: the bytes held by
    // array buffers after offering 20 and 4,000 recordings of 1,000 frames x 40 bands (160 KB each,
    // 640 MB passed over in all), each generated, offered and dropped; then the same frames as ONE
    // recording offered block by block.
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
      // One recording of n blocks of 1,000 frames, offered block by block; the peak of the bytes
      // held while it passes, sampled after every 500 blocks.
      const long = async (n) => {
        await settle();
        const start = process.memoryUsage().arrayBuffers;
        const r = new WindowReservoir({ count: 5000, frames: 4, bands: 40, policy: 'balanced', seed: 1 });
        r.offer({ data: new Float32Array(100 * 40), rows: 100, cols: 40 });
        let peak = 0;
        const draw = r.begin(n * 1000);
        for (let i = 0; i < n; i++) {
          draw.add({ data: new Float32Array(1000 * 40).fill(i), rows: 1000, cols: 40 });
          if (i % 500 === 499) { await settle(); peak = Math.max(peak, process.memoryUsage().arrayBuffers - start); }
        }
        draw.commit();
        return peak;
      };
      await settle();
      const base = process.memoryUsage().arrayBuffers;
      const small = held(20);
      await settle();
      const afterSmall = process.memoryUsage().arrayBuffers;
      const large = held(4000);
      await settle();
      const afterLarge = process.memoryUsage().arrayBuffers;
      const longShort = await long(500);
      const longLong = await long(4000);
      console.log(JSON.stringify({ small: afterSmall - base, large: afterLarge - afterSmall, windows: large.windows.data.byteLength, n: small.recordings + large.recordings, longShort, longLong }));
    `;
    // Asynchronously: a child that blocks the test worker for seconds upsets vitest under load.
    const r = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const { small, large, windows, n, longShort, longLong } = JSON.parse(r.stdout);
    expect(n).toBe(4020);
    expect(windows).toBe(5000 * 160 * 4);
    // What each reservoir holds: its 3.2 MB of windows and 20 kB of indexes, the same after 20
    // recordings as after 4,000 (640 MB passed over).
    expect(small).toBeLessThan(windows + 1e5);
    expect(Math.abs(large - small)).toBeLessThan(1e5);
    // One recording of 500,000 and of 4,000,000 frames (80 and 640 MB) offered in blocks, after a
    // short one: while it passes, what is held (the reservoir, the windows staged for it, here
    // half the reservoir's, the carried frames, a block) is the same whatever its length.
    expect(longShort).toBeLessThan(1.5 * windows + 1e6);
    expect(Math.abs(longLong - longShort)).toBeLessThan(3e5);
  });
});
