import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/compute/matrix.ts';
import { columnFrequencies } from '../../src/audio/axis.ts';
import { frameSignal } from '../../src/audio/frames.ts';
import { resample } from '../../src/audio/resample.ts';
import { LOG_FLOOR } from '../../src/audio/scale.ts';
import { defaultSpectrumParams, resolveSpectrum, spectrumWidth, TRANSFORMS, type SpectrumParams } from '../../src/audio/spectrogram.ts';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';
import { SflError } from '../../src/util/errors.ts';
import { noise } from './signals.ts';

/**
 * The upper frequency on a folder of mixed rates: files upsampled from 16 kHz have nothing above
 * 8 kHz, so every transform stops there unless told otherwise (resolveSpectrum), fft by dropping
 * the bins above it, cepstrum by being taken of the log spectrum below it.
 */

describe('resolveSpectrum: the upper frequency follows the lowest native rate', () => {
  it('every transform stops at the lowest native Nyquist frequency when files were upsampled, and says why', () => {
    for (const transform of TRANSFORMS) {
      const { params, range } = resolveSpectrum({ transform }, 44100, { nativeRates: [44100, 16000] });
      expect(params.fMax, transform).toBe(8000);
      expect(range).toEqual({ fMin: 0, fMax: 8000, askedFMax: 'Nyquist', cappedBy: 16000 });
    }
    // fft: the bins up to 8000 Hz at 44100 / 1024 = 43.07 Hz apart, 0 .. 185.
    expect(spectrumWidth(resolveSpectrum({ transform: 'fft' }, 44100, { nativeRates: [16000] }).params)).toBe(186);
  });

  it('an fMax given wins; downsampling only, unknown rates and an fMin above the cap change nothing', () => {
    expect(resolveSpectrum({ fMax: 12000 }, 44100, { nativeRates: [16000] }).range).toEqual({ fMin: 0, fMax: 12000, askedFMax: 12000, cappedBy: null });
    expect(resolveSpectrum({}, 16000, { nativeRates: [16000, 44100] }).range).toMatchObject({ fMax: 8000, cappedBy: null });
    expect(resolveSpectrum({}, 44100).range).toMatchObject({ fMax: 22050, cappedBy: null });
    expect(resolveSpectrum({ fMin: 9000 }, 44100, { nativeRates: [16000] }).range).toMatchObject({ fMax: 22050, cappedBy: null });
  });
});

describe('fft keeps the bins in fMin .. fMax', () => {
  const x = noise(4000, 7);
  const full = spectrogram(x, { ...defaultSpectrumParams(8000), transform: 'fft' });

  it('the same values as the whole spectrum\'s bins in that range, and the axis says which', () => {
    const p: SpectrumParams = { ...defaultSpectrumParams(8000), transform: 'fft', fMin: 300, fMax: 2500 };
    const part = spectrogram(x, p);
    // 31.25 Hz apart: bins 10 (312.5 Hz) .. 80 (2500 Hz).
    expect([part.rows, part.cols, spectrumWidth(p)]).toEqual([full.rows, 71, 71]);
    for (let t = 0; t < full.rows; t++) expect(Array.from(part.data.subarray(t * 71, (t + 1) * 71))).toEqual(Array.from(full.data.subarray(t * 129 + 10, t * 129 + 81)));
    const hz = columnFrequencies(p)!;
    expect([hz.length, hz[0], hz[70]]).toEqual([71, 312.5, 2500]);
  });

  it('a range holding no bin is refused, naming it', () => {
    const p: SpectrumParams = { ...defaultSpectrumParams(8000), transform: 'fft', fMin: 1001, fMax: 1030 };
    expect(() => spectrogram(x, p)).toThrow(SflError);
    expect(() => spectrogram(x, p)).toThrow(/no FFT bin lies in fMin=1001 \.\. fMax=1030 Hz/);
  });
});

