/**
 * The LeNet-style network of convolutional_mlp.py: two layers of (valid 5x5 convolution, 2x2 max
 * pooling, tanh(pooled + bias)), a tanh hidden layer and a logistic-regression output layer.
 * Weights are uniform in +-sqrt(6 / (fanIn + fanOut)) with fanIn = inChannels * 5 * 5 and
 * fanOut = filters * 5 * 5 / pool area, as there; biases and the output layer start at zero.
 *
 * The convolution carries its own gradient (conv2dValid in ../conv2d.ts): the wasm backend has no
 * Conv2DBackpropFilter kernel and its Conv2DBackpropInput is slow, while its forward Conv2D is
 * fast, and both gradients of a valid convolution are themselves forward convolutions.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random.ts';
import { conv2dValid, maxPool2d } from '../conv/conv2d.ts';
import { type Classifier, glorotUniform, nll, sumSquares, zeros } from './model.ts';

export interface LenetShape {
  side: number;
  kernels: number[];
  filterSize: number;
  pool: number;
  hidden: number;
  classes: number;
}

export function lenet(rng: Rng, s: LenetShape, weightDecay = 0): Classifier {
  const convs: { W: tf.Variable; b: tf.Variable }[] = [];
  let side = s.side;
  let channels = 1;
  for (const k of s.kernels) {
    const fanIn = channels * s.filterSize * s.filterSize;
    const fanOut = (k * s.filterSize * s.filterSize) / (s.pool * s.pool);
    convs.push({ W: glorotUniform(rng, [s.filterSize, s.filterSize, channels, k], fanIn, fanOut), b: zeros([k]) });
    side = Math.floor((side - s.filterSize + 1) / s.pool);
    if (side < 1) throw new RangeError(`lenet: a ${s.side}x${s.side} image is too small for ${s.kernels.length} conv-pool layers`);
    channels = k;
  }
  const flat = side * side * channels;
  const Wh = glorotUniform(rng, [flat, s.hidden], flat, s.hidden);
  const bh = zeros([s.hidden]);
  const Wout = zeros([s.hidden, s.classes]);
  const bout = zeros([s.classes]);

  const logits = (x: tf.Tensor2D) =>
    tf.tidy(() => {
      let a: tf.Tensor4D = tf.reshape(x, [x.shape[0], s.side, s.side, 1]);
      for (const [i, { W, b }] of convs.entries()) {
        // The first layer's input is the data: no gradient needed there.
        const c = conv2dValid(a, W as tf.Tensor4D, i > 0);
        // Not tf.maxPool: its gradient on wasm is wrong for all-negative regions (conv2d.ts).
        const p = maxPool2d(c, [s.pool, s.pool]);
        a = tf.tanh(tf.add(p, b)) as tf.Tensor4D;
      }
      const h = tf.tanh(tf.add(tf.matMul(tf.reshape(a, [x.shape[0], flat]), Wh), bh));
      return tf.add(tf.matMul(h, Wout), bout) as tf.Tensor2D;
    });
  const weights = [...convs.map((c) => c.W), Wh, Wout];
  return {
    // A 10,000-image block would hold 10,000 x 24 x 24 x 20 floats after the first convolution.
    evalBatch: 500,
    params: [...convs.flatMap((c) => [c.W, c.b]), Wh, bh, Wout, bout],
    logits,
    loss: (x, y) => tf.tidy(() => (weightDecay > 0 ? tf.add(nll(logits(x), y), tf.mul(weightDecay / 2, sumSquares(weights))) : nll(logits(x), y)) as tf.Scalar),
  };
}

