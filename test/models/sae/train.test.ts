import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../src/compute/backend.ts';
import { scanLabeledSet } from '../../../src/data/labeled-set.ts';
import { audioWindows, mnistImages } from '../../../src/pipeline/inputs.ts';
import { loadSpectra } from '../../../src/pipeline/spectra.ts';
import { loadSaeModel, saeFeatures, saeFilters, saveSaeModel } from '../../../src/models/sae/saved-model.ts';
import { trainSae } from '../../../src/models/sae/train.ts';
import { filterPicture } from '../../../src/models/sae/filter-picture.ts';
import { ROOT } from '../../cli/run-cli.ts';

const FIXTURE = join(ROOT, 'test/fixtures/mnist');
const tmp = () => mkdtempSync(join(tmpdir(), 'sfl-sae-'));

describe('train a sparse autoencoder end to end', () => {
  it('MNIST: lowers the cost, picks the sigmoid decoder for [0,1] pixels, saves and reloads exactly', async () => {
    await initBackend();
    const { X, input } = mnistImages(FIXTURE, { count: 200 });
    const res = await trainSae(X, input, {
      preprocess: { normalise: 'none', whitening: { kind: 'none', epsilon: 0.1, retainVariance: 1 } },
      hidden: 16, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'auto', maxIter: 15, seed: 1, workers: 1,
    });
    const h = res.lbfgs.history;
    expect(res.model.hyper.decoder).toBe('sigmoid');
    expect(h[h.length - 1].cost).toBeLessThan(0.5 * h[0].cost);
    const dir = tmp();
    await saveSaeModel(dir, res.model);
    const back = await loadSaeModel(dir);
    const a = saeFeatures(res.model, X), b = saeFeatures(back, X);
    expect(b.rows).toBe(200);
    expect(b.cols).toBe(16);
    let maxDiff = 0;
    for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i] - b.data[i]));
    expect(maxDiff).toBeLessThan(1e-5); // float32 weights on disk
    const img = filterPicture(back).image;
    expect(img.width).toBeGreaterThan(4 * 28);
  });

  it('audio: ZCA-whitened windows get the linear decoder and filters drawn back in K x bands input space', async () => {
    await initBackend();
    const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter((r) => r.speaker === 'george').slice(0, 20);
    const spectra = await loadSpectra(recs.map((r) => r.path), { transform: 'mel', bands: 20 }, { cache: false });
    const { X, input } = audioWindows(spectra, { frames: 3, count: 1500, seed: 2 });
    expect(X.cols).toBe(60);
    const res = await trainSae(X, input, {
      preprocess: { normalise: 'standardise', whitening: { kind: 'zca', epsilon: 0.1, retainVariance: 1 } },
      hidden: 10, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'auto', maxIter: 10, seed: 1, workers: 1,
    });
    expect(res.model.hyper.decoder).toBe('linear');
    const F = saeFilters(res.model);
    expect([F.rows, F.cols]).toEqual([10, 60]);
    const dir = tmp();
    await saveSaeModel(dir, res.model);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const back = await loadSaeModel(dir);
    expect(back.input).toMatchObject({ kind: 'spectro-temporal', frames: 3, bands: 20 });
    const pic = filterPicture(back);
    expect(pic.image.height).toBeGreaterThan(20);
    // The drawn patches are one of the two views, each unit once, in the input's K x bands space.
    expect(pic.patches).toMatchObject({ rows: 10, cols: 60 });
    expect([...pic.units!].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(pic.caption).toMatch(/chosen|rather than/);
  });
});
