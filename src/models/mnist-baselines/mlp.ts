/**
 * Multilayer perceptron of mlp.py: tanh hidden layers (Glorot-uniform weights, zero biases) and a
 * logistic-regression output layer (zeros); cost NLL + weightDecay/2 * sum of squared weights.
 *
 * Its SGD step uses the hand-derived gradient (mlpGradient) rather than autodiff: with the
 * tutorial's minibatches of 20 images the products are tiny and the time per step is the number
 * of kernel calls, which backprop written out roughly halves. Checked against central differences
 * in the tests.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random.ts';
import { mlpHostStep, mlpScratch, type HostMlp, type MlpScratch } from './host-mlp.ts';
import { layerFromDevice, pushLayer } from './host-sgd.ts';
import { type Classifier, glorotUniform, type HostTrainer, nll, sumSquares, zeros } from './model.ts';

type Param = tf.Tensor | tf.Variable;

export interface MlpWeights {
  /** hidden layers in order: W (in x out), b (out) */
  layers: { W: Param; b: Param }[];
  Wout: Param;
  bout: Param;
}

export function mlp(rng: Rng, nIn: number, hidden: number[], nOut: number, weightDecay = 0): Classifier {
  const sizes = [nIn, ...hidden];
  const layers = hidden.map((h, i) => ({ W: glorotUniform(rng, [sizes[i], h], sizes[i], h), b: zeros([h]) }));
  const Wout = zeros([sizes[sizes.length - 1], nOut]);
  const bout = zeros([nOut]);
  const logits = (x: tf.Tensor2D) =>
    tf.tidy(() => {
      let a: tf.Tensor2D = x;
      for (const { W, b } of layers) a = tf.tanh(tf.add(tf.matMul(a, W), b)) as tf.Tensor2D;
      return tf.add(tf.matMul(a, Wout), bout) as tf.Tensor2D;
    });
  const weights = [...layers.map((l) => l.W), Wout];
  const params = [...layers.flatMap((l) => [l.W, l.b]), Wout, bout];
  return {
    params,
    logits,
    loss: (x, y) => tf.tidy(() => (weightDecay > 0 ? tf.add(nll(logits(x), y), tf.mul(weightDecay / 2, sumSquares(weights))) : nll(logits(x), y)) as tf.Scalar),
    sgdStep: (x, y, lr) =>
      tf.tidy(() => {
        const { cost, grads } = mlpGradient({ layers, Wout, bout }, x, y, weightDecay);
        params.forEach((p, i) => p.assign(tf.sub(p, tf.mul(grads[i], lr))));
        return cost;
      }),
    host: mlpHostTrainer(layers, Wout, bout, weightDecay),
  };
}

/**
 * Largest minibatch trained on the host. The host step goes one image at a time, so its cost
 * grows with the batch while the device's matrix products get more efficient. Measured with
 * 784-500-10, both cores loaded (npm run bench -- --only host-mlp): the host was 2.8-4x faster at
 * the tutorial's 20, 1.7x at 100 and 1.2x at 500, the largest size measured.
 */
export const MLP_HOST_MAX_BATCH = 500;

/** SGD steps of the MLP on the host (host-mlp.ts); the training loop uses them up to MLP_HOST_MAX_BATCH images. */
function mlpHostTrainer(layers: { W: tf.Variable; b: tf.Variable }[], Wout: tf.Variable, bout: tf.Variable, weightDecay: number): HostTrainer {
  let net: HostMlp | undefined;
  let scratch: MlpScratch | undefined;
  return {
    takes: (batchSize) => batchSize <= MLP_HOST_MAX_BATCH,
    pull() {
      net = { hidden: layers.map((l) => layerFromDevice(l.W, l.b)), out: layerFromDevice(Wout, bout), weightDecay };
    },
    step(x, labels, lr) {
      if (!net) throw new Error('host trainer used before pull()');
      if (!scratch || scratch.rows < labels.length) scratch = mlpScratch(net, labels.length);
      return mlpHostStep(net, x, labels, lr, scratch);
    },
    push() {
      if (!net) throw new Error('host trainer used before pull()');
      net.hidden.forEach((L, i) => pushLayer(L, layers[i].W, layers[i].b));
      pushLayer(net.out, Wout, bout);
    },
  };
}

/**
 * Cost (mean NLL + weightDecay/2 * sum of squared weights) and its gradient by backprop written out:
 *   a_0 = x,  a_l = tanh(a_{l-1} W_l + b_l),  P = softmax(a_L Wout + bout)
 *   D = (P - Y) / n:  dWout = a_L' D + weightDecay Wout,  dbout = column sums of D
 *   delta_L = (D Wout') (1 - a_L^2);  dW_l = a_{l-1}' delta_l + weightDecay W_l,  db_l = column sums of delta_l
 *   delta_{l-1} = (delta_l W_l') (1 - a_{l-1}^2)
 * The gradients come in the order of the model's params: W_1, b_1, ..., Wout, bout.
 */
export function mlpGradient(w: MlpWeights, x: tf.Tensor2D, y: tf.Tensor2D, weightDecay = 0): { cost: tf.Scalar; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const n = x.shape[0];
    const acts: tf.Tensor2D[] = [x];
    for (const { W, b } of w.layers) acts.push(tf.tanh(tf.add(tf.matMul(acts[acts.length - 1], W as tf.Tensor2D), b)) as tf.Tensor2D);
    const top = acts[acts.length - 1];
    const logp = tf.logSoftmax(tf.add(tf.matMul(top, w.Wout as tf.Tensor2D), w.bout));
    let cost = tf.div(tf.neg(tf.sum(tf.mul(y, logp))), n) as tf.Scalar;
    const D = tf.div(tf.sub(tf.exp(logp), y), n) as tf.Tensor2D;
    const decay = (g: tf.Tensor, W: Param): tf.Tensor => (weightDecay > 0 ? tf.add(g, tf.mul(weightDecay, W)) : g);
    const tail: tf.Tensor[] = [decay(tf.matMul(top, D, true, false), w.Wout), tf.sum(D, 0)];
    const layerGrads: tf.Tensor[][] = [];
    let delta = tf.mul(tf.matMul(D, w.Wout as tf.Tensor2D, false, true), tf.sub(1, tf.square(top))) as tf.Tensor2D;
    for (let l = w.layers.length - 1; l >= 0; l--) {
      const { W } = w.layers[l];
      const below = acts[l];
      layerGrads[l] = [decay(tf.matMul(below, delta, true, false), W), tf.sum(delta, 0)];
      if (l > 0) delta = tf.mul(tf.matMul(delta, W as tf.Tensor2D, false, true), tf.sub(1, tf.square(below))) as tf.Tensor2D;
    }
    if (weightDecay > 0) cost = tf.add(cost, tf.mul(weightDecay / 2, sumSquares([...w.layers.map((L) => L.W), w.Wout]))) as tf.Scalar;
    return { cost, grads: [...layerGrads.flat(), ...tail] };
  });
}
