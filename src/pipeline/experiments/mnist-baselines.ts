/**
 * The MNIST baselines of the deep-learning tutorials as experiments: `(config, log, options)` ->
 * outputs/<run>/ with metrics.json, the learning curve (or, for the dA, the filters and cost
 * curve) and the best model's weights. Settings come from config.baselines (settings.ts).
 *
 * Each epoch ends with a checkpoint in outputs/.checkpoints/<run>/ (outside the run's staging
 * folder, which an interrupt deletes); `resume: true` continues run config.run.name from it, and
 * a committed run removes its checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { rm, rmdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config.ts';
import { resolveMnistDir } from '../../data/mnist.ts';
import type { RunDir } from '../run-dir.ts';
import { inRunFolder } from '../run-folder.ts';
import { runMetrics, type RunMetrics } from '../run-metrics.ts';
import { SflError } from '../../util/errors.ts';
import { mulberry32 } from '../../util/random.ts';
import { encodePng } from '../../viz/png.ts';
import { linePlot, type Series } from '../../viz/line-plot.ts';
import { filterGrid } from '../../viz/filter-grid.ts';
import { loadBaselineData, type BaselineData } from '../../models/mnist-baselines/data.ts';
import type { Classifier } from '../../models/mnist-baselines/model.ts';
import { hostKernelKind } from '../../compute/engine.ts';
import { logisticRegression } from '../../models/mnist-baselines/logreg.ts';
import { mlp } from '../../models/mnist-baselines/mlp.ts';
import { lenet } from '../../models/mnist-baselines/lenet.ts';
import { denoisingLayer, stackedDenoising, type DenoisingLayer, type StackedDenoising } from '../../models/mnist-baselines/denoising.ts';
import { pretrainLayer, pretrainLayerHost, type HostRows, type PretrainOptions } from '../../models/mnist-baselines/pretrain.ts';
import { pct, trainWithEarlyStopping, type SgdLoopOptions, type TrainState } from '../../models/mnist-baselines/train.ts';
import type { BaselineModel, SupervisedSettings } from '../../models/mnist-baselines/settings.ts';
import { assignSaved, checkpointDir, readCheckpoint, savedTensors, writeCheckpoint } from '../../models/mnist-baselines/checkpoint.ts';

export interface BaselineRunOptions {
  /** Continue run config.run.name from its checkpoint. */
  resume?: boolean;
}

export interface BaselineResult {
  runPath: string;
  metrics: RunMetrics;
}

type Log = (line: string) => void;
const stderrLog: Log = (s) => process.stderr.write(`${s}\n`);
const PIXELS = 784;
const CLASSES = 10;

/** What a checkpoint header holds for every model. */
interface Header {
  model: BaselineModel;
  config: Config;
  /** Supervised training (or the SdA's fine-tuning) so far. */
  train?: TrainState;
  /** dA / SdA pretraining: per layer, the cost and seconds of each epoch done. */
  pretrain?: { costs: number[][]; seconds: number[][] };
}

interface Context {
  model: BaselineModel;
  config: Config;
  log: Log;
  run: RunDir;
  data: BaselineData;
  ckptDir: string;
  resumed?: { header: Header; groups: Record<string, { shape: number[]; data: Float32Array }[]> };
  startedAt: number;
}

