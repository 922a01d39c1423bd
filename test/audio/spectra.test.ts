import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/compute/matrix.ts';
import { barkFilterbank, hzToBark } from '../../src/audio/bark.ts';
import { binCount, spectrum } from '../../src/audio/fft.ts';
import { denseFilterbank } from '../../src/audio/filterbank.ts';
import { frameSignal } from '../../src/audio/frames.ts';
import { hzToMel, melFilterbank, melToHz } from '../../src/audio/mel.ts';
import { LOG_FLOOR } from '../../src/audio/scale.ts';
import { defaultSpectrumParams, spectrumWidth, type SpectrumParams } from '../../src/audio/spectrogram.ts';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';
import { SflError } from '../../src/util/errors.ts';
import { noise, sine } from './signals.ts';

const SR = 8000;
const N = 256;

function argmaxRow(m: Matrix, t: number): number {
  let best = 0;
  for (let j = 1; j < m.cols; j++) if (m.data[t * m.cols + j] > m.data[t * m.cols + best]) best = j;
  return best;
}

function params(over: Partial<SpectrumParams>): SpectrumParams {
  return { ...defaultSpectrumParams(SR), ...over };
}

/** Mel edge frequencies (Hz) as documented: bands + 2 points equally spaced in HTK mel. */
function melEdges(bands: number, fMin: number, fMax: number): number[] {
  const a = hzToMel(fMin);
  const b = hzToMel(fMax);
  return Array.from({ length: bands + 2 }, (_, i) => melToHz(a + ((b - a) * i) / (bands + 1)));
}

describe('fft spectrum', () => {
  it('a sine puts its peak in the right bin', () => {
    for (const f of [1000, 1220, 3000, 62.5 * 7]) {
      const m = spectrogram(sine(4000, f, SR), params({ transform: 'fft', log: false }));
      expect(m.cols).toBe(N / 2 + 1);
      for (let t = 0; t < m.rows - 1; t++) expect(argmaxRow(m, t)).toBe(Math.round((f * N) / SR));
    }
  });

  it('Parseval holds for the power spectrum (rect window)', () => {
    for (const n of [8, 256, 1024]) {
      const frames = frameSignal(noise(n * 4, n), { frameSize: n, hop: n, window: 'rect' });
      const p = spectrum(frames, true);
      for (let t = 0; t < frames.rows; t++) {
        let timeEnergy = 0;
        for (let j = 0; j < n; j++) timeEnergy += frames.data[t * n + j] ** 2;
        const row = p.data.subarray(t * p.cols, (t + 1) * p.cols);
        let freqEnergy = row[0] + row[n / 2];
        for (let k = 1; k < n / 2; k++) freqEnergy += 2 * row[k];
        expect(freqEnergy / n).toBeCloseTo(timeEnergy, 3);
        expect(Math.abs(freqEnergy / n / timeEnergy - 1)).toBeLessThan(1e-5);
      }
    }
  });

  it('magnitude is the square root of power; DC and Nyquist bins are real sums', () => {
    const frames = frameSignal(noise(512, 3), { frameSize: N, hop: N, window: 'rect' });
    const pow = spectrum(frames, true);
    const mag = spectrum(frames, false);
    for (let i = 0; i < pow.data.length; i++) expect(mag.data[i]).toBeCloseTo(Math.sqrt(pow.data[i]), 4);
    let dc = 0;
    let nyq = 0;
    for (let j = 0; j < N; j++) {
      dc += frames.data[j];
      nyq += frames.data[j] * (j % 2 ? -1 : 1);
    }
    expect(mag.data[0]).toBeCloseTo(Math.abs(dc), 4);
    expect(mag.data[N / 2]).toBeCloseTo(Math.abs(nyq), 4);
  });

  it('log uses ln(x + 1e-10): digital silence reads ln(1e-10)', () => {
    const m = spectrogram(new Float32Array(1000), params({ transform: 'fft' }));
    expect(m.data.every((v) => Math.abs(v - Math.log(LOG_FLOOR)) < 1e-4)).toBe(true);
  });
});

