/**
 * Unsupervised SGD for one denoising autoencoder (dA.py's loop, and each layer of SdA.py's
 * pretraining): fixed epochs, minibatches in order, mean cost per epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { progress } from '../../pipeline/progress.ts';
import { type DenoisingLayer, denoisingCost } from './denoising.ts';
import { sgdStep } from './train.ts';
import type { Block } from './data.ts';

export interface PretrainOptions {
  epochs: number;
  learningRate: number;
  corruption: number;
  /** Base of the per-step corruption seeds. */
  seed: number;
  label: string;
  log: (line: string) => void;
  /** Epochs already done (when resuming). */
  startEpoch?: number;
  /** After each epoch, e.g. to checkpoint. */
  afterEpoch?: (epoch: number, cost: number, seconds: number) => Promise<void>;
}

/**
 * Trains `layer` on the minibatches `batches`, first mapped by `inputOf` (identity for a lone
 * dA, the codes of the lower layers in a stack). Returns each epoch's mean cost and seconds.
 */
export async function pretrainLayer(
  layer: DenoisingLayer,
  batches: Block[],
  inputOf: (xb: tf.Tensor2D) => tf.Tensor2D,
  o: PretrainOptions,
): Promise<{ costs: number[]; seconds: number[] }> {
  const nb = batches.length;
  if (nb < 1) throw new RangeError('no minibatches to train on');
  const costs: number[] = [];
  const seconds: number[] = [];
  for (let epoch = (o.startEpoch ?? 0) + 1; epoch <= o.epochs; epoch++) {
    const t0 = performance.now();
    let sum = tf.scalar(0);
    const bar = nb >= 2000 ? progress({ stage: `${o.label} epoch ${epoch}`, total: nb }) : undefined;
    for (let b = 0; b < nb; b++) {
      const step = (epoch - 1) * nb + b;
      const cost = sgdStep(
        layer.params,
        () => denoisingCost(layer, inputOf(batches[b].x), o.corruption, o.seed + step),
        o.learningRate,
      );
      const next = tf.add(sum, cost) as tf.Scalar;
      tf.dispose([sum, cost]);
      sum = next;
      if (bar && b % 500 === 0) bar.update(b);
    }
    bar?.stop();
    const cost = (await sum.data())[0] / nb;
    sum.dispose();
    const s = (performance.now() - t0) / 1000;
    costs.push(cost);
    seconds.push(s);
    o.log(`${o.label} epoch ${epoch}: cost ${cost.toFixed(4)}, ${s.toFixed(2)} s/epoch`);
    if (o.afterEpoch) await o.afterEpoch(epoch, cost, s);
  }
  return { costs, seconds };
}
