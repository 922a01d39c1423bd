import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { resolveConfig, type PartialConfig } from '../../src/pipeline/config.ts';
import { loadSoftmaxClassifier, loadStackedClassifier } from '../../src/models/classifier-model.ts';
import { checkClassificationData, mnistSelfTaughtData } from '../../src/pipeline/experiments/classification-data.ts';
import { classificationData } from '../../src/pipeline/experiments/classification-source.ts';
import { runSelfTaughtExperiment } from '../../src/pipeline/experiments/self-taught.ts';
import { runSoftmaxExperiment } from '../../src/pipeline/experiments/softmax.ts';
import { runStackedExperiment } from '../../src/pipeline/experiments/stacked.ts';
import type { Evaluation } from '../../src/pipeline/run-metrics.ts';
import { stackedPredict } from '../../src/models/stacked/stacked.ts';
import { SflError } from '../../src/util/errors.ts';
import { setQuiet } from '../../src/util/progress.ts';
import { ROOT } from '../cli/run-cli.ts';
import { loadTrainedRun } from '../../src/pipeline/trained-run.ts';
import type { Matrix } from '../../src/compute/matrix.ts';

// The committed fixture: 1,000 training and 200 test images. Tiny networks and few iterations,
// so each experiment takes a few seconds; the accuracies are far above chance all the same.
const FIXTURE = join(ROOT, 'test/fixtures/mnist');
const quiet = () => undefined;

function config(outputs: string, extra: PartialConfig = {}) {
  return resolveConfig({
    data: { source: 'mnist', mnistDir: FIXTURE },
    normalise: 'none',
    sae: { hidden: 25, maxIter: 20 },
    softmax: { maxIter: 50 },
    stacked: { layers: [25, 25], fineTune: true, fineTuneMaxIter: 30 },
    ...extra,
    run: { outputs, name: 'run', seed: 3, overwrite: true },
  });
}

function confusionTotal(e: Evaluation): number {
  return e.confusion.flat().reduce((a, b) => a + b, 0);
}

function readMetrics(runPath: string) {
  return JSON.parse(readFileSync(join(runPath, 'metrics.json'), 'utf8'));
}

/** Rows of 28 x 28 pixels as one picture each. */
function images(X: Matrix): Matrix[] {
  return Array.from({ length: X.rows }, (_, i) => ({ data: X.data.subarray(i * X.cols, (i + 1) * X.cols), rows: 28, cols: 28 }));
}

beforeAll(async () => {
  setQuiet(true);
  await initBackend();
});