describe('mel', () => {
  it('uses the HTK formula', () => {
    expect(hzToMel(700)).toBeCloseTo(2595 * Math.log10(2), 9);
    expect(hzToMel(1000)).toBeCloseTo(999.985, 2);
    expect(melToHz(hzToMel(1234.5))).toBeCloseTo(1234.5, 9);
  });

  it('triangles peak at 1 on their centre edge and overlap-add to 1 between the outer peaks', () => {
    const bands = 24;
    const fb = denseFilterbank(melFilterbank({ sampleRate: SR, frameSize: 1024, bands, fMin: 100, fMax: 3800 }));
    const edges = melEdges(bands, 100, 3800);
    const bins = binCount(1024);
    for (let k = 0; k < bins; k++) {
      const f = (k * SR) / 1024;
      let sum = 0;
      for (let b = 0; b < bands; b++) {
        const w = fb.data[b * bins + k];
        sum += w;
        if (w > 0) {
          expect(f).toBeGreaterThan(edges[b]);
          expect(f).toBeLessThan(edges[b + 2]);
          // Independent evaluation of the documented triangle.
          const tri = f <= edges[b + 1] ? (f - edges[b]) / (edges[b + 1] - edges[b]) : (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1]);
          expect(w).toBeCloseTo(tri, 5);
        }
      }
      if (f >= edges[1] && f <= edges[bands]) expect(sum).toBeCloseTo(1, 5);
      if (f <= edges[0] || f >= edges[bands + 1]) expect(sum).toBe(0);
    }
  });

  it('a sine puts most of the mel energy in a band that contains it', () => {
    const edges = melEdges(40, 0, SR / 2);
    for (const f of [300, 1000, 2500, 3600]) {
      const m = spectrogram(sine(4000, f, SR), params({ transform: 'mel', log: false }));
      expect(m.cols).toBe(40);
      const b = argmaxRow(m, 5);
      expect(f).toBeGreaterThan(edges[b]);
      expect(f).toBeLessThan(edges[b + 2]);
    }
  });
});

describe('bark', () => {
  it("uses Traunmüller's formula with its end corrections", () => {
    expect(hzToBark(1000)).toBeCloseTo((26.81 * 1000) / 2960 - 0.53, 9);
    const low = (26.81 * 100) / 2060 - 0.53;
    expect(hzToBark(100)).toBeCloseTo(low + 0.15 * (2 - low), 9);
    const high = (26.81 * 12000) / 13960 - 0.53;
    expect(hzToBark(12000)).toBeCloseTo(high + 0.22 * (high - 20.1), 9);
  });

  it('every bin in [fMin, fMax] is in exactly one band, so band energies sum to the spectrum energy', () => {
    const x = noise(2048, 11);
    const fft = spectrogram(x, params({ transform: 'fft', log: false }));
    const bark = spectrogram(x, params({ transform: 'bark', bands: 18, log: false }));
    for (let t = 0; t < fft.rows; t++) {
      let a = 0;
      let b = 0;
      for (let k = 0; k < fft.cols; k++) a += fft.data[t * fft.cols + k];
      for (let j = 0; j < bark.cols; j++) b += bark.data[t * bark.cols + j];
      expect(b / a).toBeCloseTo(1, 5);
    }
    const fb = denseFilterbank(barkFilterbank({ sampleRate: SR, frameSize: N, bands: 18, fMin: 500, fMax: 3000 }));
    for (let k = 0; k < fb.cols; k++) {
      const f = (k * SR) / N;
      let count = 0;
      for (let b = 0; b < fb.rows; b++) count += fb.data[b * fb.cols + k];
      expect(count).toBe(f >= 500 && f <= 3000 ? 1 : 0);
    }
  });

  it('a sine puts the bark energy in the band that contains it', () => {
    const bands = 20;
    const zMax = hzToBark(SR / 2);
    const zMin = hzToBark(0);
    for (const f of [250, 1000, 2000, 3500]) {
      const m = spectrogram(sine(4000, f, SR), params({ transform: 'bark', bands, log: false }));
      const expected = Math.floor(((hzToBark(f) - zMin) / (zMax - zMin)) * bands);
      expect(argmaxRow(m, 5)).toBe(expected);
    }
  });

  it('specific loudness is band energy ^ 0.23', () => {
    const x = noise(1024, 5);
    const e = spectrogram(x, params({ transform: 'bark', bands: 24, log: false }));
    const l = spectrogram(x, params({ transform: 'bark', bands: 24, log: false, specificLoudness: true }));
    for (let i = 0; i < e.data.length; i++) expect(l.data[i]).toBeCloseTo(e.data[i] ** 0.23, 4);
  });
});

