import { beforeAll, describe, expect, it } from 'vitest';
import { defaultSpectrumParams, type SpectrumParams } from '../../src/audio/spectrogram.ts';
import { initBackend } from '../../src/compute/backend.ts';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { allWindows } from '../../src/features/sampler.ts';
import { predict, runAudioSelfTaught, type AudioClassifierPipeline } from '../../src/pipeline/audio-classifier.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { pipelineParts } from '../../src/pipeline/pipeline-parts.ts';
import { pipelineFeatures } from '../../src/pipeline/audio-classifier.ts';
import { saeFeatures } from '../../src/models/sae/saved-model.ts';

// A tiny pipeline on random "spectrograms" of 6 bands, two classes told apart by their level: the
// parts only have to reproduce what the pipeline itself computes.
function spectra(n: number, seed: number): Matrix[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, (_, i) => {
    const m = matrix(10 + (i % 5), 6);
    for (let j = 0; j < m.data.length; j++) m.data[j] = rnd() + (i % 2) * 0.5;
    return m;
  });
}
const config = resolveConfig({
  windows: { frames: 3, count: 300 },
  normalise: 'standardise',
  whitening: { kind: 'pca', epsilon: 0.1 },
  sae: { hidden: 5, maxIter: 5 },
  softmax: { weightDecay: 1e-3, maxIter: 20 },
  pooling: { method: 'meanmax', segments: 2 },
});
const train = spectra(12, 7);
let pipeline: AudioClassifierPipeline;

beforeAll(async () => {
  await initBackend();
  const y = Int32Array.from(train, (_, i) => i % 2);
  // A spectrum saved by an older version: without the settings added since (padMode, logScale ...).
  const { padMode: _p, logScale: _l, ...old } = defaultSpectrumParams(8000);
  const res = await runAudioSelfTaught({ train, trainY: y, test: train, testY: y, classNames: ['a', 'b'] }, old as SpectrumParams, config, { pool: config.pooling, baseline: false, log: () => undefined });
  pipeline = res.pipeline;
}, 120_000);

describe('pipelineParts: one derivation of a trained pipeline for the exporters', () => {
  it('fills in the spectrum settings a run saved before they existed, with the values it computed with', () => {
    const parts = pipelineParts(pipeline);
    expect(parts.spectrum).toEqual(defaultSpectrumParams(8000));
    expect(parts.windows).toEqual({ frames: 3, bands: 6 });
    expect(parts.pool).toEqual({ method: 'meanmax', segments: 2 });
    expect(parts.standardise).toBe('training');
  });

  it('the affine preprocessing and encoder, and the folded filters, give the autoencoder\'s features', () => {
    const parts = pipelineParts(pipeline);
    const { windows } = allWindows(train.slice(0, 3), 3);
    const want = saeFeatures(pipeline.sae, windows);
    const { stages, inDim, outDim } = parts.preprocess;
    const { hidden, W1, b1 } = parts.encoder;
    const { F, b } = parts.filters;
    let worst = 0;
    for (let r = 0; r < windows.rows; r++) {
      const x = windows.data.subarray(r * inDim, (r + 1) * inDim);
      let z = Array.from(x);
      for (const st of stages) {
        if (st.kind === 'clip') z = z.map((v) => Math.min(Math.max(v, st.low), st.high));
        else z = Array.from({ length: st.outDim }, (_, o) => st.c[o] + z.reduce((s, v, i) => s + st.A[o * st.inDim + i] * v, 0));
      }
      expect(z.length).toBe(outDim);
      for (let j = 0; j < hidden; j++) {
        const two = 1 / (1 + Math.exp(-(b1[j] + z.reduce((s, v, o) => s + W1[j * outDim + o] * v, 0))));
        const one = 1 / (1 + Math.exp(-(b[j] + x.reduce((s, v, i) => s + F[j * inDim + i] * v, 0))));
        worst = Math.max(worst, Math.abs(two - want.data[r * hidden + j]), Math.abs(one - want.data[r * hidden + j]));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('the softmax with the standardisation folded in gives the classifier\'s probabilities', () => {
    const parts = pipelineParts(pipeline);
    const X = pipelineFeatures(pipeline, train);
    const want = predict(pipeline.classifier, X).probs;
    const { kernel, bias } = parts.classifier.folded;
    const k = 2, n = parts.width;
    expect(X.cols).toBe(n);
    let worst = 0;
    for (let r = 0; r < X.rows; r++) {
      const s = Array.from({ length: k }, (_, j) => bias[j] + Array.from({ length: n }, (_, i) => X.data[r * n + i] * kernel[i * k + j]).reduce((a, v) => a + v, 0));
      const m = Math.max(...s), e = s.map((v) => Math.exp(v - m)), z = e.reduce((a, v) => a + v, 0);
      for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(e[j] / z - want.data[r * k + j]));
    }
    expect(worst).toBeLessThan(1e-5);
  });
});
