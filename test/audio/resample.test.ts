import { describe, expect, it } from 'vitest';
import { resample } from '../../src/audio/resample.ts';
import { SflError } from '../../src/util/errors.ts';
import { rms, sine, zeroCrossingFrequency } from './signals.ts';

describe('resample', () => {
  it('is an identity copy when the rates match', async () => {
    const x = sine(100, 440, 8000);
    const y = await resample(x, 8000, 8000);
    expect(y).not.toBe(x);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  for (const [from, to, freq] of [[8000, 16000, 440], [44100, 8000, 1000], [16000, 22050, 3000]]) {
    it(`${from} -> ${to} Hz keeps a ${freq} Hz sine's frequency, amplitude and timing`, async () => {
      const seconds = 0.5;
      const x = sine(from * seconds, freq, from, 0.6);
      const y = await resample(x, from, to);
      expect(y.length).toBe(Math.round(x.length * to / from));
      const edge = Math.round(to * 0.02); // the sinc filter rings at the abrupt start and end
      expect(zeroCrossingFrequency(y, to, edge)).toBeCloseTo(freq, 1);
      expect(rms(y, edge, y.length - edge) * Math.SQRT2).toBeCloseTo(0.6, 2);
      // No added delay: the output matches the same sine sampled at the new rate.
      const ideal = sine(y.length, freq, to, 0.6);
      let worst = 0;
      for (let i = edge; i < y.length - edge; i++) worst = Math.max(worst, Math.abs(y[i] - ideal[i]));
      expect(worst).toBeLessThan(1e-3);
    });
  }

  it('removes content above the new Nyquist frequency when downsampling', async () => {
    const x = sine(44100 / 2, 6000, 44100); // above 4 kHz, the Nyquist frequency at 8 kHz
    const y = await resample(x, 44100, 8000);
    expect(rms(y, 200, y.length - 200)).toBeLessThan(1e-3);
  });

  it('returns a long recording whole: 3 minutes at 44.1 kHz -> 16 kHz keeps its sound to the end', async () => {
    // libsamplerate-js chunks inputs over ~1M samples through its `full` API; after a short file
    // had gone through `simple` at the same rates, those calls returned nothing, and the rest was
    // padded with zeros: in a folder, a long file became silence after its first seconds.
    const from = 44100, to = 16000, seconds = 180;
    await resample(sine(from, 440, from, 0.5), from, to); // a short file first, as in a folder
    const x = sine(from * seconds, 440, from, 0.5);
    const y = await resample(x, from, to);
    expect(y.length).toBe(to * seconds);
    const edge = Math.round(to * 0.02);
    for (let s = 0; s < seconds; s += 10) {
      const start = s * to + (s === 0 ? edge : 0);
      const end = Math.min(y.length - edge, (s + 10) * to);
      expect(rms(y, start, end) * Math.SQRT2, `seconds ${s}-${s + 10}`).toBeCloseTo(0.5, 2);
    }
    // Streaming in blocks changes nothing: the first 10 s equal those 10 s converted alone.
    const piece = await resample(x.subarray(0, from * 10), from, to);
    let worst = 0;
    for (let i = 0; i < piece.length - edge; i++) worst = Math.max(worst, Math.abs(piece[i] - y[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it("keeps the pass band its comment states: flat to 80% of the output Nyquist frequency, -2.1 dB at 90%", async () => {
    const gainDb = async (fraction: number) => {
      const y = await resample(sine(44100, fraction * 8000, 44100), 44100, 16000);
      return 20 * Math.log10(rms(y, 3200, 12800) * Math.SQRT2);
    };
    expect(Math.abs(await gainDb(0.8))).toBeLessThan(0.05);
    const at90 = await gainDb(0.9);
    expect(at90).toBeLessThan(-1.5);
    expect(at90).toBeGreaterThan(-3);
    expect(await gainDb(0.95)).toBeLessThan(-15);
  });

  it('converts rates above 192 kHz (libsamplerate-js refuses them) by their reduced ratio', async () => {
    const y = await resample(sine(38400, 1000, 384000, 0.5), 384000, 16000);
    expect(y.length).toBe(1600);
    expect(zeroCrossingFrequency(y, 16000, 100)).toBeCloseTo(1000, 0);
  });

  it('starts each signal from a clean converter state', async () => {
    const loud = sine(44100, 1000, 44100, 0.9);
    const quiet = new Float32Array(4410);
    await resample(loud, 44100, 16000);
    const y = await resample(quiet, 44100, 16000);
    expect(rms(y)).toBe(0);
  });

  it('handles empty and tiny inputs', async () => {
    expect((await resample(new Float32Array(0), 8000, 16000)).length).toBe(0);
    expect((await resample(Float32Array.of(0.5), 8000, 16000)).length).toBe(2);
  });

  it('rejects bad rates', async () => {
    await expect(resample(new Float32Array(4), 0, 8000)).rejects.toThrow(SflError);
    await expect(resample(new Float32Array(4), 8000, 8000.5)).rejects.toThrow(/integer/);
    await expect(resample(new Float32Array(4), 100, 192000)).rejects.toThrow(/ratio/);
  });
});