describe('mfcc and cepstrum', () => {
  it('MFCC equals an independent O(N^2) orthonormal DCT-II of log mel', () => {
    const x = noise(3000, 9);
    for (const [bands, coefficients] of [[40, 13], [26, 26]]) {
      const logMel = spectrogram(x, params({ transform: 'mel', bands, log: true }));
      const mfcc = spectrogram(x, params({ transform: 'mfcc', bands, coefficients }));
      expect([mfcc.rows, mfcc.cols]).toEqual([logMel.rows, coefficients]);
      for (let t = 0; t < logMel.rows; t++) {
        for (let k = 0; k < coefficients; k++) {
          let s = 0;
          for (let n = 0; n < bands; n++) s += logMel.data[t * bands + n] * Math.cos((Math.PI * k * (n + 0.5)) / bands);
          const ref = s * Math.sqrt((k === 0 ? 1 : 2) / bands);
          expect(mfcc.data[t * coefficients + k]).toBeCloseTo(ref, 3);
        }
      }
    }
  });

  it('MFCC of digital silence: only c0, equal to sqrt(bands) * ln(1e-10)', () => {
    const m = spectrogram(new Float32Array(512), params({ transform: 'mfcc' }));
    expect(m.data[0]).toBeCloseTo(Math.sqrt(40) * Math.log(LOG_FLOOR), 3);
    for (let k = 1; k < 13; k++) expect(Math.abs(m.data[k])).toBeLessThan(1e-3);
  });

  it('real cepstrum equals the IDFT of ln|X| computed directly', () => {
    const n = 64;
    const x = noise(200, 13);
    const c = spectrogram(x, params({ transform: 'cepstrum', frameSize: n, hop: 48, coefficients: 33 }));
    const frames = frameSignal(x, { frameSize: n, hop: 48, window: 'hann' });
    for (let t = 0; t < frames.rows; t++) {
      const fr = frames.data.subarray(t * n, (t + 1) * n);
      const logMag = Array.from({ length: n }, (_, k) => {
        let re = 0;
        let im = 0;
        for (let j = 0; j < n; j++) {
          re += fr[j] * Math.cos((2 * Math.PI * k * j) / n);
          im -= fr[j] * Math.sin((2 * Math.PI * k * j) / n);
        }
        return Math.log(Math.hypot(re, im) + LOG_FLOOR);
      });
      for (let q = 0; q < 33; q++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += logMag[k] * Math.cos((2 * Math.PI * k * q) / n);
        expect(c.data[t * 33 + q]).toBeCloseTo(s / n, 4);
      }
    }
  });
});

