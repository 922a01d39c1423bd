/**
 * What the training loop needs from a model: its variables (in a fixed order, for checkpoints)
 * and two functions of a minibatch. Models are plain tfjs variables with hand-written forward
 * passes; gradients come from tfjs autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import { fillUniform, type Rng } from '../../util/random.ts';

export interface Classifier {
  /** Every trained variable, in a fixed order (checkpoints store them in this order). */
  params: tf.Variable[];
  /** The training cost of a minibatch: mean negative log-likelihood plus any weight penalty. */
  loss(x: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar;
  /** Class scores (logits), one row per image. */
  logits(x: tf.Tensor2D): tf.Tensor2D;
}

/** Mean negative log-likelihood of the labels under softmax(logits). */
export function nll(logits: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(y, logits.shape[1])), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** Sum of squares of `weights` (the tutorials' L2_sqr: weights only, no biases, no 1/2). */
export function sumSquares(weights: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(weights.map((w) => tf.sum(tf.square(w)))) as tf.Scalar);
}

/**
 * The tutorials' initialisation of a tanh layer: uniform in +-sqrt(6 / (fanIn + fanOut))
 * (Glorot & Bengio 2010); `gain` 4 for sigmoid units. Drawn from the seeded generator so a
 * run is reproducible.
 */
export function glorotUniform(rng: Rng, shape: number[], fanIn: number, fanOut: number, gain = 1): tf.Variable {
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const data = fillUniform(rng, new Float32Array(size), -bound, bound);
  return tf.variable(tf.tensor(data, shape));
}

export function zeros(shape: number[]): tf.Variable {
  return tf.variable(tf.zeros(shape));
}

/** Applies `fn` to `x` in row blocks of `batch` (bounded memory) and concatenates the results. */
export function inBatches(x: tf.Tensor2D, batch: number, fn: (xb: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  const n = x.shape[0];
  if (n <= batch) return tf.tidy(() => fn(x));
  const parts: tf.Tensor2D[] = [];
  for (let i = 0; i < n; i += batch) {
    parts.push(tf.tidy(() => fn(x.slice([i, 0], [Math.min(batch, n - i), x.shape[1]]))));
  }
  const out = tf.concat(parts);
  tf.dispose(parts);
  return out;
}

/** Fraction of misclassified images, evaluated in blocks of `batch`. */
export async function errorRate(model: Classifier, x: tf.Tensor2D, y: tf.Tensor1D, batch = 1000): Promise<number> {
  const wrong = tf.tidy(() => {
    let total = tf.scalar(0, 'int32');
    const n = x.shape[0];
    for (let i = 0; i < n; i += batch) {
      const m = Math.min(batch, n - i);
      const pred = tf.argMax(model.logits(x.slice([i, 0], [m, x.shape[1]])), 1);
      total = tf.add(total, tf.sum(tf.cast(tf.notEqual(pred, y.slice([i], [m])), 'int32')));
    }
    return total;
  });
  const count = (await wrong.data())[0];
  wrong.dispose();
  return count / x.shape[0];
}
