/**
 * The one supervised stage every pipeline ends with: softmax regression (config.softmax) on
 * feature rows, its weight decay given or chosen on held-out training rows, trained with L-BFGS
 * from an initial point drawn with the run's seed, behind a progress bar. The softmax and
 * self-taught experiments, conv on MNIST, and the audio pipelines (self-taught, conv, their
 * baseline) all train their classifier here.
 */
import type { Matrix } from '../compute/matrix.ts';
import { softmaxTrain, type SoftmaxModel } from '../models/softmax/softmax.ts';
import { chooseSoftmaxWeightDecay, type WeightDecayChoice } from '../models/softmax/choose-weight-decay.ts';
import type { Config } from './config.ts';
import { progress } from '../util/progress.ts';

export type Log = (s: string) => void;

export const stderrLog: Log = (s) => process.stderr.write(`${s}\n`);

/**
 * The weight decay config.softmax names: `weightDecay`, or the one of `chooseWeightDecay` that does best on
 * held-out training rows (softmax-weight-decay.ts), each candidate logged.
 */
async function softmaxWeightDecay(X: Matrix, y: Int32Array, numClasses: number, config: Config, log: Log = stderrLog): Promise<{ weightDecay: number; choice?: WeightDecayChoice }> {
  const s = config.softmax;
  if (s.chooseWeightDecay.length === 0) return { weightDecay: s.weightDecay };
  const choice = await chooseSoftmaxWeightDecay(X, y, s.chooseWeightDecay, {
    numClasses,
    fraction: s.validationFraction,
    seed: config.run.seed,
    maxIter: s.maxIter,
    onCandidate: (weightDecay, acc) => log(`softmax weight decay ${weightDecay}: ${(100 * acc).toFixed(2)}% on ${Math.round(s.validationFraction * X.rows)} held-out training rows`),
  });
  log(`softmax weight decay chosen: ${choice.weightDecay}`);
  return { weightDecay: choice.weightDecay, choice };
}

export interface SoftmaxStageResult {
  model: SoftmaxModel;
  /** Cost after each L-BFGS iteration. */
  costs: number[];
  /** How the weight decay was chosen, when config.softmax.chooseWeightDecay is set. */
  choice?: WeightDecayChoice;
}

/** Softmax (config.softmax) on feature rows, with a progress bar. */
export async function trainSoftmaxStage(X: Matrix, y: Int32Array, numClasses: number, config: Config, log: Log = stderrLog): Promise<SoftmaxStageResult> {
  const { weightDecay, choice } = await softmaxWeightDecay(X, y, numClasses, config, log);
  const costs: number[] = [];
  const bar = progress({ stage: 'softmax (L-BFGS)', total: config.softmax.maxIter });
  try {
    const model = await softmaxTrain(X, y, { numClasses, weightDecay }, {
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
export function softmaxSummary(model: SoftmaxModel, config: Config, choice?: WeightDecayChoice): Record<string, unknown> {
  const t = model.training;
  return {
    weightDecay: model.weightDecay,
    ...(choice ? { weightDecayChoice: { validationFraction: config.softmax.validationFraction, ...choice } } : {}),
    maxIter: config.softmax.maxIter,
    bias: model.bias,
    iterations: t?.iterations,
    finalCost: t?.cost,
    stopReason: t?.stopReason,
  };
}