async function withRun(model: BaselineModel, config: Config, log: Log, opts: BaselineRunOptions, body: (c: Context) => Promise<Record<string, unknown>>): Promise<BaselineResult> {
  const root = resolve(config.run.outputs);
  let resumed: Context['resumed'];
  if (opts.resume) {
    if (!config.run.name) throw new SflError('resuming needs the run name (--resume <run>)');
    resumed = readCheckpoint<Header>(checkpointDir(root, config.run.name));
    if (resumed.header.model !== model) {
      throw new SflError(`run ${config.run.name} is a mnist ${resumed.header.model} run, not mnist ${model}`);
    }
  }
  const dir = resolveMnistDir(config.data.mnistDir ?? undefined);
  // The run's name owns its checkpoint folder too: an unnamed run never picks a name whose
  // checkpoint exists (so concurrent runs never share one), and a named run refuses to start
  // over an unfinished run's checkpoint unless resuming it or told to overwrite.
  const alsoOwns = opts.resume
    ? undefined
    : (name: string) => ({
        path: checkpointDir(root, name),
        hint: `has an unfinished run's checkpoint in ${checkpointDir(root, name)}; continue it with --resume ${name}, or pass --overwrite to start again`,
      });
  const result = await inRunFolder({ command: `mnist-${model}`, config, root, alsoOwns }, async (run) => {
    const ckptDir = checkpointDir(root, run.name);
    // Starting over (--overwrite): the old checkpoint must not be resumed by mistake later.
    if (!resumed) await rm(ckptDir, { recursive: true, force: true });
    log(`mnist ${model}: run ${run.name}${resumed ? ' (resumed)' : ''}; checkpoints in ${ckptDir} (continue with --resume ${run.name})`);
    const startedAt = performance.now();
    const data = loadBaselineData(dir, config.baselines);
    log(`MNIST ${dir}: ${data.train.n} training, ${data.valid.n} validation, ${data.test.n} test images`);
    let details: Record<string, unknown>;
    try {
      details = await body({ model, config, log, run, data, ckptDir, resumed, startedAt });
    } finally {
      data.dispose();
    }
    details.wallSeconds = (performance.now() - startedAt) / 1000;
    // The baselines measure a test error (no per-example predictions are kept): the headline is 1 - that.
    const testError = typeof details.testError === 'number' ? details.testError : null;
    const metrics = runMetrics(
      {
        experiment: `mnist-${model}`,
        seed: config.run.seed,
        classNames: 'testError' in details ? Array.from({ length: CLASSES }, (_, i) => String(i)) : null,
        testAccuracy: testError === null ? null : 1 - testError,
        finalCost: typeof details.finalCost === 'number' ? details.finalCost : null,
      },
      details,
    );
    return { metrics, ckptDir };
  });
  // The checkpoints go once the run is committed; the shared checkpoints folder too once no run needs it.
  await rm(result.ckptDir, { recursive: true, force: true });
  await rmdir(dirname(result.ckptDir)).catch(() => undefined);
  return { runPath: result.runPath, metrics: result.metrics };
}

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** Validation error per epoch and the test error of each new best, in percent. */
function learningCurve(st: TrainState, batchesPerEpoch: number, title: string): Uint8Array {
  const at = (v: { iter: number }) => (v.iter + 1) / batchesPerEpoch;
  const tested = st.validations.filter((v) => v.testError !== null);
  const series: Series[] = [
    { name: 'validation error', x: st.validations.map(at), y: st.validations.map((v) => 100 * v.validError) },
    { name: 'test error of best-validation model', x: tested.map(at), y: tested.map((v) => 100 * (v.testError as number)) },
  ];
  return encodePng(linePlot(series, { title, xLabel: 'epoch', yLabel: 'error (%)' }));
}

/**
 * Where the SGD steps ran, for metrics.json: the host (host-sgd.ts, host-mlp.ts) with its row
 * kernels, or tfjs's backend. (Measuring errors always runs on tfjs's backend.)
 */
function stepsRanOn(onHost: boolean): string {
  return onHost ? `host, ${hostKernelKind()} row kernels` : `tfjs ${tf.getBackend()} backend`;
}

/** Supervised training with early stopping, checkpoints, metrics and plot: logreg, MLP, LeNet, SdA fine-tuning. */
async function supervised(c: Context, net: Classifier, checkpointParams: tf.Variable[], s: SupervisedSettings, extraHeader: Partial<Header> = {}): Promise<Record<string, unknown>> {
  let state: TrainState | undefined;
  let best: tf.Tensor[] = [];
  if (c.resumed?.header.train) {
    state = c.resumed.header.train;
    best = savedTensors(c.resumed.groups.best);
  }
  const loop: SgdLoopOptions = {
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    epochs: s.epochs,
    stopping: s,
    evalWholeBatches: c.config.baselines.evalWholeBatches,
    label: c.model,
    log: c.log,
    afterEpoch: (st, _params, bestNow) =>
      writeCheckpoint<Header>(c.ckptDir, { model: c.model, config: c.config, ...extraHeader, train: st }, { params: checkpointParams, best: bestNow }),
  };
  const res = await trainWithEarlyStopping(net, c.data, loop, state, best);
  const st = res.state;
  const nb = Math.floor(c.data.train.n / s.batchSize);
  // The run's model is the best-validation one, as the tutorials keep it.
  if (res.best.length) net.params.forEach((p, i) => p.assign(res.best[i]));
  await writeCheckpoint(c.run.path('model'), { model: c.model, config: c.config }, { params: net.params });
  tf.dispose(res.best);
  const bestValidation = st.stopping.bestValidation;
  const bestIter = st.stopping.bestIter;
  if (st.validations.length) await c.run.writeFile('learning-curve.png', learningCurve(st, nb, `mnist ${c.model}`));
  const secondsPerEpoch = mean(st.epochs.map((e) => e.seconds));
  c.log(
    `mnist ${c.model}: test error ${st.bestTestError === null ? 'n/a' : pct(st.bestTestError)} of the best-validation model ` +
      `(validation ${Number.isFinite(bestValidation) ? pct(bestValidation) : 'n/a'}, epoch ${st.bestEpoch}); ${st.epoch} epochs, stopped by ${st.stopReason}; ` +
      `${secondsPerEpoch?.toFixed(2)} s/epoch`,
  );
  return {
    model: c.model,
    settings: s,
    trainImages: c.data.train.n,
    validImages: c.data.valid.n,
    testImages: c.config.baselines.evalWholeBatches ? Math.floor(c.data.test.n / s.batchSize) * s.batchSize : c.data.test.n,
    testError: st.bestTestError,
    bestValidationError: Number.isFinite(bestValidation) ? bestValidation : null,
    bestEpoch: st.bestEpoch,
    bestIter,
    epochs: st.epoch,
    stopReason: st.stopReason,
    patience: st.stopping.patience,
    secondsPerEpoch,
    trainSeconds: st.epochs.reduce((a, e) => a + e.seconds, 0),
    backend: tf.getBackend(),
    stepsRanOn: stepsRanOn(net.host?.takes(s.batchSize) ?? false),
    validations: st.validations,
    epochHistory: st.epochs,
  };
}

