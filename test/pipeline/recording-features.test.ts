/**
 * Recordings are encoded and pooled group by group (memory: one group's windows, not the
 * corpus's): the pooled rows are those of each recording encoded on its own.
 */
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/compute/backend.ts';
import type { Matrix } from '../../src/compute/matrix.ts';
import { trainSae } from '../../src/models/sae/train.ts';
import { sampleWindows } from '../../src/features/sampler.ts';
import { convRecordingFeatures, convSettings, recordingFeatures } from '../../src/pipeline/recording-features.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { defaultSpectrumParams } from '../../src/audio/spectrogram.ts';
import { noise } from '../audio/signals.ts';

const BANDS = 8;

function spectrogramOf(rows: number, seed: number): Matrix {
  return { data: noise(rows * BANDS, seed), rows, cols: BANDS };
}

describe('recordingFeatures over many recordings', () => {
  it('pools each recording exactly as when it is encoded alone, across groups of recordings', async () => {
    await initBackend();
    // 40 recordings of up to 6000 frames: about 120 K frames, more than one group.
    const spectra = Array.from({ length: 40 }, (_, i) => spectrogramOf(i % 7 === 0 ? 2 : 500 + ((i * 977) % 5500), i + 1));
    const X = sampleWindows(spectra, { count: 300, frames: 3, seed: 1 });
    const input = { kind: 'spectro-temporal' as const, frames: 3, bands: BANDS, spectrum: defaultSpectrumParams(8000), bandHz: null };
    const { model } = await trainSae(X, input, {
      preprocess: { normalise: 'none', whitening: { kind: 'none', epsilon: 0.1, retainVariance: 1 } },
      hidden: 5, weightDecay: 1e-3, beta: 1, rho: 0.1, decoder: 'linear', maxIter: 3, seed: 1, workers: 1,
    });
    const pool = { method: 'meanmax' as const, segments: 2 };
    const together = recordingFeatures(model, spectra, pool);
    expect(together.rows).toBe(40);
    const config = resolveConfig({ conv: { bandPatch: null } });
    const conv = convSettings(config, BANDS);
    const convTogether = convRecordingFeatures(model, spectra, pool, conv);
    spectra.forEach((S, i) => {
      const alone = recordingFeatures(model, [S], pool);
      for (let j = 0; j < alone.cols; j++) expect(together.data[i * alone.cols + j]).toBeCloseTo(alone.data[j], 5);
      const convAlone = convRecordingFeatures(model, [S], pool, conv);
      for (let j = 0; j < convAlone.cols; j++) expect(convTogether.data[i * convAlone.cols + j]).toBeCloseTo(convAlone.data[j], 4);
    });
  });
});
