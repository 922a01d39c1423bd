import { mulberry32, shuffle as shuffleItems } from '../util/random.ts';
import { acceptEvaluation } from './evaluate.ts';
import type { CostAndGradient } from './types.ts';
import { allFinite } from './vector.ts';

/**
 * The epoch/batch loop shared by the stochastic optimisers (Adam, SGD with momentum). The data
 * stay with the caller: the optimiser asks for the cost and gradient of batch b at theta, and
 * the caller decides what batch b is. Only the update rule differs between optimisers.
 */

/** Cost and gradient of minibatch `batchIndex` (0 <= batchIndex < batchesPerEpoch) at theta. */
export type BatchCostFunction = (
  theta: Float64Array,
  batchIndex: number,
) => Promise<CostAndGradient> | CostAndGradient;

export interface EpochInfo {
  /** 1-based epoch just finished. */
  epoch: number;
  /** Mean of the minibatch costs seen during the epoch (theta moved between them). */
  meanCost: number;
  /** The live parameter vector: read or copy it, do not modify it. */
  theta: Float64Array;
}

export interface MinibatchOptions {
  /** Passes over all batches. Default 10. */
  epochs: number;
  /** Batches in one epoch. Required. */
  batchesPerEpoch: number;
  /** Visit the batches in a fresh random order every epoch. Default true. */
  shuffle: boolean;
  /** Seed of that order, so runs are repeatable. Default 1. */
  seed: number;
  /** Called after every epoch; return false to stop (stopReason 'callback'). */
  onEpoch?: (info: EpochInfo) => void | boolean;
}

export type MinibatchStopReason = 'epochs' | 'callback' | 'nonFinite';

export interface MinibatchResult {
  theta: Float64Array;
  /** Epochs completed. */
  epochs: number;
  /** Mean minibatch cost of the last completed epoch (NaN if none completed). */
  meanCost: number;
  stopReason: MinibatchStopReason;
  message: string;
  history: { epoch: number; meanCost: number }[];
}

/** Updates theta in place from the gradient of the k-th step (k = 1, 2, ...). */
export type UpdateRule = (theta: Float64Array, grad: Float64Array, k: number) => void;

export const defaultMinibatchOptions = { epochs: 10, shuffle: true, seed: 1 } as const;

export async function runMinibatch(
  who: string,
  fBatch: BatchCostFunction,
  theta0: Float64Array,
  options: Partial<MinibatchOptions> & Pick<MinibatchOptions, 'batchesPerEpoch'>,
  update: UpdateRule,
): Promise<MinibatchResult> {
  const epochs = options.epochs ?? defaultMinibatchOptions.epochs;
  const batches = options.batchesPerEpoch;
  if (!(Number.isInteger(batches) && batches >= 1)) {
    throw new Error(`${who}: batchesPerEpoch must be a positive integer, got ${batches}`);
  }
  const shuffle = options.shuffle ?? defaultMinibatchOptions.shuffle;
  const random = mulberry32(options.seed ?? defaultMinibatchOptions.seed);

  const n = theta0.length;
  const theta = Float64Array.from(theta0);
  // Parameters before the latest step: if the next evaluation is NaN/Inf, these are returned.
  const lastGood = new Float64Array(n);
  const order = Int32Array.from({ length: batches }, (_, i) => i);
  const history: MinibatchResult['history'] = [];
  let k = 0;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (shuffle) shuffleItems(random, order);
    let sum = 0;
    for (const b of order) {
      // The model gets its own copy: it may keep or transfer the array it is given.
      const r = acceptEvaluation(await fBatch(Float64Array.from(theta), b), n, who);
      if (!Number.isFinite(r.cost) || !allFinite(r.grad)) {
        if (k > 0) theta.set(lastGood);
        const message = `${who}: cost or gradient not finite in epoch ${epoch}, batch ${b}; ` +
          'returning the parameters before the last step (try a smaller learning rate)';
        return finish(theta, history, 'nonFinite', message);
      }
      sum += r.cost;
      lastGood.set(theta);
      update(theta, r.grad, ++k);
    }
    const meanCost = sum / batches;
    history.push({ epoch, meanCost });
    if (options.onEpoch && options.onEpoch({ epoch, meanCost, theta }) === false) {
      return finish(theta, history, 'callback', `${who}: stopped by onEpoch after epoch ${epoch}`);
    }
  }
  return finish(theta, history, 'epochs', `${who}: completed ${epochs} epochs`);
}

function finish(
  theta: Float64Array,
  history: MinibatchResult['history'],
  stopReason: MinibatchStopReason,
  message: string,
): MinibatchResult {
  const last = history[history.length - 1];
  return { theta, epochs: history.length, meanCost: last ? last.meanCost : NaN, stopReason, message, history };
}

