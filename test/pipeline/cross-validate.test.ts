import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { runSoftmaxExperiment } from '../../src/pipeline/experiments/softmax.ts';
import { readPredictions } from '../../src/pipeline/run-records.ts';
import { toneWav } from '../audio/wav-fixtures.ts';
import { tempDir, touch } from '../data/helpers.ts';

function tone(f: number, seconds = 0.4, rate = 8000): Uint8Array {
  return toneWav(Math.round(rate * seconds), rate, f, 9000);
}

describe('k-fold cross-validation of an experiment on one split (train-softmax on audio)', () => {
  it('runs each fold as a run of its own, tests every recording once, reports the mean and standard deviation', async () => {
    await initBackend();
    const dir = tempDir();
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 6; i++) {
      files[`low/l${i}.wav`] = tone(300 + 20 * i);
      files[`high/h${i}.wav`] = tone(2500 + 40 * i);
    }
    touch(dir, files);
    const outputs = mkdtempSync(join(tmpdir(), 'sfl-cv-'));
    const config = resolveConfig({
      experiment: 'softmax',
      data: { source: 'audio', audioDir: dir },
      spectrum: { bands: 10 },
      windows: { count: 200 },
      sae: { hidden: 4, maxIter: 5 },
      softmax: { maxIter: 20 },
      split: { kind: 'kfold', folds: 3 },
      run: { outputs, name: 'cv' },
    });
    const lines: string[] = [];
    const { runPath, metrics } = await runSoftmaxExperiment(config, (l) => lines.push(l));
    const folds = metrics.folds as { name: string; run: string; testAccuracy: number; test: { examples: number } }[];
    expect(folds.map((f) => f.name)).toEqual(['fold 1/3', 'fold 2/3', 'fold 3/3']);
    for (const f of folds) expect(existsSync(join(runPath, f.run, 'model', 'model.json'))).toBe(true);
    // Every recording is tested once, by the fold that did not train on it.
    expect(folds.reduce((n, f) => n + f.test.examples, 0)).toBe(12);
    expect(metrics.test.examples).toBe(12);
    const accs = folds.map((f) => f.testAccuracy);
    const mean = accs.reduce((a, b) => a + b, 0) / 3;
    expect(metrics.testAccuracy).toBeCloseTo(mean, 12);
    expect(metrics.testAccuracySd).toBeCloseTo(Math.sqrt(accs.reduce((a, x) => a + (x - mean) ** 2, 0) / 2), 12);
    expect(lines).toContain(`split: seeded stratified 3-fold cross-validation (seed 1), 3 runs`);
    expect(lines.some((l) => /^mean test accuracy \d+\.\d\d% ± \d+\.\d\d% \(standard deviation over 3 runs\)$/.test(l))).toBe(true);
    expect(JSON.parse(readFileSync(join(runPath, 'metrics.json'), 'utf8')).testAccuracy).toBeCloseTo(mean, 12);
    // predictions.json: every recording once, by the fold that held it out, agreeing with the pooled confusion.
    const p = readPredictions(runPath)!;
    expect(p.test.map((t) => t.path.split('/').slice(-2).join('/')).sort()).toEqual(Object.keys(files).sort());
    expect(p.test.filter((t) => t.label === t.predicted).length).toBe(metrics.test.confusion.reduce((n, row, i) => n + row[i], 0));
  }, 120_000);

  it('a folder with one class fails before any training, with a sentence', async () => {
    const dir = tempDir();
    touch(dir, { 'only/a.wav': tone(300), 'only/b.wav': tone(400) });
    const config = resolveConfig({ experiment: 'softmax', data: { source: 'audio', audioDir: dir }, split: { kind: 'kfold', folds: 2 }, run: { outputs: mkdtempSync(join(tmpdir(), 'sfl-cv-')) } });
    await expect(runSoftmaxExperiment(config, () => {})).rejects.toThrow(/a classifier needs at least 2 classes, and the recordings have one \(only\)/);
  });
});