describe('MNIST classification experiments on the fixture', () => {
  it('self-taught: features of digits 5-9 classify digits 0-4, tested on the second half of their images', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-st-'));
    const { runPath, metrics } = await runSelfTaughtExperiment(config(out), quiet);
    const onDisk = readMetrics(runPath);
    expect(onDisk.test.accuracy).toBe(metrics.test.accuracy);
    expect(onDisk.test.accuracy).toBeGreaterThan(0.6);
    expect(onDisk.classNames).toEqual(['0', '1', '2', '3', '4']);
    expect(onDisk.seed).toBe(3);
    expect(confusionTotal(onDisk.test)).toBe(onDisk.data.test);
    expect(onDisk.data.train + onDisk.data.test).toBe(510); // images of digits 0-4 in the fixture
    expect(onDisk.test.perClass).toHaveLength(5);
    expect(readdirSync(runPath).sort()).toEqual(['confusion.png', 'cost.png', 'encoder', 'filters.png', 'metrics.json', 'report.html', 'run.json', 'softmax', 'tfjs']);
    expect((await loadSoftmaxClassifier(join(runPath, 'softmax'))).features).toBe('encoder');
    // The run through the one run interface classifies the test images as reported.
    const d = await classificationData(config(out), 'self-taught', quiet);
    const run = await loadTrainedRun(runPath);
    expect(run.kind).toBe('self-taught');
    const got = run.classify(images(d.testX)).labels;
    expect(got.filter((p, i) => p === d.testY[i]).length / got.length).toBe(metrics.test.accuracy);

    // Reusing the saved encoder gives the same features, hence the same softmax and accuracy.
    const again = await runSelfTaughtExperiment(config(out, { selfTaught: { encoder: join(runPath, 'encoder') } as PartialConfig['selfTaught'] }), quiet);
    expect(again.metrics.test.accuracy).toBe(metrics.test.accuracy);
    expect((again.metrics.encoder as { loadedFrom: string }).loadedFrom).toBe(join(runPath, 'encoder'));

    // softmax.chooseWeightDecay: the weight decay is chosen on held-out training rows and recorded.
    const lines: string[] = [];
    const chosen = await runSelfTaughtExperiment(
      config(out, { selfTaught: { encoder: join(runPath, 'encoder') } as PartialConfig['selfTaught'], softmax: { maxIter: 50, chooseWeightDecay: [1e-4, 30] } }),
      (l) => lines.push(l),
    );
    const s = readMetrics(chosen.runPath).softmax;
    // A weight decay of 30 flattens the softmax: it cannot win on held-out rows.
    expect(s.weightDecay).toBe(1e-4);
    expect(s.weightDecayChoice.heldOut).toBe(Math.round(0.2 * (chosen.metrics.data as { train: number }).train));
    expect(s.weightDecayChoice.candidates.map((c: { weightDecay: number }) => c.weightDecay)).toEqual([1e-4, 30]);
    expect(s.weightDecayChoice.candidates[0].heldOutAccuracy).toBeGreaterThan(s.weightDecayChoice.candidates[1].heldOutAccuracy);
    expect(lines).toContain('softmax weight decay chosen: 0.0001');
    // Trained on all the training rows with the winner: the same model as naming it outright.
    expect(chosen.metrics.test.accuracy).toBe(again.metrics.test.accuracy);
  });

  it('stacked: accuracy before and after fine-tuning; fine-tuning does not lower training accuracy', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-stacked-'));
    const { runPath, metrics } = await runStackedExperiment(config(out), quiet);
    const m = readMetrics(runPath);
    expect(m.layerSizes).toEqual([784, 25, 25]);
    expect(m.afterFineTune.test.accuracy).toBeGreaterThan(0.6);
    expect(m.afterFineTune.train.accuracy).toBeGreaterThanOrEqual(m.beforeFineTune.train.accuracy);
    expect(confusionTotal(m.beforeFineTune.test)).toBe(200);
    expect(confusionTotal(m.afterFineTune.test)).toBe(200);
    expect(metrics.test.accuracy).toBe(m.afterFineTune.test.accuracy);
    expect(Object.keys(m.secondsPerStage)).toEqual(['data', 'layer 1', 'layer 2', 'softmax', 'fine-tune']);
    for (const f of ['model', 'pretrained', 'filters.png', 'filters-pretrained.png', 'cost.png', 'confusion.png', 'confusion-pretrained.png']) {
      expect(existsSync(join(runPath, f)), f).toBe(true);
    }
    // The saved network predicts what the metrics say it did.
    const saved = await loadStackedClassifier(join(runPath, 'model'));
    const d = await classificationData(config(out), 'stacked', quiet);
    const pred = stackedPredict(saved.model, saved.preprocessor.transform(d.testX)).labels;
    let correct = 0;
    pred.forEach((p, i) => { if (p === d.testY[i]) correct++; });
    expect(correct / pred.length).toBeCloseTo(m.afterFineTune.test.accuracy, 6);
    // The same through the one run interface, fed the test images as pictures.
    const run = await loadTrainedRun(runPath);
    expect(run.kind).toBe('stacked');
    expect(Array.from(run.classify(images(d.testX)).labels)).toEqual(Array.from(pred));
    expect(Array.from((await loadTrainedRun(join(runPath, 'pretrained'))).classify(images(d.testX)).labels)).toEqual(
      Array.from(stackedPredict((await loadStackedClassifier(join(runPath, 'pretrained'))).model, saved.preprocessor.transform(d.testX)).labels),
    );
  });

  it('softmax on pixels beats chance by far and writes the same metrics', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-softmax-'));
    const { runPath } = await runSoftmaxExperiment(config(out), quiet);
    const m = readMetrics(runPath);
    expect(m.test.accuracy).toBeGreaterThan(0.6);
    expect(confusionTotal(m.test)).toBe(200);
    expect(m.test.perClass).toHaveLength(10);
  });
});

describe('bad input is an SflError', () => {
  it('a class with no training example', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-bad-'));
    const d = mnistSelfTaughtData(config(out), quiet);
    const trainY = d.trainY.map((y) => (y === 2 ? 1 : y)); // no training example of class "2" left
    expect(() => checkClassificationData({ ...d, trainY })).toThrow(/class 2 has no training example/);
    await expect(runSelfTaughtExperiment(config(out), quiet, { ...d, trainY })).rejects.toThrow(SflError);
    // The failed run leaves nothing behind.
    expect(readdirSync(out)).toEqual([]);
  });

  it('softmax.chooseWeightDecay where the weight decay also serves fine-tuning, or is negative', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-bad-'));
    await expect(runStackedExperiment(config(out, { softmax: { chooseWeightDecay: [1e-4, 1e-3] } }), quiet)).rejects.toThrow(/softmax.chooseWeightDecay is not supported by stacked/);
    expect(readdirSync(out)).toEqual([]);
    expect(() => config(out, { softmax: { chooseWeightDecay: [-1] } })).toThrow(/softmax.chooseWeightDecay/);
    expect(() => config(out, { softmax: { validationFraction: 0.9 } })).toThrow(/softmax.validationFraction/);
  });

  it('empty, repeated or single-digit sets', () => {
    expect(() => config('x', { selfTaught: { unlabeledDigits: [] } as PartialConfig['selfTaught'] })).toThrow(/selfTaught.unlabeledDigits must not be empty/);
    expect(() => mnistSelfTaughtData(config('x', { selfTaught: { labeledDigits: [3] } as PartialConfig['selfTaught'] }), quiet)).toThrow(/at least 2 digits/);
    expect(() => config('x', { selfTaught: { labeledDigits: [1, 1] } as PartialConfig['selfTaught'] })).not.toThrow();
    expect(() => mnistSelfTaughtData(config('x', { selfTaught: { labeledDigits: [1, 1] } as PartialConfig['selfTaught'] }), quiet)).toThrow(/repeated/);
  });

  it('an encoder made for other vectors', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-bad-'));
    await expect(runSelfTaughtExperiment(config(out, { selfTaught: { encoder: join(out, 'nothing') } as PartialConfig['selfTaught'] }), quiet)).rejects.toThrow(SflError);
  });
});
