/**
 * Multiclass logistic regression, as logistic_sgd.py: weights and biases start at zero.
 *
 * Its SGD step uses the hand-derived gradient of the mean NLL (+ weightDecay/2 |W|^2):
 *   P = softmax(X W + b),  D = (P - Y) / n,  dW = X' D + weightDecay W,  db = sum of the rows of D
 * which takes a third of the kernel calls of autodiff; logistic regression must run an epoch of
 * 50,000 images in under half a second, where per-call overhead dominates. Checked against
 * central differences in the tests.
 */
import * as tf from '@tensorflow/tfjs';
import { type Classifier, nll, sumSquares, zeros } from './model.ts';

export function logisticRegression(nIn: number, nOut: number, weightDecay = 0): Classifier {
  const W = zeros([nIn, nOut]);
  const b = zeros([nOut]);
  const logits = (x: tf.Tensor2D) => tf.add(tf.matMul(x, W), b) as tf.Tensor2D;
  const loss = (x: tf.Tensor2D, y: tf.Tensor2D) =>
    tf.tidy(() => (weightDecay > 0 ? tf.add(nll(logits(x), y), tf.mul(weightDecay / 2, sumSquares([W]))) : nll(logits(x), y)) as tf.Scalar);
  return {
    params: [W, b],
    logits,
    loss,
    sgdStep: (x, y, lr) =>
      tf.tidy(() => {
        const { cost, dW, db } = logregGradient(W, b, x, y, weightDecay);
        W.assign(tf.sub(W, tf.mul(dW, lr)));
        b.assign(tf.sub(b, tf.mul(db, lr)));
        return cost;
      }),
  };
}

/** Cost and hand-derived gradient of logistic regression (exported for the gradient check). */
export function logregGradient(W: tf.Tensor2D | tf.Variable, b: tf.Tensor | tf.Variable, x: tf.Tensor2D, y: tf.Tensor2D, weightDecay = 0): { cost: tf.Scalar; dW: tf.Tensor2D; db: tf.Tensor1D } {
  return tf.tidy(() => {
    const n = x.shape[0];
    const z = tf.add(tf.matMul(x, W as tf.Tensor2D), b);
    const logp = tf.logSoftmax(z);
    let cost = tf.div(tf.neg(tf.sum(tf.mul(y, logp))), n) as tf.Scalar;
    const D = tf.div(tf.sub(tf.exp(logp), y), n);
    let dW = tf.matMul(x, D, true, false) as tf.Tensor2D;
    if (weightDecay > 0) {
      cost = tf.add(cost, tf.mul(weightDecay / 2, tf.sum(tf.square(W)))) as tf.Scalar;
      dW = tf.add(dW, tf.mul(weightDecay, W)) as tf.Tensor2D;
    }
    return { cost, dW, db: tf.sum(D, 0) as tf.Tensor1D };
  });
}
