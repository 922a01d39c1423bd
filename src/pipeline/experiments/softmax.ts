/**
 * The softmax experiment: softmax regression (weight decay, L-BFGS) on the preprocessed input
 * vectors themselves, tested on held-out data -> outputs/<run>/ with the model, metrics.json,
 * confusion.png and cost.png. Also the softmax stage that self-taught learning reuses.
 */
import type { Matrix } from '../../compute/matrix.ts';
import { Preprocessor } from '../../features/preprocess.ts';
import { softmaxPredict, softmaxTrain, type SoftmaxModel } from '../../models/softmax.ts';
import { accuracy } from '../../models/metrics.ts';
import type { Config } from '../config.ts';
import { saveSoftmaxClassifier } from '../classifier-model.ts';
import { progress } from '../progress.ts';
import { RunDir } from '../run-dir.ts';
import { checkClassificationData, classificationData, type ClassificationData, type Log } from './classification-data.ts';
import { evaluate, StageTimer, writeConfusionPng, writeCostCurves, type Evaluation } from './evaluation.ts';

export interface ClassificationExperimentResult {
  runPath: string;
  /** What metrics.json holds; `test` is the final result on the test data in every experiment. */
  metrics: Record<string, unknown> & { test: Evaluation; classNames: string[]; seed: number };
}

export const stderrLog: Log = (s) => process.stderr.write(`${s}\n`);

/** Softmax (config.softmax) on feature rows, with a progress bar; returns the model and its cost per iteration. */
export async function trainSoftmaxStage(X: Matrix, y: Int32Array, numClasses: number, config: Config): Promise<{ model: SoftmaxModel; costs: number[] }> {
  const costs: number[] = [];
  const bar = progress({ stage: 'softmax (L-BFGS)', total: config.softmax.maxIter });
  try {
    const model = await softmaxTrain(X, y, { numClasses, lambda: config.softmax.lambda }, {
      maxIter: config.softmax.maxIter,
      seed: config.run.seed,
      onIteration: (info) => {
        costs.push(info.cost);
        bar.update(info.iter, { cost: info.cost.toPrecision(6) });
      },
    });
    return { model, costs };
  } finally {
    bar.stop();
  }
}

/** The softmax's own summary for metrics.json. */
export function softmaxSummary(model: SoftmaxModel, config: Config): Record<string, unknown> {
  const t = model.training;
  return { lambda: config.softmax.lambda, maxIter: config.softmax.maxIter, bias: model.bias, iterations: t?.iterations, finalCost: t?.cost, stopReason: t?.stopReason };
}

/**
 * `data` defaults to what config.data asks for (classificationData); pass it to run the same
 * experiment on another source's vectors.
 */
export async function runSoftmaxExperiment(config: Config, log: Log = stderrLog, data?: ClassificationData): Promise<ClassificationExperimentResult> {
  const run = await RunDir.create({ command: 'train-softmax', root: config.run.outputs, name: config.run.name, config, seed: config.run.seed });
  try {
    const timer = new StageTimer();
    const d = data ?? (await timer.time('data', () => classificationData(config, 'softmax', log)));
    checkClassificationData(d);
    const k = d.classNames.length;
    const preprocessor = new Preprocessor({ normalise: config.normalise, whitening: config.whitening });
    const Z = await timer.time('preprocess', () => preprocessor.fitTransform(d.trainX));
    const Zt = preprocessor.transform(d.testX);
    const { model, costs } = await timer.time('softmax', () => trainSoftmaxStage(Z, d.trainY, k, config));
    const test = evaluate(d.testY, softmaxPredict(model, Zt).labels, k);
    const trainAccuracy = accuracy(d.trainY, softmaxPredict(model, Z).labels);

    await saveSoftmaxClassifier(run.path('model'), { model, classNames: d.classNames, input: d.input, features: 'raw', preprocessor });
    await writeConfusionPng(run, 'confusion.png', test, d.classNames, `softmax: ${(100 * test.accuracy).toFixed(2)}%`);
    await writeCostCurves(run, 'cost.png', { softmax: costs }, 'softmax cost');
    const metrics = {
      task: 'softmax',
      seed: config.run.seed,
      data: d.description,
      classNames: d.classNames,
      softmax: softmaxSummary(model, config),
      train: { examples: d.trainX.rows, accuracy: trainAccuracy },
      test,
      secondsPerStage: timer.seconds,
      costHistory: { softmax: costs },
    };
    await run.writeJson('metrics.json', metrics);
    return { runPath: await run.commit(), metrics };
  } catch (e) {
    await run.abort();
    throw e;
  }
}
