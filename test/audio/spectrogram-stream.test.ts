/**
 * The streamed spectrogram (batches of frames, fast kernels) gives exactly the numbers of the
 * pipeline written stage by stage over the whole signal: frameSignal -> fft.js real transform ->
 * |X|^2 or |X| -> dense filterbank product -> log / dB, with trimming, the topDb floor and mean
 * removal over the whole recording; and it does so for any cut of the signal into blocks.
 */
import { describe, expect, it } from 'vitest';
import FFT from 'fft.js';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { barkFilterbank } from '../../src/audio/bark.ts';
import { realCepstrum } from '../../src/audio/cepstrum.ts';
import { dctRows } from '../../src/audio/dct.ts';
import { denseFilterbank, type SparseFilterbank } from '../../src/audio/filterbank.ts';
import { frameSignal } from '../../src/audio/frames.ts';
import { melFilterbank } from '../../src/audio/mel.ts';
import { defaultSpectrumParams, type SpectrumParams } from '../../src/audio/spectrogram.ts';
import { spectrogram, SpectrogramStream } from '../../src/audio/spectrogram-stream.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { noise, sine } from './signals.ts';

const SR = 16000;

/** The pipeline stage by stage, over the whole signal, with the plainest form of each stage. */
function reference(x: Float32Array, p: SpectrumParams): Matrix {
  let frames = frameSignal(x, { frameSize: p.frameSize, hop: p.hop, window: p.window, center: p.center, padMode: p.padMode });
  if (p.trimDb != null && frames.rows > 0) {
    const energy = Array.from({ length: frames.rows }, (_, t) => {
      let s = 0;
      for (let j = 0; j < frames.cols; j++) s += frames.data[t * frames.cols + j] ** 2;
      return s;
    });
    const threshold = Math.max(0, ...energy) * 10 ** (-p.trimDb / 10);
    let start = 0, end = frames.rows;
    while (start < end - 1 && energy[start] < threshold) start++;
    while (end - 1 > start && energy[end - 1] < threshold) end--;
    frames = { data: frames.data.slice(start * frames.cols, end * frames.cols), rows: end - start, cols: frames.cols };
  }
  let S: Matrix;
  if (p.transform === 'cepstrum') S = realCepstrum(frames, p.coefficients);
  else {
    const N = p.frameSize, bins = N / 2 + 1;
    const fft = new FFT(N);
    const out = fft.createComplexArray() as number[];
    const spec = matrix(frames.rows, bins);
    for (let t = 0; t < frames.rows; t++) {
      fft.realTransform(out, frames.data.subarray(t * N, (t + 1) * N));
      for (let k = 0; k < bins; k++) {
        const pw = out[2 * k] ** 2 + out[2 * k + 1] ** 2;
        spec.data[t * bins + k] = p.power ? pw : Math.sqrt(pw);
      }
    }
    const bank = (fb: SparseFilterbank) => {
      const W = denseFilterbank(fb);
      const o = matrix(spec.rows, W.rows);
      for (let t = 0; t < spec.rows; t++) {
        for (let b = 0; b < W.rows; b++) {
          let acc = 0;
          for (let k = 0; k < bins; k++) if (W.data[b * bins + k] !== 0) acc += W.data[b * bins + k] * spec.data[t * bins + k];
          o.data[t * W.rows + b] = acc;
        }
      }
      return o;
    };
    const banks = { sampleRate: p.sampleRate, frameSize: N, bands: p.bands, fMin: p.fMin, fMax: p.fMax };
    const mel = () => bank(melFilterbank({ ...banks, scale: p.melScale, norm: p.melNorm }));
    const ln = (m: Matrix) => (m.data.forEach((v, i) => (m.data[i] = Math.log(v + 1e-10))), m);
    if (p.transform === 'mfcc') S = dctRows(ln(mel()), p.coefficients);
    else {
      S = p.transform === 'fft' ? spec : p.transform === 'mel' ? mel() : bank(barkFilterbank(banks));
      if (p.transform === 'bark' && p.specificLoudness) S.data.forEach((v, i) => (S.data[i] = v ** 0.23));
      if (p.log && p.logScale === 'ln') ln(S);
      if (p.log && p.logScale === 'db') {
        S.data.forEach((v, i) => (S.data[i] = 10 * Math.log10(Math.max(v, 1e-10))));
        if (p.topDb != null && S.data.length) {
          const floor = Math.max(...S.data) - p.topDb;
          S.data.forEach((v, i) => (S.data[i] = Math.max(v, floor)));
        }
      }
    }
  }
  if (p.meanNormalise && S.rows > 0) {
    for (let b = 0; b < S.cols; b++) {
      let m = 0;
      for (let t = 0; t < S.rows; t++) m += S.data[t * S.cols + b];
      m /= S.rows;
      for (let t = 0; t < S.rows; t++) S.data[t * S.cols + b] -= m;
    }
  }
  return S;
}

