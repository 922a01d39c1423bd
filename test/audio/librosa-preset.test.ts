import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spectrumPreset } from '../../src/audio/presets.ts';
import { defaultSpectrumParams, type SpectrumParams } from '../../src/audio/spectrogram.ts';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';

/**
 * Values computed by librosa 0.11's own melspectrogram and power_to_db
 * (scripts/librosa-reference.py) for a 0.6 s signal whose length (13230) is not a multiple of the hop.
 */
const ref = JSON.parse(readFileSync('test/fixtures/librosa/reference.json', 'utf8'));
const bytes = Buffer.from(ref.signal_f32le_base64, 'base64');
const signal = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

function params(overrides: Partial<SpectrumParams>): SpectrumParams {
  return { ...defaultSpectrumParams(ref.sr), ...spectrumPreset('librosa'), ...overrides, sampleRate: ref.sr, fMax: ref.sr / 2 };
}

describe("the 'librosa' spectrum preset against librosa's own values", () => {
  it('the fixture is what the test expects: 13230 samples at 22050 Hz', () => {
    expect(signal.length).toBe(13230);
    expect(ref.sr).toBe(22050);
  });

  for (const padMode of ['constant', 'reflect'] as const) {
    const want = ref.results[padMode];

    it(`pad_mode='${padMode}': same shape (librosa's frame count 1 + floor(13230 / 512) = 26)`, () => {
      const S = spectrogram(signal, params({ padMode }));
      expect([S.cols, S.rows]).toEqual(want.shape);
    });

    it(`pad_mode='${padMode}': mel power within 1e-4 relative (of the frame's peak), dB within 0.01 dB`, () => {
      const power = spectrogram(signal, params({ padMode, log: false }));
      let worstPower = 0;
      for (let t = 0; t < power.rows; t++) {
        const row: number[] = want.mel_power[t];
        const peak = Math.max(...row, 1e-12); // a silent frame: both must be ~0
        for (let b = 0; b < power.cols; b++) worstPower = Math.max(worstPower, Math.abs(power.data[t * power.cols + b] - row[b]) / peak);
      }
      expect(worstPower).toBeLessThan(1e-4);

      const db = spectrogram(signal, params({ padMode }));
      let worstDb = 0;
      let floored = 0;
      for (let t = 0; t < db.rows; t++) {
        for (let b = 0; b < db.cols; b++) {
          worstDb = Math.max(worstDb, Math.abs(db.data[t * db.cols + b] - want.db[t][b]));
          if (want.db[t][b] === Math.min(...want.db.flat())) floored++;
        }
      }
      expect(worstDb).toBeLessThan(0.01);
      // The fixture starts with silence, so top_db's floor is reached and compared too.
      expect(floored).toBeGreaterThan(10);
    });
  }

  it('the HTK mel scale without area normalisation (our default) does not match: the test can fail', () => {
    const db = spectrogram(signal, params({ melScale: 'htk', melNorm: 'none' }));
    let worst = 0;
    for (let t = 0; t < db.rows; t++) for (let b = 0; b < db.cols; b++) worst = Math.max(worst, Math.abs(db.data[t * db.cols + b] - ref.results.constant.db[t][b]));
    expect(worst).toBeGreaterThan(1);
  });
});