function restoreParams(c: Context, params: tf.Variable[]): void {
  if (c.resumed) assignSaved(params, c.resumed.groups.params, 'weights');
}

/** A network trained end to end (logreg, mlp, lenet): built, resumed when the run is, trained, then freed. */
function runSupervised(model: BaselineModel, config: Config, log: Log, opts: BaselineRunOptions, s: SupervisedSettings, build: () => Classifier): Promise<BaselineResult> {
  return withRun(model, config, log, opts, async (c) => {
    const net = build();
    try {
      restoreParams(c, net.params);
      return await supervised(c, net, net.params, s);
    } finally {
      tf.dispose(net.params);
    }
  });
}

export function runMnistLogreg(config: Config, log: Log = stderrLog, opts: BaselineRunOptions = {}): Promise<BaselineResult> {
  const s = config.baselines.logreg;
  return runSupervised('logreg', config, log, opts, s, () => logisticRegression(PIXELS, CLASSES, s.weightDecay));
}

function runMnistMlp(config: Config, log: Log = stderrLog, opts: BaselineRunOptions = {}): Promise<BaselineResult> {
  const s = config.baselines.mlp;
  return runSupervised('mlp', config, log, opts, s, () => mlp(mulberry32(config.run.seed), PIXELS, s.hidden, CLASSES, s.weightDecay));
}

function runMnistLenet(config: Config, log: Log = stderrLog, opts: BaselineRunOptions = {}): Promise<BaselineResult> {
  const s = config.baselines.lenet;
  const shape = { side: 28, kernels: s.kernels, filterSize: s.filterSize, pool: s.pool, hidden: s.hidden, classes: CLASSES };
  return runSupervised('lenet', config, log, opts, s, () => lenet(mulberry32(config.run.seed), shape, s.weightDecay));
}

function costPlot(costs: number[][], title: string): Uint8Array {
  const series = costs.map((y, i) => ({ name: costs.length > 1 ? `layer ${i + 1}` : 'reconstruction cross-entropy', x: y.map((_, e) => e + 1), y }));
  return encodePng(linePlot(series, { title, xLabel: 'epoch', yLabel: 'cost' }));
}

/**
 * Pretrains one dA on the training images mapped by `inputOf`: minibatches on the device, or,
 * with a batch size of 1, one input at a time on the host (host-sgd.ts, several times faster).
 */
async function pretrain(c: Context, layer: DenoisingLayer, batchSize: number, inputOf: (x: tf.Tensor2D) => tf.Tensor2D, o: PretrainOptions): Promise<void> {
  if (batchSize !== 1) {
    await pretrainLayer(layer, c.data.blocks('train', batchSize, true), inputOf, o);
    return;
  }
  if ((o.startEpoch ?? 0) >= o.epochs) return;
  await pretrainLayerHost(layer, hostInputs(c.data, inputOf, layer.W.shape[0]), o);
}

/** The training images mapped by `inputOf`, computed on the device in blocks, as host rows. */
function hostInputs(data: BaselineData, inputOf: (x: tf.Tensor2D) => tf.Tensor2D, cols: number): HostRows {
  const BLOCK = 1000;
  const { n } = data.train;
  const x = new Float32Array(n * cols);
  for (const [k, b] of data.blocks('train', BLOCK).entries()) {
    const codes = inputOf(b.x);
    x.set(codes.dataSync(), k * BLOCK * cols);
    if (codes !== b.x) codes.dispose();
  }
  data.release('train', BLOCK);
  return { x, n, cols };
}

/** Seeds of the corruption masks: distinct per run seed and layer; the device path adds the step, the host path the epoch. */
function corruptionSeed(runSeed: number, layer: number): number {
  return runSeed * 1_000_003 + layer * 100_000_007;
}

