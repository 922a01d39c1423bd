import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { writeIdx } from '../../src/data/idx.ts';
import { readNpyMatrix } from '../../src/data/npy.ts';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import type { Matrix } from '../../src/compute/matrix.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { resolveConfig, type PartialConfig } from '../../src/pipeline/config.ts';
import { runConvAeExperiment } from '../../src/pipeline/experiments/conv-ae.ts';
import { MNIST_BASELINE_EXPERIMENTS } from '../../src/pipeline/experiments/mnist-baselines.ts';
import { runMnistConvExperiment } from '../../src/pipeline/experiments/mnist-conv.ts';
import { runSelfTaughtExperiment } from '../../src/pipeline/experiments/self-taught.ts';
import { runSoftmaxExperiment } from '../../src/pipeline/experiments/softmax.ts';
import { runStackedExperiment } from '../../src/pipeline/experiments/stacked.ts';
import { exportTfjs, tfjsExportRefusal } from '../../src/pipeline/tfjs-export.ts';
import { loadTrainedRun, type TrainedRun } from '../../src/pipeline/trained-run.ts';
import { setQuiet } from '../../src/util/progress.ts';
import { runCli, ROOT } from '../cli/run-cli.ts';
import { classifyWithExport, loadExport, maxAbsDiff, serveFolder } from './tfjs-consumer.ts';

// The committed MNIST fixture (1,000 training and 200 test images); tiny networks, few iterations.
const FIXTURE = join(ROOT, 'test/fixtures/mnist');
const root = mkdtempSync(join(tmpdir(), 'sfl-tfjs-images-'));
const outputs = join(root, 'outputs');
const quiet = () => undefined;
let server: { base: string; close: () => void };
let test: { images: Matrix[]; labels: Uint8Array };

function config(name: string, extra: PartialConfig = {}) {
  return resolveConfig({
    data: { source: 'mnist', mnistDir: FIXTURE, count: 400 },
    normalise: 'none',
    sae: { hidden: 16, maxIter: 10 },
    softmax: { maxIter: 30 },
    ...extra,
    baselines: {
      trainCount: 800, validCount: 200,
      logreg: { epochs: 2, batchSize: 100 },
      mlp: { epochs: 1, batchSize: 50, hidden: [16] },
      lenet: { epochs: 1, batchSize: 100, kernels: [3, 4], hidden: 16 },
      da: { epochs: 1, hidden: 16 },
      sda: { epochs: 1, batchSize: 20, hidden: [16, 12], corruption: [0.1, 0.2], pretrainEpochs: 1 },
    } as PartialConfig['baselines'],
    run: { outputs, name, seed: 3 },
  });
}

beforeAll(async () => {
  setQuiet(true);
  await initBackend();
  server = await serveFolder(root);
  const t = loadMnist(FIXTURE, 'test', { limit: 40 });
  const X = t.images;
  test = { images: Array.from({ length: X.rows }, (_, i) => ({ data: X.data.subarray(i * 784, (i + 1) * 784), rows: 28, cols: 28 })), labels: t.labels };
}, 60_000);
afterAll(() => server.close());

/** Exports the run, loads it over HTTP with tf.loadLayersModel, and checks the run's own probabilities on test images. */
async function roundTrip(run: TrainedRun, name: string): Promise<string[]> {
  await exportTfjs(run, join(root, 'tfjs', name));
  const e = await loadExport(`${server.base}/tfjs/${name}`);
  try {
    expect(e.frontend).toMatchObject({ format: 'sfl-frontend', version: 2, input: 'image', image: { width: 28, height: 28 }, models: { encoder: null } });
    expect(e.frontend.classNames).toEqual(run.classNames);
    const want = run.classify(test.images).probs;
    const got = classifyWithExport(e, test.images);
    expect([got.rows, got.cols]).toEqual([want.rows, want.cols]);
    // float32 on both sides: sums over 784 pixels (a 784 x 784 ZCA) differ by about 1e-4 in a probability.
    expect(maxAbsDiff(got.data, want.data)).toBeLessThan(5e-4);
    return e.classifier.layers.map((l) => l.name).slice(1);
  } finally {
    e.dispose();
  }
}

