/**
 * Multilayer perceptron of mlp.py: tanh hidden layers (Glorot-uniform weights, zero biases) and a
 * logistic-regression output layer (zeros); cost NLL + l2 * sum of squared weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random.ts';
import { type Classifier, glorotUniform, nll, sumSquares, zeros } from './model.ts';

export function mlp(rng: Rng, nIn: number, hidden: number[], nOut: number, l2 = 0): Classifier {
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
  return {
    params: [...layers.flatMap((l) => [l.W, l.b]), Wout, bout],
    logits,
    loss: (x, y) => tf.tidy(() => (l2 > 0 ? tf.add(nll(logits(x), y), tf.mul(l2, sumSquares(weights))) : nll(logits(x), y)) as tf.Scalar),
  };
}