/** The stream fed `x` cut at random places (block sizes from 1 to maxBlock samples). */
function streamed(x: Float32Array, p: SpectrumParams, seed: number, maxBlock: number): Matrix {
  const s = new SpectrogramStream(p);
  const rng = mulberry32(seed);
  const parts: Matrix[] = [];
  for (let at = 0; at < x.length; ) {
    const n = 1 + Math.floor(rng() * maxBlock);
    parts.push(s.push(x.subarray(at, at + n)));
    at += n;
  }
  parts.push(s.finish());
  const rows = parts.reduce((k, m) => k + m.rows, 0);
  const out = matrix(rows, s.width);
  let at = 0;
  for (const m of parts) out.data.set(m.data, (at += m.rows) * s.width - m.data.length);
  return out;
}

/** A signal with quiet ends (for trimming), a sine and noise, and an odd length. */
function signal(n: number): Float32Array {
  const x = sine(n, 440, SR, 0.5);
  const z = noise(n, 3);
  for (let i = 0; i < n; i++) x[i] = (x[i] + 0.2 * z[i]) * (i < n / 5 || i > (4 * n) / 5 ? 0.001 : 1);
  return x;
}

const CASES: [string, Partial<SpectrumParams>][] = [
  ['mel (defaults)', {}],
  ['mel, magnitude, slaney', { power: false, melScale: 'slaney', melNorm: 'slaney' }],
  ['fft, no log', { transform: 'fft', log: false }],
  ['fft, dB with topDb', { transform: 'fft', logScale: 'db', topDb: 30 }],
  ['mel, dB, topDb, centred, reflect', { logScale: 'db', topDb: 40, center: true, padMode: 'reflect', frameSize: 512, hop: 160 }],
  ['mel, centred, constant, hamming', { center: true, window: 'hamming', hop: 100 }],
  ['bark, specific loudness', { transform: 'bark', bands: 18, specificLoudness: true }],
  ['mfcc, mean-normalised', { transform: 'mfcc', meanNormalise: true }],
  ['cepstrum', { transform: 'cepstrum', coefficients: 20 }],
  ['mel, trimmed, mean-normalised', { trimDb: 30, meanNormalise: true }],
  ['mel, hop larger than the frame', { hop: 300, frameSize: 256 }],
];

describe('SpectrogramStream', () => {
  for (const [name, over] of CASES) {
    it(`${name}: whole signal and random blocks give exactly the stage-by-stage numbers`, () => {
      const p = { ...defaultSpectrumParams(SR), ...over };
      const x = signal(SR + 1234);
      const ref = reference(x, p);
      const whole = spectrogram(x, p);
      expect([whole.rows, whole.cols]).toEqual([ref.rows, ref.cols]);
      expect(whole.data).toEqual(ref.data);
      for (const [seed, maxBlock] of [[1, 7], [2, 500], [3, 5000]]) expect(streamed(x, p, seed, maxBlock).data).toEqual(ref.data);
    });
  }

  it('short signals: shorter than a frame, a few samples with centre/reflect, empty', () => {
    for (const n of [0, 1, 3, 100, 255, 256, 257]) {
      for (const over of [{}, { center: true, padMode: 'reflect' as const }, { center: true }]) {
        const p = { ...defaultSpectrumParams(SR), ...over };
        const x = noise(n, n + 1);
        const ref = reference(x, p);
        expect(spectrogram(x, p).data).toEqual(ref.data);
        expect(streamed(x, p, n, 2).data).toEqual(ref.data);
      }
    }
  });

  it('rows come out while samples arrive, and it holds about a frame of samples, however long the signal', () => {
    const p = { ...defaultSpectrumParams(SR), frameSize: 256, hop: 128 };
    const s = new SpectrogramStream(p);
    const block = noise(4096, 9);
    let rows = 0;
    for (let i = 0; i < 2000; i++) rows += s.push(block).rows; // 8.2 M samples, 8.5 minutes
    expect(rows).toBe(Math.floor((2000 * 4096 - 256) / 128) + 1);
    // The sample buffer: the block just pushed plus the frames not yet done, never the signal.
    expect((s as unknown as { buf: Float32Array }).buf.length).toBeLessThan(3 * 4096);
  });
});
