/**
 * Minibatch SGD with the tutorials' early stopping (optim/early-stopping.ts), on the device:
 * minibatches are taken in order (the tutorials do not shuffle), the validation error is measured
 * every `validationFrequency` minibatches, and the test error of each new best-validation model
 * is measured at once, so the reported test error is that of the model selected by validation.
 *
 * All progress lives in a plain TrainState plus the current and best weights, so a caller can
 * checkpoint after each epoch and continue later from exactly that point.
 */
import * as tf from '@tensorflow/tfjs';
import { EarlyStopping, defaultValidationFrequency, type EarlyStoppingOptions, type EarlyStoppingState } from '../../optim/early-stopping.ts';
import { progress } from '../../util/progress.ts';
import { type Classifier, errorRate } from './model.ts';
import type { BaselineData } from './data.ts';
import type { EarlyStoppingSettings } from './settings.ts';

export interface ValidationRecord {
  epoch: number;
  iter: number;
  validError: number;
  /** Test error, measured only when the validation error was a new best. */
  testError: number | null;
}

export interface EpochRecord {
  epoch: number;
  /** Mean training cost over the epoch's minibatches. */
  cost: number;
  /** Wall time of the epoch, validation and test included. */
  seconds: number;
}

export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  stopping: EarlyStoppingState;
  bestTestError: number | null;
  bestEpoch: number | null;
  validations: ValidationRecord[];
  epochs: EpochRecord[];
  stopReason: 'patience' | 'epochs' | null;
}

export interface SgdLoopOptions {
  batchSize: number;
  learningRate: number;
  /** Most epochs (the tutorials' n_epochs, or a cap). */
  epochs: number;
  stopping: EarlyStoppingSettings;
  /** Validate and test over whole minibatches only, as the tutorials' code (settings.ts). */
  evalWholeBatches?: boolean;
  label: string;
  log: (line: string) => void;
  /** Called after each epoch with the state and the weights; e.g. to write a checkpoint. */
  afterEpoch?: (state: TrainState, params: tf.Variable[], best: tf.Tensor[]) => Promise<void>;
}

function initialTrainState(stopping: EarlyStoppingOptions): TrainState {
  return { epoch: 0, stopping: new EarlyStopping(stopping).state, bestTestError: null, bestEpoch: null, validations: [], epochs: [], stopReason: null };
}

/** The early-stopping options with the tutorials' rules for unset patience and frequency. */
function resolveStopping(s: EarlyStoppingSettings, batchesPerEpoch: number): EarlyStoppingOptions {
  const patience = s.patience ?? 10 * batchesPerEpoch;
  return {
    patience,
    patienceIncrease: s.patienceIncrease,
    improvementThreshold: s.improvementThreshold,
    validationFrequency: s.validationFrequency ?? defaultValidationFrequency(batchesPerEpoch, patience),
  };
}

/** One plain SGD step by autodiff of `lossOf`; returns the cost before the step (a tensor, not synced). */
export function sgdStep(params: tf.Variable[], lossOf: () => tf.Scalar, learningRate: number): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(lossOf, params);
    for (const v of params) v.assign(tf.sub(v, tf.mul(grads[v.name], learningRate)));
    return value;
  });
}

export interface TrainResult {
  state: TrainState;
  /** The weights of the best-validation model (owned by the caller). */
  best: tf.Tensor[];
}

/**
 * Trains `model` from `state` (a fresh one or a checkpoint's) until patience runs out or
 * `epochs` epochs are done. `best` holds the best-validation weights so far (a checkpoint's, or
 * none yet); it is consumed.
 */
export async function trainWithEarlyStopping(
  model: Classifier,
  data: BaselineData,
  opts: SgdLoopOptions,
  state: TrainState | undefined,
  best: tf.Tensor[] = [],
): Promise<TrainResult> {
  const B = opts.batchSize;
  const nb = Math.floor(data.train.n / B);
  if (nb < 1) throw new RangeError(`batch size ${B} is larger than the ${data.train.n} training images`);
  // Minibatches train on the host (host-sgd.ts, host-mlp.ts) where the model's host trainer takes them.
  const host = model.host?.takes(B) ? model.host : undefined;
  const batches = host ? [] : data.blocks('train', B, true);
  const cols = data.train.cols;
  host?.pull();
  const evalBlocks = (part: 'valid' | 'test') =>
    opts.evalWholeBatches ? data.blocks(part, B, true) : data.blocks(part, model.evalBatch ?? data[part].n);
  const validBlocks = evalBlocks('valid');
  const testBlocks = evalBlocks('test');
  const es = new EarlyStopping(resolveStopping(opts.stopping, nb), state?.stopping);
  const st: TrainState = state ? structuredClone(state) : initialTrainState(es.options);
  st.stopping = es.state;
  st.stopReason = null;

  while (st.epoch < opts.epochs && !es.state.done) {
    const epoch = st.epoch + 1;
    const t0 = performance.now();
    let costSum = tf.scalar(0);
    let hostCostSum = 0;
    let steps = 0;
    const bar = nb >= 2000 ? progress({ stage: `${opts.label} epoch ${epoch}`, total: nb }) : undefined;
    for (let b = 0; b < nb; b++) {
      const iter = (epoch - 1) * nb + b;
      if (host) {
        hostCostSum += host.step(data.train.x.subarray(b * B * cols, (b + 1) * B * cols), data.train.y.subarray(b * B, (b + 1) * B), opts.learningRate);
      } else {
        const cost = model.sgdStep
          ? model.sgdStep(batches[b].x, batches[b].y, opts.learningRate)
          : sgdStep(model.params, () => model.loss(batches[b].x, batches[b].y), opts.learningRate);
        const sum = tf.add(costSum, cost) as tf.Scalar;
        tf.dispose([costSum, cost]);
        costSum = sum;
      }
      steps++;
      if (bar && b % 500 === 0) bar.update(b);
      if (es.validationDue(iter)) {
        host?.push();
        const validError = await errorRate(model, validBlocks);
        const outcome = es.report(iter, validError);
        let testError: number | null = null;
        if (outcome.improved) {
          testError = await errorRate(model, testBlocks);
          tf.dispose(best);
          best = model.params.map((p) => tf.clone(p));
          st.bestTestError = testError;
          st.bestEpoch = epoch;
        }
        st.validations.push({ epoch, iter, validError, testError });
      }
      if (es.shouldStop(iter)) break;
    }
    bar?.stop();
    const cost = ((await costSum.data())[0] + hostCostSum) / steps;
    costSum.dispose();
    host?.push();
    const seconds = (performance.now() - t0) / 1000;
    st.epoch = epoch;
    st.epochs.push({ epoch, cost, seconds });
    const last = st.validations[st.validations.length - 1];
    const valid = last && last.epoch === epoch ? `, validation error ${pct(last.validError)}` : '';
    const test = last && last.epoch === epoch && last.testError !== null ? `, test error ${pct(last.testError)} (new best)` : '';
    opts.log(`${opts.label} epoch ${epoch}: cost ${cost.toFixed(5)}${valid}${test}, ${seconds.toFixed(2)} s/epoch`);
    if (opts.afterEpoch) await opts.afterEpoch(st, model.params, best);
  }
  st.stopReason = es.state.done ? 'patience' : 'epochs';
  return { state: st, best };
}

export function pct(e: number): string {
  return `${(100 * e).toFixed(3)}%`;
}
