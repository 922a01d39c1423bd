/**
 * Unsupervised SGD for one denoising autoencoder (dA.py's loop, and each layer of SdA.py's
 * pretraining): fixed epochs, minibatches in order, mean cost per epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { progress } from '../../util/progress.ts';
import { type DenoisingLayer, denoisingCost } from './denoising.ts';
import { daStep, hostDa, layerFromDevice, pushLayer } from './host-sgd.ts';
import { sgdStep } from './train.ts';
import type { Block } from './data.ts';
import { mulberry32 } from '../../util/random.ts';

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
  return runEpochs(o, nb, async (epoch, tick) => {
    let sum = tf.scalar(0);
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
      tick(b);
    }
    const total = (await sum.data())[0];
    sum.dispose();
    return total / nb;
  });
}

/**
 * The epochs still to do: each runs `epoch` (which returns the epoch's mean cost and calls
 * `tick` with each step done, for the progress bar), then is timed, logged and handed to
 * o.afterEpoch.
 */
async function runEpochs(
  o: PretrainOptions,
  steps: number,
  epoch: (e: number, tick: (step: number) => void) => Promise<number>,
): Promise<{ costs: number[]; seconds: number[] }> {
  const costs: number[] = [];
  const seconds: number[] = [];
  for (let e = (o.startEpoch ?? 0) + 1; e <= o.epochs; e++) {
    const t0 = performance.now();
    const bar = steps >= 2000 ? progress({ stage: `${o.label} epoch ${e}`, total: steps }) : undefined;
    const cost = await epoch(e, (step) => {
      if (bar && step % 500 === 0) bar.update(step);
    });
    bar?.stop();
    const s = (performance.now() - t0) / 1000;
    costs.push(cost);
    seconds.push(s);
    o.log(`${o.label} epoch ${e}: cost ${cost.toFixed(4)}, ${s.toFixed(2)} s/epoch`);
    if (o.afterEpoch) await o.afterEpoch(e, cost, s);
  }
  return { costs, seconds };
}

/** Rows on the host: n inputs of `cols` values each. */
export interface HostRows {
  x: Float32Array;
  n: number;
  cols: number;
}

/**
 * pretrainLayer with minibatches of one input, on the host (host-sgd.ts): the SdA tutorial's
 * batch_size = 1. `inputs` are the layer's clean inputs, computed once (the layers below do not
 * change while this one trains). The corruption masks come from a generator seeded per epoch,
 * so a run resumed at an epoch boundary draws the same masks; they are not the device path's.
 */
export async function pretrainLayerHost(layer: DenoisingLayer, inputs: HostRows, o: PretrainOptions): Promise<{ costs: number[]; seconds: number[] }> {
  const { n, cols } = inputs;
  if (n < 1) throw new RangeError('no inputs to train on');
  const [nVisible] = layer.W.shape;
  if (cols !== nVisible) throw new RangeError(`inputs of ${cols} values for a layer of ${nVisible} visible units`);
  const host = hostDa(layerFromDevice(layer.W, layer.bHidden), layer.bVisible.dataSync());
  return runEpochs(o, n, async (epoch, tick) => {
    const rng = mulberry32((o.seed + epoch) >>> 0);
    const keep = () => rng() >= o.corruption;
    let sum = 0;
    for (let r = 0; r < n; r++) {
      sum += daStep(host, inputs.x.subarray(r * cols, (r + 1) * cols), keep, o.learningRate);
      tick(r);
    }
    pushLayer(host, layer.W, layer.bHidden);
    tf.tidy(() => layer.bVisible.assign(tf.tensor1d(host.bVisible)));
    return sum / n;
  });
}
