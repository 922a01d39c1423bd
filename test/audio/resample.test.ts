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
