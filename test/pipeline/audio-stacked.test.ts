import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { scanLabeledSet } from '../../src/data/labeled-set.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { runStackedExperiment } from '../../src/pipeline/experiments/stacked.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { loadTrainedRun } from '../../src/pipeline/trained-run.ts';
import { readPredictions } from '../../src/pipeline/run-records.ts';
import { ROOT } from '../cli/run-cli.ts';

describe('stacked autoencoders on audio', () => {
  it('stack a layer on pooled window features, fine-tune, and classify unseen recordings far above chance', async () => {
    await initBackend();
    const root = mkdtempSync(join(tmpdir(), 'sfl-audio-stacked-'));
    const audio = join(root, 'audio');
    mkdirSync(audio);
    for (const r of scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings) {
      if ((r.speaker === 'jackson' || r.speaker === 'lucas') && r.index! < 12) copyFileSync(r.path, join(audio, basename(r.path)));
    }
    const config = resolveConfig({
      experiment: 'stacked',
      data: { source: 'audio', audioDir: audio },
      windows: { frames: 4, count: 3000 },
      normalise: 'standardise',
      whitening: { kind: 'zca', epsilon: 1 },
      sae: { hidden: 20, maxIter: 20, decoder: 'linear' },
      softmax: { weightDecay: 1e-3, maxIter: 100 },
      stacked: { layers: [16], fineTune: true, fineTuneMaxIter: 30 },
      split: { kind: 'official' },
      run: { outputs: join(root, 'outputs'), name: 'tiny' },
    });
    const { metrics, runPath } = await runStackedExperiment(config, () => {});
    const m = metrics as unknown as { test: { accuracy: number; confusion: number[][] }; data: { test: number } };
    expect(m.test.accuracy).toBeGreaterThan(0.5); // 10 classes: chance is 0.1
    expect(m.test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(m.data.test);
    // The saved classifier says what its input is: pooled window features (20 units x 3 segments x mean and max), not an image.
    const saved = JSON.parse(readFileSync(join(runPath, 'model', 'model.json'), 'utf8'));
    expect(JSON.stringify(saved)).toContain('"kind":"pooled-features","units":20,"blocks":6');

    // The run keeps its window autoencoder, so it classifies recordings themselves: the test ones as reported.
    const run = await loadTrainedRun(runPath);
    expect(run.kind).toBe('stacked');
    if (run.input.kind !== 'audio') throw new Error('an audio run');
    const test = scanLabeledSet(audio).recordings.filter((r) => r.index! < 5);
    const s = await loadSpectra(test.map((r) => r.path), { ...run.input.spectrum }, { cache: false });
    const { labels } = run.classify(s.spectra);
    expect(test.filter((r, i) => run.classNames![labels[i]] === r.label).length / test.length).toBeCloseTo(m.test.accuracy, 10);
    // predictions.json: each test recording, its true and predicted label and probabilities, as the saved run classifies it.
    const p = readPredictions(runPath)!;
    expect(p.test.map((t) => t.path).sort()).toEqual(test.map((r) => r.path).sort());
    for (const t of p.test) {
      const i = test.findIndex((r) => r.path === t.path);
      expect([t.label, t.predicted]).toEqual([test[i].label, run.classNames![labels[i]]]);
      expect(t.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      expect(t.confidence).toBe(Math.max(...t.probabilities!));
    }
    expect(p.test.filter((t) => t.label === t.predicted).length / p.test.length).toBeCloseTo(m.test.accuracy, 10);
    // A run saved without it (earlier versions) says how to get one that can.
    rmSync(join(runPath, 'window-encoder'), { recursive: true });
    const old = await loadTrainedRun(runPath);
    expect(old.cannotClassify).toMatch(/saved without the window autoencoder.*train it again/);
  }, 300_000);
});