describe('TensorFlow.js export of the MNIST runs: one classifier/ model from pixels to probabilities', () => {
  it('self-taught, conv, stacked, softmax and conv-ae', async () => {
    const selfTaught = await runSelfTaughtExperiment(config('self-taught', { whitening: { kind: 'zca', epsilon: 0.1 }, selfTaught: { unlabeledDigits: [5, 6, 7, 8, 9], labeledDigits: [0, 1, 2, 3, 4], trainFraction: 0.5 } as PartialConfig['selfTaught'] }), quiet);
    expect(await roundTrip(await loadTrainedRun(selfTaught.runPath), 'self-taught')).toEqual(['preprocess', 'features', 'softmax']);
    const conv = await runMnistConvExperiment(config('conv', { experiment: 'conv', windows: { count: 2000 }, conv: { patchSize: 6, poolSize: 8 } } as PartialConfig), quiet);
    expect(await roundTrip(await loadTrainedRun(conv.runPath), 'conv')).toEqual(['image', 'features', 'pool_mean', 'pool_max', 'pool', 'flatten', 'softmax']);
    const stacked = await runStackedExperiment(config('stacked', { normalise: 'standardise', stacked: { layers: [16, 12], fineTune: true, fineTuneMaxIter: 5 } }), quiet);
    expect(await roundTrip(await loadTrainedRun(stacked.runPath), 'stacked')).toEqual(['preprocess', 'layer1', 'layer2', 'softmax']);
    const softmax = await runSoftmaxExperiment(config('softmax'), quiet);
    expect(await roundTrip(await loadTrainedRun(softmax.runPath), 'softmax')).toEqual(['softmax']);
    const convAe = await runConvAeExperiment(config('conv-ae', { convAe: { filters: [4], kernel: [5, 5], pool: [2, 2], pretrainEpochs: 1, fineTuneEpochs: 1, batchSize: 50 } } as PartialConfig), quiet);
    expect(await roundTrip(await loadTrainedRun(convAe.runPath), 'conv-ae')).toEqual(['picture', 'standardise', 'conv1', 'pool1', 'flatten', 'softmax']);
  }, 240_000);
});

