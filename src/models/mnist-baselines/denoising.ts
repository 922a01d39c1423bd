/**
 * Denoising autoencoders (dA.py) and their stack (SdA.py).
 *
 * dA: tied weights, sigmoid units, input corrupted by zeroing each pixel with probability
 * `corruption`, cost the cross-entropy between the clean input and the reconstruction, summed
 * over pixels and averaged over the minibatch. W starts uniform in +-4 sqrt(6 / (nv + nh)) (the
 * sigmoid version of the tanh rule), the biases at zero.
 *
 * SdA: sigmoid hidden layers whose weights and hidden biases are shared with one dA each; the
 * dAs are trained greedily (layer i on the clean codes of layers below), then the whole stack
 * plus a logistic-regression layer (zeros) is fine-tuned as an MLP.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random.ts';
import { type Classifier, type HostTrainer, glorotUniform, nll, sumSquares, zeros } from './model.ts';
import { fineTuneStep, layerFromDevice, pushLayer, type HostNet } from './host-sgd.ts';

export interface DenoisingLayer {
  W: tf.Variable;
  bHidden: tf.Variable;
  bVisible: tf.Variable;
  params: tf.Variable[];
}

export function denoisingLayer(rng: Rng, nVisible: number, nHidden: number): DenoisingLayer {
  const W = glorotUniform(rng, [nVisible, nHidden], nVisible, nHidden, 4);
  const bHidden = zeros([nHidden]);
  const bVisible = zeros([nVisible]);
  return { W, bHidden, bVisible, params: [W, bHidden, bVisible] };
}

function encode(layer: Pick<DenoisingLayer, 'W' | 'bHidden'>, x: tf.Tensor2D): tf.Tensor2D {
  return tf.sigmoid(tf.add(tf.matMul(x, layer.W), layer.bHidden)) as tf.Tensor2D;
}

/**
 * The dA cost of clean inputs `x`. Each call draws a fresh corruption mask from `seed` (the
 * caller passes a different seed per step, so runs and resumed runs are reproducible).
 */
export function denoisingCost(layer: DenoisingLayer, x: tf.Tensor2D, corruption: number, seed: number): tf.Scalar {
  return tf.tidy(() => {
    const noisy = corruption > 0 ? tf.mul(x, tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), corruption), 'float32')) : x;
    const h = encode(layer, noisy as tf.Tensor2D);
    // Reconstruction pre-activation a: cross-entropy -[x log s(a) + (1-x) log(1-s(a))] equals
    // softplus(a) - x a, which stays finite where s(a) rounds to 0 or 1.
    const a = tf.add(tf.matMul(h, layer.W, false, true), layer.bVisible);
    return tf.mean(tf.sum(tf.sub(tf.softplus(a), tf.mul(x, a)), 1)) as tf.Scalar;
  });
}

export interface StackedDenoising extends Classifier {
  layers: DenoisingLayer[];
  /** Codes of layer `i`'s input: the clean image through layers 0..i-1. */
  inputOf(i: number, x: tf.Tensor2D): tf.Tensor2D;
  /** Every variable, the dAs' visible biases included (for checkpoints). */
  allParams: tf.Variable[];
}

export function stackedDenoising(rng: Rng, nIn: number, hidden: number[], nOut: number, weightDecay = 0): StackedDenoising {
  const sizes = [nIn, ...hidden];
  const layers = hidden.map((h, i) => denoisingLayer(rng, sizes[i], h));
  const Wout = zeros([sizes[sizes.length - 1], nOut]);
  const bout = zeros([nOut]);
  const inputOf = (i: number, x: tf.Tensor2D) =>
    tf.tidy(() => layers.slice(0, i).reduce((a, l) => encode(l, a), x));
  const logits = (x: tf.Tensor2D) => tf.tidy(() => tf.add(tf.matMul(inputOf(layers.length, x), Wout), bout) as tf.Tensor2D);
  const weights = [...layers.map((l) => l.W), Wout];
  const params = [...layers.flatMap((l) => [l.W, l.bHidden]), Wout, bout];
  return {
    layers,
    inputOf,
    params,
    allParams: [...params, ...layers.map((l) => l.bVisible)],
    logits,
    loss: (x, y) => tf.tidy(() => (weightDecay > 0 ? tf.add(nll(logits(x), y), tf.mul(weightDecay / 2, sumSquares(weights))) : nll(logits(x), y)) as tf.Scalar),
    host: sdaHostTrainer(layers, Wout, bout, weightDecay),
  };
}

/** Fine-tuning with one image per step on the host (the SdA tutorial's batch_size = 1). */
function sdaHostTrainer(layers: DenoisingLayer[], Wout: tf.Variable, bout: tf.Variable, weightDecay: number): HostTrainer {
  let net: HostNet | undefined;
  return {
    pull() {
      net = { hidden: layers.map((l) => layerFromDevice(l.W, l.bHidden)), out: layerFromDevice(Wout, bout), weightDecay };
    },
    takes: (batchSize) => batchSize === 1,
    step(x, labels, lr) {
      if (!net) throw new Error('host trainer used before pull()');
      return fineTuneStep(net, x, labels[0], lr);
    },
    push() {
      if (!net) throw new Error('host trainer used before pull()');
      net.hidden.forEach((L, i) => pushLayer(L, layers[i].W, layers[i].bHidden));
      pushLayer(net.out, Wout, bout);
    },
  };
}
