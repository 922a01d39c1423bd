import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/compute/backend.ts';
import { scanLabeledSet } from '../../src/data/labeled-set.ts';
import { convAePredict } from '../../src/models/conv-ae/conv-autoencoder.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { loadConvAeClassifier } from '../../src/models/conv-ae/saved-model.ts';
import { convAeData, runConvAeExperiment } from '../../src/pipeline/experiments/conv-ae.ts';
import { readPredictions } from '../../src/pipeline/run-records.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { loadTrainedRun } from '../../src/pipeline/trained-run.ts';
import { ROOT, runCli } from '../cli/run-cli.ts';

// 240 FSDD recordings: two speakers, indices 0-11; the official split tests on 0-4 (100) and trains on 5-11 (140).
let audio: string;
let root: string;

beforeAll(async () => {
  await initBackend();
  root = mkdtempSync(join(tmpdir(), 'sfl-conv-ae-'));
  audio = join(root, 'audio');
  mkdirSync(audio);
  for (const r of scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings) {
    if ((r.speaker === 'jackson' || r.speaker === 'lucas') && r.index! < 12) copyFileSync(r.path, join(audio, basename(r.path)));
  }
});

// A small network and few epochs: seconds, not minutes.
const small = { filters: [4, 8], kernel: [5, 5], pool: [2, 2], frames: 24, pretrainEpochs: 2, fineTuneEpochs: 3, batchSize: 32, learningRate: 3e-3 };
const smallFlags = ['--input-frames', '24', '--filters', '4,8', '--pretrain-epochs', '1', '--fine-tune-epochs', '2', '--learning-rate', '3e-3', '--quiet'];