describe('MNIST baseline runs (sfl mnist) through the one run interface', () => {
  it('logreg, mlp, lenet and sda classify the test images as reported, and export to TensorFlow.js', async () => {
    const layers: Record<string, string[]> = {
      logreg: ['softmax'],
      mlp: ['dense1', 'softmax'],
      lenet: ['image', 'conv1', 'pool1', 'tanh1', 'conv2', 'pool2', 'tanh2', 'flatten', 'dense3', 'softmax'],
      sda: ['dense1', 'dense2', 'softmax'],
    };
    const all = loadMnist(FIXTURE, 'test');
    const images = Array.from({ length: all.images.rows }, (_, i) => ({ data: all.images.data.subarray(i * 784, (i + 1) * 784), rows: 28, cols: 28 }));
    for (const model of ['logreg', 'mlp', 'lenet', 'sda'] as const) {
      const { runPath } = await MNIST_BASELINE_EXPERIMENTS[`mnist-${model}`](config(model), quiet);
      const run = await loadTrainedRun(runPath);
      expect(run.kind).toBe('mnist-baseline');
      expect(run.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      // The reported test error is the saved (best-validation) model's, over the whole test file.
      const metrics = JSON.parse(readFileSync(join(runPath, 'metrics.json'), 'utf8'));
      const { labels } = run.classify(images);
      const wrong = labels.reduce((n, l, i) => n + (l === all.labels[i] ? 0 : 1), 0);
      expect(wrong / images.length, model).toBeCloseTo(1 - metrics.testAccuracy, 10);
      expect(await roundTrip(run, model), model).toEqual(layers[model]);
      if (model === 'logreg') expect(run.cannotEncode).toMatch(/learned no features/);
      else expect(run.encode(test.images.slice(0, 3)).features.cols).toBe(model === 'sda' ? 12 : 16);
    }
  }, 240_000);

  it('a dA learned features but no classifier: it encodes, draws its filters, and says in a sentence that it cannot classify or export', async () => {
    const { runPath } = await MNIST_BASELINE_EXPERIMENTS['mnist-da'](config('da'), quiet);
    const run = await loadTrainedRun(runPath);
    expect(run.cannotClassify).toMatch(/denoising autoencoder .*learned features but no classifier/);
    expect(tfjsExportRefusal(run)).toMatch(/no classifier.*TensorFlow.js export writes runs that classify/);
    expect(run.encode(test.images.slice(0, 2)).features.cols).toBe(16);
    expect(run.filters().image.width).toBeGreaterThan(28);
    const r = runCli(['classify', 'da', join(ROOT, 'audio/fsdd/recordings/0_george_0.wav'), '--outputs', outputs]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/learned features but no classifier/);
  }, 120_000);

  it('sfl classify takes PNG and idx image files for an image run, and says why it skips a recording; sfl visualize draws its filters', async () => {
    const run = await loadTrainedRun('logreg', outputs);
    // Three test images as PNGs (grey, light on dark) and the same three as an idx file.
    const dir = join(root, 'images');
    mkdirSync(dir);
    const bytes = test.images.slice(0, 3).map((m) => Uint8Array.from(m.data, (v) => Math.round(v * 255)));
    bytes.forEach((b, i) => {
      const png = new PNG({ width: 28, height: 28 });
      b.forEach((v, j) => png.data.set([v, v, v, 255], 4 * j));
      writeFileSync(join(dir, `digit-${i}.png`), PNG.sync.write(png));
    });
    const idx = new Uint8Array(3 * 784);
    bytes.forEach((b, i) => idx.set(b, i * 784));
    writeIdx(join(dir, 'three-idx3-ubyte.gz'), [3, 28, 28], idx);
    const wav = join(ROOT, 'audio/fsdd/recordings/0_george_0.wav');
    const r = runCli(['classify', 'logreg', dir, wav, '--outputs', outputs, '--json']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const want = Array.from(run.classify(test.images.slice(0, 3)).labels, (l) => String(l));
    expect(lines.filter((l) => l.label).map((l) => [basename(l.file), l.label])).toEqual([
      ['digit-0.png', want[0]], ['digit-1.png', want[1]], ['digit-2.png', want[2]],
      ['three-idx3-ubyte.gz[0]', want[0]], ['three-idx3-ubyte.gz[1]', want[1]], ['three-idx3-ubyte.gz[2]', want[2]],
    ]);
    expect(lines.find((l) => l.error)).toEqual({ file: wav, error: 'not a PNG or idx image file (.png, *idx3-ubyte[.gz]); this run classifies 28 x 28 images' });
    expect(r.stderr).toMatch(/^6 images classified from 4 file\(s\); 1 file\(s\) skipped$/m);
    // sfl encode on an image run: one row of the last hidden layer per image (logistic regression has none: a sentence).
    const npy = join(root, 'mlp.npy');
    const enc = runCli(['encode', 'mlp', join(dir, 'three-idx3-ubyte.gz'), '--out', npy, '--outputs', outputs]);
    expect(enc.code, enc.stderr).toBe(0);
    const mlp = await loadTrainedRun('mlp', outputs);
    const want3 = mlp.encode(test.images.slice(0, 3)).features;
    const got3 = readNpyMatrix(npy);
    expect([got3.rows, got3.cols]).toEqual([3, 16]);
    expect(maxAbsDiff(got3.data, want3.data)).toBeLessThan(1e-6); // the idx bytes are the fixture's own
    expect(JSON.parse(readFileSync(`${npy}.json`, 'utf8')).images).toHaveLength(3);
    const none = runCli(['encode', 'logreg', join(dir, 'three-idx3-ubyte.gz'), '--out', npy, '--outputs', outputs]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/learned no features to encode/);
    const png = join(root, 'logreg.png');
    const v = runCli(['visualize', 'logreg', '--out', png, '--outputs', outputs]);
    expect(v.code, v.stderr).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  }, 120_000);
});
