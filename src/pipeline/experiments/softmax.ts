/**
 * The softmax experiment: softmax regression (weight decay, L-BFGS) on the preprocessed input
 * vectors themselves, tested on held-out data -> outputs/<run>/ with the model, metrics.json,
 * confusion.png and cost.png. Also the softmax stage that self-taught learning reuses.
 */
import type { Matrix } from '../../compute/matrix.ts';
import { Preprocessor } from '../../features/preprocess.ts';
import { softmaxPredict, softmaxTrain, type SoftmaxModel } from '../../models/softmax/softmax.ts';
import { chooseSoftmaxLambda, type LambdaChoice } from '../../models/softmax/choose-lambda.ts';
import { accuracy } from '../../models/metrics.ts';
import type { Config } from '../config.ts';
import { saveSoftmaxClassifier } from '../../models/classifier-model.ts';
import { progress } from '../../util/progress.ts';
import { RunDir, runOptions } from '../run-dir.ts';
import { checkClassificationData, classificationData, type ClassificationData, type Log } from './classification-data.ts';
import { evaluate, StageTimer, writeConfusionPng, writeCostCurves, type Evaluation } from './evaluation.ts';

export interface ClassificationExperimentResult {
  runPath: string;
  /** What metrics.json holds; `test` is the final result on the test data in every experiment. */
  metrics: Record<string, unknown> & { test: Evaluation; classNames: string[]; seed: number };
}

export const stderrLog: Log = (s) => process.stderr.write(`${s}\n`);

/**
 * The weight decay config.softmax names: `lambda`, or the one of `chooseLambda` that does best on
 * held-out training rows (models/softmax/choose-lambda.ts), each candidate logged.
 */
export async function softmaxLambda(X: Matrix, y: Int32Array, numClasses: number, config: Config, log: Log = stderrLog): Promise<{ lambda: number; choice?: LambdaChoice }> {
  const s = config.softmax;
  if (s.chooseLambda.length === 0) return { lambda: s.lambda };
  const choice = await chooseSoftmaxLambda(X, y, s.chooseLambda, {
    numClasses,
    fraction: s.validationFraction,
    seed: config.run.seed,
    maxIter: s.maxIter,
    onCandidate: (lambda, acc) => log(`softmax lambda ${lambda}: ${(100 * acc).toFixed(2)}% on ${Math.round(s.validationFraction * X.rows)} held-out training rows`),
  });
  log(`softmax lambda chosen: ${choice.lambda}`);
  return { lambda: choice.lambda, choice };
}

/**
 * Softmax (config.softmax) on feature rows, with a progress bar; returns the model, its cost per
 * iteration and, when config.softmax.chooseLambda is set, how its weight decay was chosen.
 */
export async function trainSoftmaxStage(X: Matrix, y: Int32Array, numClasses: number, config: Config, log: Log = stderrLog): Promise<{ model: SoftmaxModel; costs: number[]; choice?: LambdaChoice }> {
  const { lambda, choice } = await softmaxLambda(X, y, numClasses, config, log);
  const costs: number[] = [];
  const bar = progress({ stage: 'softmax (L-BFGS)', total: config.softmax.maxIter });
  try {
    const model = await softmaxTrain(X, y, { numClasses, lambda }, {
      maxIter: config.softmax.maxIter,
      seed: config.run.seed,
      onIteration: (info) => {
        costs.push(info.cost);
        bar.update(info.iter, { cost: info.cost.toPrecision(6) });
      },
    });
    return { model, costs, choice };
  } finally {
    bar.stop();
  }
}

/** The softmax's own summary for metrics.json (the weight decay it was trained with, and how that was chosen). */
export function softmaxSummary(model: SoftmaxModel, config: Config, choice?: LambdaChoice): Record<string, unknown> {
  const t = model.training;
  return {
    lambda: model.lambda,
    ...(choice ? { lambdaChoice: { validationFraction: config.softmax.validationFraction, ...choice } } : {}),
    maxIter: config.softmax.maxIter,
    bias: model.bias,
    iterations: t?.iterations,
    finalCost: t?.cost,
    stopReason: t?.stopReason,
  };
}

/**
 * `data` defaults to what config.data asks for (classificationData); pass it to run the same
 * experiment on another source's vectors.
 */
export async function runSoftmaxExperiment(config: Config, log: Log = stderrLog, data?: ClassificationData): Promise<ClassificationExperimentResult> {
  const run = await RunDir.create({ command: 'train-softmax', ...runOptions(config.run), config });
  try {
    const timer = new StageTimer();
    const d = data ?? (await timer.time('data', () => classificationData(config, 'softmax', log)));
    checkClassificationData(d);
    const k = d.classNames.length;
    const preprocessor = new Preprocessor({ normalise: config.normalise, whitening: config.whitening });
    const Z = await timer.time('preprocess', () => preprocessor.fitTransform(d.trainX));
    const Zt = preprocessor.transform(d.testX);
    const { model, costs, choice } = await timer.time('softmax', () => trainSoftmaxStage(Z, d.trainY, k, config, log));
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
      softmax: softmaxSummary(model, config, choice),
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