describe('spectrogram dispatcher', () => {
  it('returns (frames, width) for every transform, one frame for a short signal, none for an empty one', () => {
    for (const transform of ['fft', 'mel', 'bark', 'mfcc', 'cepstrum'] as const) {
      const p = params({ transform });
      const width = spectrumWidth(p);
      expect(width).toBe({ fft: 129, mel: 40, bark: 40, mfcc: 13, cepstrum: 13 }[transform]);
      const m = spectrogram(noise(1000), p);
      expect([m.rows, m.cols]).toEqual([7, width]);
      expect(m.data.every(Number.isFinite)).toBe(true);
      const short = spectrogram(noise(100), p);
      expect([short.rows, short.cols]).toEqual([1, width]);
      const empty = spectrogram(new Float32Array(0), p);
      expect([empty.rows, empty.cols]).toEqual([0, width]);
    }
  });

  it('documents its defaults', () => {
    // 32 ms frames every half frame (frame-length.test.ts has other rates).
    expect(defaultSpectrumParams(16000)).toEqual({
      transform: 'mel', sampleRate: 16000, frameSize: 512, hop: 256, window: 'hann', center: false, padMode: 'constant',
      bands: 40, melScale: 'htk', melNorm: 'none', fMin: 0, fMax: 8000, power: true, log: true, logScale: 'ln', topDb: null,
      coefficients: 13, specificLoudness: false, meanNormalise: false, trimDb: null,
    });
  });

  it('rejects invalid params with SflError', () => {
    const x = noise(500);
    const bad: Partial<SpectrumParams>[] = [
      { transform: 'wavelet' as never },
      { frameSize: 200 },
      { hop: 0 },
      { fMax: 5000 },
      { fMin: 4000 },
      { bands: 0 },
      { transform: 'mfcc', coefficients: 41 },
      { transform: 'cepstrum', coefficients: 0 },
      { window: 'kaiser' as never },
      { padMode: 'edge' as never },
      { melScale: 'bark' as never },
      { melNorm: 'l2' as never },
      { logScale: 'log2' as never },
      { logScale: 'db', topDb: -1 },
      { topDb: 80 }, // a floor in dB needs logScale 'db'
    ];
    for (const b of bad) expect(() => spectrogram(x, params(b)), JSON.stringify(b)).toThrow(SflError);
  });
});

describe('meanNormalise', () => {
  it('subtracts each band\'s mean over the recording, so a fixed gain or colouring disappears', () => {
    const x = noise(8000, 3);
    const p = { ...defaultSpectrumParams(8000), meanNormalise: true };
    const raw = spectrogram(x, defaultSpectrumParams(8000));
    const norm = spectrogram(x, p);
    // Twice as loud is +ln 4 in every log-power band: gone after normalisation.
    const louder = spectrogram(Float32Array.from(x, (v) => 2 * v), p);
    for (let b = 0; b < raw.cols; b++) {
      let mean = 0, mNorm = 0;
      for (let t = 0; t < raw.rows; t++) {
        mean += raw.data[t * raw.cols + b] / raw.rows;
        mNorm += norm.data[t * raw.cols + b] / raw.rows;
      }
      expect(mNorm).toBeCloseTo(0, 4);
      for (let t = 0; t < raw.rows; t++) {
        expect(norm.data[t * raw.cols + b]).toBeCloseTo(raw.data[t * raw.cols + b] - mean, 3);
        expect(louder.data[t * raw.cols + b]).toBeCloseTo(norm.data[t * raw.cols + b], 3);
      }
    }
  });
});

describe('trimDb', () => {
  it('drops the quiet frames at both ends and keeps the sound between them', () => {
    const tone = sine(2000, 440, 8000, 0.25);
    const x = new Float32Array(8000 + tone.length + 4000);
    x.set(tone, 8000); // 1 s of silence, the tone, 0.5 s of silence
    for (let i = 0; i < x.length; i++) x[i] += 1e-4 * Math.sin(i); // a faint hum, 70 dB down
    const p = defaultSpectrumParams(8000);
    const all = spectrogram(x, p);
    const trimmed = spectrogram(x, { ...p, trimDb: 40 });
    // The tone covers 2000 samples: about 2000 / 128 frames, give or take the frames it overlaps.
    expect(all.rows).toBeGreaterThan(100);
    expect(trimmed.rows).toBeGreaterThanOrEqual(14);
    expect(trimmed.rows).toBeLessThanOrEqual(18);
    // What is kept is the same rows as before trimming, starting where the tone does.
    const first = Math.floor(8000 / 128) - 1;
    const offset = [first - 1, first, first + 1].find((o) => all.data[o * all.cols + 5] === trimmed.data[5])!;
    expect(offset).toBeDefined();
    expect(Array.from(trimmed.data)).toEqual(Array.from(all.data.subarray(offset * all.cols, (offset + trimmed.rows) * all.cols)));
    expect(() => spectrogram(x, { ...p, trimDb: -3 })).toThrow(/trimDb must be a positive number/);
  });
});