export function runMnistDa(config: Config, log: Log = stderrLog, opts: BaselineRunOptions = {}): Promise<BaselineResult> {
  return withRun('da', config, log, opts, async (c) => {
    const s = config.baselines.da;
    const layer = denoisingLayer(mulberry32(config.run.seed), PIXELS, s.hidden);
    try {
      restoreParams(c, layer.params);
      const done = c.resumed?.header.pretrain ?? { costs: [[]], seconds: [[]] };
      await pretrain(c, layer, s.batchSize, (x) => x, {
        epochs: s.epochs,
        learningRate: s.learningRate,
        corruption: s.corruption,
        seed: corruptionSeed(config.run.seed, 0),
        label: 'da',
        log,
        startEpoch: done.costs[0].length,
        afterEpoch: async (_e, cost, sec) => {
          done.costs[0].push(cost);
          done.seconds[0].push(sec);
          await writeCheckpoint<Header>(c.ckptDir, { model: 'da', config, pretrain: done }, { params: layer.params });
        },
      });
      // One 28 x 28 tile per hidden unit: the unit's incoming weights.
      const W = tf.transpose(layer.W);
      const img = filterGrid({ data: (await W.data()) as Float32Array, rows: s.hidden, cols: PIXELS }, { tileWidth: 28, tileHeight: 28, scale: 2 });
      W.dispose();
      await c.run.writeFile('filters.png', encodePng(img));
      if (done.costs[0].length) await c.run.writeFile('cost.png', costPlot(done.costs, `mnist dA, corruption ${s.corruption}`));
      await writeCheckpoint(c.run.path('model'), { model: 'da', config }, { params: layer.params });
      const secondsPerEpoch = mean(done.seconds[0]);
      log(`mnist da: final cost ${done.costs[0].at(-1)?.toFixed(4)} after ${done.costs[0].length} epochs, ${secondsPerEpoch?.toFixed(2)} s/epoch`);
      return {
        model: 'da',
        settings: s,
        trainImages: c.data.train.n,
        epochs: done.costs[0].length,
        finalCost: done.costs[0].at(-1) ?? null,
        costs: done.costs[0],
        secondsPerEpoch,
        trainSeconds: done.seconds[0].reduce((a, b) => a + b, 0),
        backend: tf.getBackend(),
      };
    } finally {
      tf.dispose(layer.params);
    }
  });
}

export function runMnistSda(config: Config, log: Log = stderrLog, opts: BaselineRunOptions = {}): Promise<BaselineResult> {
  return withRun('sda', config, log, opts, async (c) => {
    const s = config.baselines.sda;
    if (s.corruption.length !== s.hidden.length) {
      throw new SflError(`baselines.sda.corruption has ${s.corruption.length} levels for ${s.hidden.length} hidden layers`);
    }
    const net: StackedDenoising = stackedDenoising(mulberry32(config.run.seed), PIXELS, s.hidden, CLASSES, s.weightDecay);
    try {
      restoreParams(c, net.allParams);
      const pre = c.resumed?.header.pretrain ?? { costs: s.hidden.map(() => []), seconds: s.hidden.map(() => []) };
      if (!c.resumed?.header.train) {
        for (const [i, layer] of net.layers.entries()) {
          await pretrain(c, layer, s.batchSize, (x) => net.inputOf(i, x), {
            epochs: s.pretrainEpochs,
            learningRate: s.pretrainLearningRate,
            corruption: s.corruption[i],
            seed: corruptionSeed(config.run.seed, i),
            label: `sda pretrain layer ${i + 1}`,
            log,
            startEpoch: pre.costs[i].length,
            afterEpoch: async (_e, cost, sec) => {
              pre.costs[i].push(cost);
              pre.seconds[i].push(sec);
              await writeCheckpoint<Header>(c.ckptDir, { model: 'sda', config, pretrain: pre }, { params: net.allParams });
            },
          });
        }
      }
      const metrics = await supervised(c, net, net.allParams, s, { pretrain: pre });
      if (pre.costs.some((x) => x.length)) await c.run.writeFile('pretrain-cost.png', costPlot(pre.costs, 'mnist SdA pretraining'));
      return {
        ...metrics,
        pretrainCosts: pre.costs,
        pretrainSecondsPerEpoch: pre.seconds.map(mean),
        pretrainSeconds: pre.seconds.flat().reduce((a, b) => a + b, 0),
        pretrainStepsRanOn: stepsRanOn(s.batchSize === 1),
      };
    } finally {
      tf.dispose(net.allParams);
    }
  });
}

/** The runners by experiment name, for src/pipeline/experiments/index.ts. */
export const MNIST_BASELINE_EXPERIMENTS = {
  'mnist-logreg': runMnistLogreg,
  'mnist-mlp': runMnistMlp,
  'mnist-lenet': runMnistLenet,
  'mnist-da': runMnistDa,
  'mnist-sda': runMnistSda,
} as const;
