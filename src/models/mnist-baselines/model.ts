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
  /** The training cost of a minibatch with one-hot labels: mean negative log-likelihood plus any weight penalty. */
  loss(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar;
  /** Class scores (logits), one row per image. */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  /**
   * One SGD step with a hand-derived gradient, returning the cost before the step; when absent
   * the loop differentiates `loss` by autodiff.
   */
  sgdStep?(x: tf.Tensor2D, y: tf.Tensor2D, learningRate: number): tf.Scalar;
  /** Rows per block when measuring errors (bounds memory; default all at once). */
  evalBatch?: number;
  /** Training on the host (host-sgd.ts, host-mlp.ts); the loop uses it for the batch sizes it takes. */
  host?: HostTrainer;
}

/** A copy of a model's weights on the host that takes SGD steps on minibatches of host rows. */
export interface HostTrainer {
  /** Whether it trains with minibatches of this many images (where it is faster than the device). */
  takes(batchSize: number): boolean;
  /** Copies the device variables to the host (before training, so a resumed run starts from its checkpoint). */
  pull(): void;
  /** One step on the images `x` (labels.length rows) of classes `labels`; returns the cost before the step. */
  step(x: Float32Array, labels: Uint8Array, learningRate: number): number;
  /** Writes the host weights into the device variables (before measuring errors or checkpointing). */
  push(): void;
}

/**
 * Mean negative log-likelihood of one-hot labels `y` under softmax(logits). tfjs's softmax
 * cross-entropy carries the short gradient (softmax - y) / n, fewer kernels than autodiff of
 * logSoftmax.
 */
export function nll(logits: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
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

/** Fraction of misclassified images over `blocks` (see BaselineData.blocks). */
export async function errorRate(model: Classifier, blocks: { x: tf.Tensor2D; labels: tf.Tensor1D }[]): Promise<number> {
  let n = 0;
  const wrong = tf.tidy(() => {
    let total = tf.scalar(0, 'int32');
    for (const b of blocks) {
      n += b.x.shape[0];
      const pred = tf.argMax(model.logits(b.x), 1);
      total = tf.add(total, tf.sum(tf.cast(tf.notEqual(pred, b.labels), 'int32')));
    }
    return total;
  });
  const count = (await wrong.data())[0];
  wrong.dispose();
  return count / n;
}