describe('cepstrum up to fMax', () => {
  it('is the inverse DFT of the log spectrum up to bin K, mirrored with period 2K (computed directly)', () => {
    const n = 64, K = 20, C = 21;
    const x = noise(300, 13);
    const p: SpectrumParams = { ...defaultSpectrumParams(8000), transform: 'cepstrum', frameSize: n, hop: 48, coefficients: C, fMax: (K * 8000) / n };
    const c = spectrogram(x, p);
    const frames = frameSignal(x, { frameSize: n, hop: 48, window: 'hann' });
    expect(c.rows).toBe(frames.rows);
    for (let t = 0; t < frames.rows; t++) {
      const fr = frames.data.subarray(t * n, (t + 1) * n);
      const L = Array.from({ length: K + 1 }, (_, k) => {
        let re = 0, im = 0;
        for (let j = 0; j < n; j++) {
          re += fr[j] * Math.cos((2 * Math.PI * k * j) / n);
          im -= fr[j] * Math.sin((2 * Math.PI * k * j) / n);
        }
        return Math.log(Math.hypot(re, im) + LOG_FLOOR);
      });
      // The even extension of L_0 .. L_K: M = 2K values, L_{M-k} = L_k.
      const M = 2 * K;
      const ext = Array.from({ length: M }, (_, k) => L[k <= K ? k : M - k]);
      for (let q = 0; q < C; q++) {
        let s = 0;
        for (let k = 0; k < M; k++) s += ext[k] * Math.cos((2 * Math.PI * k * q) / M);
        expect(c.data[t * C + q]).toBeCloseTo(s / M, 4);
      }
    }
    // At most K + 1 coefficients carry information.
    expect(() => spectrogram(x, { ...p, coefficients: K + 2 })).toThrow(/coefficients must be an integer in 1\.\.21/);
  });

  it('a file upsampled from 16 kHz gets the cepstrum of its 44.1 kHz original, where the whole band gave another', async () => {
    // A sound recorded at 44.1 kHz (tones, one above 8 kHz, and noise), and the same sound as a
    // 16 kHz recording of it played back at 44.1 kHz. Up to 7 kHz: the resampler is flat only to
    // about 0.9 of the Nyquist frequency (resample.ts), so the band just below 8 kHz differs.
    const tones = [[220, 0.5], [660, 0.3], [1500, 0.2], [3100, 0.1], [5200, 0.05], [12000, 0.05]];
    const original = Float32Array.from(noise(11025, 3), (v, i) => tones.reduce((s, [f, a]) => s + a * Math.sin((2 * Math.PI * f * i) / 44100), 0.05 * v));
    const upsampled = await resample(await resample(original, 44100, 16000), 16000, 44100);
    const C = 13;
    const rms = (a: Matrix, b?: Matrix) => {
      let s = 0, n = 0;
      // c[0] (the level) aside, and the first and last frames (the resampler's edges).
      for (let t = 1; t < a.rows - 1; t++) for (let q = 1; q < C; q++, n++) s += (a.data[t * C + q] - (b ? b.data[t * C + q] : 0)) ** 2;
      return Math.sqrt(s / n);
    };
    const p: SpectrumParams = { ...defaultSpectrumParams(44100), transform: 'cepstrum', coefficients: C };
    const capped = { ...p, fMax: 7000 };
    const [a, b] = [spectrogram(original, capped), spectrogram(upsampled, capped)];
    expect(rms(a, b)).toBeLessThan(0.01 * rms(a));
    const [wa, wb] = [spectrogram(original, p), spectrogram(upsampled, p)];
    expect(rms(wa, wb)).toBeGreaterThan(5 * rms(wa));
  });

  it('an fMin other than 0 is refused: the cepstrum is of the log spectrum from 0 Hz', () => {
    expect(() => spectrogram(noise(500), { ...defaultSpectrumParams(8000), transform: 'cepstrum', fMin: 100 })).toThrow(/fMin must be 0 for cepstrum/);
  });
});
