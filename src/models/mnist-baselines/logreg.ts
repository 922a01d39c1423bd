/** Multiclass logistic regression, as logistic_sgd.py: weights and biases start at zero. */
import * as tf from '@tensorflow/tfjs';
import { type Classifier, nll, sumSquares, zeros } from './model.ts';

export function logisticRegression(nIn: number, nOut: number, l2 = 0): Classifier {
  const W = zeros([nIn, nOut]);
  const b = zeros([nOut]);
  const logits = (x: tf.Tensor2D) => tf.add(tf.matMul(x, W), b) as tf.Tensor2D;
  return {
    params: [W, b],
    logits,
    loss: (x, y) => tf.tidy(() => (l2 > 0 ? tf.add(nll(logits(x), y), tf.mul(l2, sumSquares([W]))) : nll(logits(x), y)) as tf.Scalar),
  };
}
