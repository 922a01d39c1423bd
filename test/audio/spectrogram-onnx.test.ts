import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readAudio } from '../../src/audio/decode.ts';
import { defaultSpectrumParams, type SpectrumParams } from '../../src/audio/spectrogram.ts';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';
import { GraphBuilder } from '../../src/compute/onnx/graph-builder.ts';
import { createSession, loadOnnxRuntime } from '../../src/compute/onnx/runtime.ts';
import { spectrogramGraph } from '../../src/audio/spectrogram-onnx.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { ROOT } from '../cli/run-cli.ts';

const ort = await loadOnnxRuntime();
if (!ort) console.warn('skipped: onnxruntime-node cannot load here, so the spectrogram graph cannot be run');

// A spoken digit (FSDD, 8 kHz) with 0.3 s of faint noise before and after it (what trimming drops),
// and its first 700 samples (a few frames, the last one zero-padded).
const digit = (await readAudio(join(ROOT, 'audio/fsdd/recordings/3_nicolas_7.wav'), { sampleRate: 8000 })).samples;
const rng = mulberry32(5);
const samples = Float32Array.from({ length: digit.length + 4800 }, (_, i) => (i >= 2400 && i < 2400 + digit.length ? digit[i - 2400] : 0) + 1e-4 * (rng() - 0.5));
const base = defaultSpectrumParams(8000);

async function graphSpectrogram(x: Float32Array, p: SpectrumParams, frameBlock?: number): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const g = new GraphBuilder('spectrogram');
  g.output(spectrogramGraph(g, g.input('x', 'float32', ['n']), p, 'float32', frameBlock), 'y', 'float32', ['frames', 'width']);
  const session = await createSession(ort!, g.toBytes(), 1);
  const r = await session.run({ x: new ort!.Tensor('float32', x, [x.length]) });
  await session.release();
  return { data: r.y.data as Float32Array, dims: r.y.dims };
}

/** Largest difference relative to the spectrogram's range (log units and dB have different scales). */
async function worstDifference(x: Float32Array, p: SpectrumParams, frameBlock?: number): Promise<number> {
  const want = spectrogram(x, p);
  const got = await graphSpectrogram(x, p, frameBlock);
  expect(got.dims).toEqual([want.rows, want.cols]);
  let lo = Infinity, hi = -Infinity, worst = 0;
  for (let i = 0; i < want.data.length; i++) {
    lo = Math.min(lo, want.data[i]);
    hi = Math.max(hi, want.data[i]);
    worst = Math.max(worst, Math.abs(got.data[i] - want.data[i]));
  }
  return worst / Math.max(hi - lo, 1e-12);
}

const CASES: [string, Partial<SpectrumParams>][] = [
  ['mel, ln (the defaults)', {}],
  ['mel slaney, magnitude, dB with top_db, hamming window', { melScale: 'slaney', melNorm: 'slaney', power: false, logScale: 'db', topDb: 60, window: 'hamming' }],
  ['fft bins, centred with zero padding, no log', { transform: 'fft', center: true, log: false }],
  ['fft bins, centred with reflection, frame 512 hop 160', { transform: 'fft', center: true, padMode: 'reflect', frameSize: 512, hop: 160 }],
  ['bark, specific loudness, 20 bands up to 3 kHz', { transform: 'bark', bands: 20, fMin: 100, fMax: 3000, specificLoudness: true }],
  ['mfcc, 13 of 26 bands, mean-normalised', { transform: 'mfcc', bands: 26, coefficients: 13, meanNormalise: true }],
  ['cepstrum, 20 coefficients, rect window', { transform: 'cepstrum', coefficients: 20, window: 'rect' }],
  ['fft bins from 300 to 2500 Hz only', { transform: 'fft', fMin: 300, fMax: 2500 }],
  ['cepstrum of the log spectrum up to 3 kHz', { transform: 'cepstrum', coefficients: 20, fMax: 3000 }],
  ['mel, silence trimmed at 30 dB, mean-normalised', { trimDb: 30, meanNormalise: true }],
];

describe.skipIf(!ort)('the spectrogram as ONNX operators', () => {
  it.each(CASES)('%s: sfl\'s spectrogram within 1e-4 of its range, the frame count included', async (_, settings) => {
    const p = { ...base, ...settings };
    expect(await worstDifference(samples, p)).toBeLessThan(1e-4);
    expect(await worstDifference(samples.subarray(0, 700), p)).toBeLessThan(1e-4);
    // In blocks of 7 frames: many blocks, the last one partial (the per-frame part runs in a Loop).
    expect(await worstDifference(samples, p, 7)).toBeLessThan(1e-4);
  });

  it('trimming keeps the frames sfl keeps: fewer than the untrimmed spectrogram\'s', async () => {
    const p = { ...base, trimDb: 20 };
    const trimmed = spectrogram(samples, p);
    expect(trimmed.rows).toBeLessThan(spectrogram(samples, base).rows);
    expect((await graphSpectrogram(samples, p)).dims[0]).toBe(trimmed.rows);
  });
});