describe('sfl conv-ae on a handful of FSDD recordings', () => {
  it('writes a complete run whose saved model reproduces the reported accuracy', async () => {
    const config = resolveConfig({
      experiment: 'conv-ae',
      data: { source: 'audio', audioDir: audio },
      convAe: small,
      split: { kind: 'official' },
      run: { outputs: join(root, 'outputs'), name: 'tiny', seed: 3 },
    });
    const tensors = tf.memory().numTensors;
    const lines: string[] = [];
    const { runPath, metrics } = await runConvAeExperiment(config, (l) => lines.push(l));
    expect(tf.memory().numTensors).toBe(tensors);
    // --input-frames counts frames: the run says how long that is and how many recordings it cuts.
    expect(lines).toContainEqual(expect.stringMatching(/: 240 recordings, 10 classes; each recording brought to 24 frames \(0\.40 s\) x 40 bands: \d+ of 240 are longer and keep only their loudest 0\.40 s \(--input-frames to change\)$/));
    for (const f of ['run.json', 'metrics.json', 'report.html', 'filters.png', 'filters-pretrained.png', 'cost.png', 'confusion.png', 'confusion-pretrained.png', 'model/model.json', 'model/weights.bin', 'pretrained/model.json']) {
      expect(existsSync(join(runPath, f)), f).toBe(true);
    }
    const m = JSON.parse(readFileSync(join(runPath, 'metrics.json'), 'utf8'));
    expect(m.seed).toBe(3);
    expect(m.data).toMatchObject({ split: 'official', train: 140, test: 100, frames: 24, bands: 40 });
    expect(m.network.layers.map((l: { pooled: number[] }) => l.pooled)).toEqual([[10, 18], [3, 7]]);
    expect(m.beforeFineTune.test.examples).toBe(100);
    expect(m.afterFineTune.test.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(100);
    expect(m.test.accuracy).toBe(m.afterFineTune.test.accuracy);
    expect(m.test.accuracy).toBeGreaterThan(0.3); // 10 classes: chance is 0.1
    expect(m.costHistory['fine-tune']).toHaveLength(3);
    expect(Object.keys(m.secondsPerStage)).toEqual(['data', 'layer 1', 'layer 2', 'softmax', 'fine-tune']);
    expect(metrics.test.accuracy).toBe(m.test.accuracy);
    expect(readFileSync(join(runPath, 'report.html'), 'utf8')).toContain('filters-pretrained.png');

    // The saved model, fed the same test pictures, predicts exactly what was reported.
    const saved = await loadConvAeClassifier(join(runPath, 'model'));
    expect(saved.picture).toMatchObject({ kind: 'spectrogram', frames: 24, bands: 40 });
    expect(saved.standardise.mean).toHaveLength(40);
    const fold = (await convAeData(config, () => {})).folds[0];
    const x = tf.tensor4d(fold.test.x, [fold.test.n, 24, 40, 1]);
    const predicted = convAePredict(saved.model, x);
    x.dispose();
    const correct = predicted.reduce((a, p, i) => a + (p === fold.test.y[i] ? 1 : 0), 0);
    expect(correct / fold.test.n).toBe(m.test.accuracy);

    // The run by its name through the one run interface, from the test recordings themselves: the same accuracy.
    const run = await loadTrainedRun('tiny', join(root, 'outputs'));
    expect(run.kind).toBe('conv-ae');
    if (run.input.kind !== 'audio') throw new Error('an audio run');
    const testRecs = scanLabeledSet(audio).recordings.filter((r) => r.index! < 5);
    const s = await loadSpectra(testRecs.map((r) => r.path), { ...run.input.spectrum }, { cache: false });
    const { labels, probs } = run.classify(s.spectra);
    expect(probs.rows).toBe(100);
    expect(testRecs.filter((r, i) => run.classNames![labels[i]] === r.label).length / 100).toBe(m.test.accuracy);
    expect(() => run.encode(s.spectra)).toThrow(/convolutional autoencoder classifier/);

    // predictions.json: every test recording with its file, true and predicted label and the
    // classifier's probabilities, which are what the saved model gives it.
    const p = readPredictions(runPath)!;
    expect(p.split).toBe('official');
    expect(p.test.map((t) => t.path).sort()).toEqual(testRecs.map((r) => r.path).sort());
    const byPath = new Map(testRecs.map((r, i) => [r.path, i]));
    for (const t of p.test) {
      const i = byPath.get(t.path)!;
      expect(t.label).toBe(testRecs[i].label);
      expect(t.predicted).toBe(run.classNames![labels[i]]);
      expect(t.probabilities).toHaveLength(10);
      t.probabilities!.forEach((v, k) => expect(v).toBeCloseTo(probs.data[i * 10 + k], 3));
      expect(t.confidence).toBe(Math.max(...t.probabilities!));
    }
    expect(p.test.filter((t) => t.label === t.predicted).length / 100).toBe(m.test.accuracy);
  }, 60_000);

  it('runs on MNIST pictures too (the test fixture)', async () => {
    const config = resolveConfig({
      experiment: 'conv-ae',
      data: { source: 'mnist', mnistDir: join(ROOT, 'test/fixtures/mnist'), count: 400 },
      convAe: { ...small, shift: 2 },
      run: { outputs: join(root, 'outputs'), name: 'mnist' },
    });
    const { runPath, metrics } = await runConvAeExperiment(config, () => {});
    const m = metrics as unknown as { data: { train: number; test: number }; network: { layers: { pooled: number[] }[] }; test: { accuracy: number } };
    expect(m.data).toMatchObject({ train: 400, test: 200 });
    expect(m.network.layers.map((l) => l.pooled)).toEqual([[12, 12], [4, 4]]);
    expect(m.test.accuracy).toBeGreaterThan(0.4); // chance 0.1
    const saved = await loadConvAeClassifier(join(runPath, 'model'));
    expect(saved.picture).toEqual({ kind: 'image', width: 28, height: 28 });
    expect(saved.standardise.mean).toHaveLength(1);
  }, 60_000);

  it('the command prints the accuracy before and after fine-tuning with the confusion matrices', () => {
    const out = join(root, 'cli');
    const r = runCli(['conv-ae', '--audio', audio, ...smallFlags, '--seed', '2', '--outputs', out, '--name', 'c']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^before fine-tuning: test accuracy \d+\.\d\d% \(\d+ of 100\)$/m);
    expect(r.stdout).toMatch(/^after fine-tuning: test accuracy \d+\.\d\d% \(\d+ of 100\)$/m);
    expect(r.stdout).toMatch(/^true \\ pred/m);
    expect(r.stdout).toMatch(/^seed 2; run written to /m);
    const run = JSON.parse(readFileSync(join(out, 'c', 'run.json'), 'utf8'));
    expect(run.config.experiment).toBe('conv-ae');
    expect(run.config.convAe).toMatchObject({ filters: [4, 8], frames: 24, pretrainEpochs: 1, fineTuneEpochs: 2, learningRate: 3e-3 });
  }, 60_000);

  it('leave-one-speaker-out prints each held-out speaker and the mean', () => {
    const r = runCli(['conv-ae', '--audio', audio, ...smallFlags, '--split', 'loso', '--fine-tune-epochs', '0', '--outputs', join(root, 'cli'), '--name', 'loso']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^speakers-out\(jackson\): test accuracy before fine-tuning \d+\.\d\d%$/m);
    expect(r.stdout).toMatch(/^mean test accuracy \d+\.\d\d% ± \d+\.\d\d% \(standard deviation\) over 2 runs/m);
    const m = JSON.parse(readFileSync(join(root, 'cli', 'loso', 'metrics.json'), 'utf8'));
    expect(m.folds).toHaveLength(2);
    expect(m.test.examples).toBe(240);
    // Each recording predicted once, by the fold that held its speaker out.
    const p = readPredictions(join(root, 'cli', 'loso'))!;
    expect(p.test).toHaveLength(240);
    expect(new Set(p.test.map((t) => t.path)).size).toBe(240);
  }, 60_000);

  it('bad input is one sentence', () => {
    const tooShort = runCli(['conv-ae', '--audio', audio, '--input-frames', '8', '--quiet', '--outputs', join(root, 'cli')]);
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toMatch(/^sfl: convolutional autoencoder: layer 2 does not fit: .*use a larger input \(e\.g\. more frames\)/m);
    const kernel = runCli(['conv-ae', '--audio', audio, '--kernel', '5by5']);
    expect(kernel.code).toBe(1);
    expect(kernel.stderr).toMatch(/--kernel takes a size like 5x5/);
    expect(() => resolveConfig({ convAe: { kernel: [5] } })).toThrow(/convAe\.kernel must hold two sizes/);
  }, 60_000);

  it('--help explains every flag', () => {
    const r = runCli(['conv-ae', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--filters', '--kernel', '--pool-size', '--input-frames', '--pretrain-epochs', '--fine-tune-epochs', '--batch-size', '--learning-rate', '--corruption', '--shift', '--weight-decay', '--no-tied', '--split']) {
      expect(r.stdout).toContain(flag);
    }
    // A number of frames is said in seconds too (it depends on the rate), and auto's condition in full.
    const flat = r.stdout.replace(/\s+/g, ' ');
    expect(flat).toMatch(/48 frames of the default framing span 0\.57 s at 44\.1 kHz, 0\.78 s at 16 kHz/);
    expect(flat).toContain("auto (official when every file name carries FSDD's recording index and that split puts every label on both sides, else random)");
  });
});
