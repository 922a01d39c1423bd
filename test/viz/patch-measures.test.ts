import { describe, expect, it } from 'vitest';
import { allPatchMeasures, chooseUnits, patchMeasures } from '../../src/viz/patch-measures.ts';
import { mulberry32, normal } from '../../src/util/random.ts';

const K = 6, B = 20;
/** One patch per function f(t, b), time-major. */
function patches(...fs: ((t: number, b: number) => number)[]) {
  const data = new Float32Array(fs.length * K * B);
  fs.forEach((f, u) => {
    for (let t = 0; t < K; t++) for (let b = 0; b < B; b++) data[u * K * B + t * B + b] = f(t, b);
  });
  return { data, rows: fs.length, cols: K * B };
}
const bump = (d: number) => Math.exp(-(d * d) / 2);

describe('patch measures', () => {
  it('finds a steady tone: its band, no slope, smooth', () => {
    const m = patchMeasures(patches((_t, b) => bump(b - 12) - 0.3), 0, { frames: K, bands: B });
    expect(m.peakBand).toBe(12);
    expect(Math.abs(m.slope)).toBeLessThan(1e-9);
    expect(m.smoothness).toBeGreaterThan(0.5);
  });

  it('measures a ridge rising 2 bands per frame and one falling 1 band per frame, in bands and octaves', () => {
    // Band centres an octave apart every 4 bands: 1 band = 1/4 octave; frames 10 ms apart.
    const bandHz = Array.from({ length: B }, (_, b) => 100 * 2 ** (b / 4));
    const P = patches((t, b) => bump(b - (3 + 2 * t)), (t, b) => bump(b - (15 - t)));
    const [up, down] = allPatchMeasures(P, { frames: K, bands: B, bandHz, frameMs: 10 });
    expect(up.slope).toBeCloseTo(2, 6);
    expect(down.slope).toBeCloseTo(-1, 6);
    expect(up.octavesPerSecond).toBeCloseTo((2 / 4) / 0.01, 6);
    expect(down.octavesPerSecond).toBeCloseTo(-(1 / 4) / 0.01, 6);
  });

  it('uses the positive part for the peak: a deep blue band does not move the unit', () => {
    const m = patchMeasures(patches((_t, b) => (b === 15 ? 0.6 : 0) - (b === 4 ? 3 : 0)), 0, { frames: K, bands: B });
    expect(m.peakBand).toBe(15);
  });

  it('tells static from shapes: white noise scores near 0, a checkerboard below 0', () => {
    const rng = mulberry32(3);
    const [noise, checker] = allPatchMeasures(patches(() => normal(rng), (t, b) => ((t + b) % 2 ? 1 : -1)), { frames: K, bands: B });
    expect(Math.abs(noise.smoothness)).toBeLessThan(0.2);
    expect(checker.smoothness).toBeLessThan(-0.9);
  });

  it('orders units by peak frequency then time, and --top keeps the strongest', () => {
    const P = patches(
      (t, b) => (b === 9 && t === 4 ? 1 : 0),
      (t, b) => (b === 2 && t === 1 ? 3 : 0),
      (t, b) => (b === 9 && t === 0 ? 2 : 0),
      (t, b) => (b === 5 && t === 0 ? 0.5 : 0),
    );
    const m = allPatchMeasures(P, { frames: K, bands: B });
    expect(chooseUnits(m, 'frequency')).toEqual([1, 3, 2, 0]);
    expect(chooseUnits(m, 'time')).toEqual([3, 2, 1, 0]);
    expect(chooseUnits(m, 'strength')).toEqual([1, 2, 0, 3]);
    expect(chooseUnits(m, 'index')).toEqual([0, 1, 2, 3]);
    expect(chooseUnits(m, 'frequency', 2)).toEqual([1, 2]);
  });
});
