/**
 * The LeNet-style network of convolutional_mlp.py: two layers of (valid 5x5 convolution, 2x2 max
 * pooling, tanh(pooled + bias)), a tanh hidden layer and a logistic-regression output layer.
 * Weights are uniform in +-sqrt(6 / (fanIn + fanOut)) with fanIn = inChannels * 5 * 5 and
 * fanOut = filters * 5 * 5 / pool area, as there; biases and the output layer start at zero.
 *
 * The convolution carries its own gradient (conv2dValid): the wasm backend has no
 * Conv2DBackpropFilter kernel and its Conv2DBackpropInput is slow, while its forward Conv2D is
 * fast, and both gradients of a valid convolution are themselves forward convolutions.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random.ts';
import { type Classifier, glorotUniform, nll, sumSquares, zeros } from './model.ts';

export interface LenetShape {
  side: number;
  kernels: number[];
  filterSize: number;
  pool: number;
  hidden: number;
  classes: number;
}

export function lenet(rng: Rng, s: LenetShape, l2 = 0): Classifier {
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
        const p = tf.maxPool(c, s.pool, s.pool, 'valid');
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
    loss: (x, y) => tf.tidy(() => (l2 > 0 ? tf.add(nll(logits(x), y), tf.mul(l2, sumSquares(weights))) : nll(logits(x), y)) as tf.Scalar),
  };
}


/**
 * Valid 2-D convolution (stride 1) of NHWC `x` with `W` [k, k, in, out], with the gradients
 * written as forward convolutions (measured on wasm, batch 500, 12x12x20 -> 8x8x50: the input
 * gradient 0.2 s this way against 1.7 s by the backend's own kernel):
 *   dW = conv(x with batch and channels swapped, dy as the filter)          -> [in, k, k, out]
 *   dx = conv(dy padded by k-1, W flipped in space with in/out swapped)      (a "full" convolution)
 * With `inputGradient` false, dx is returned as zeros (the first layer, whose input is data).
 */
export function conv2dValid(x: tf.Tensor4D, W: tf.Tensor4D, inputGradient = true): tf.Tensor4D {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, ww, save] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xx, ww]);
    return {
      value: tf.conv2d(xx, ww, 1, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        const k = ws.shape[0];
        const dW = tf.transpose(tf.conv2d(tf.transpose(xs, [3, 1, 2, 0]), tf.transpose(d, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid'), [1, 2, 0, 3]);
        const dx = inputGradient
          ? tf.conv2d(tf.pad(d, [[0, 0], [k - 1, k - 1], [k - 1, k - 1], [0, 0]]), tf.transpose(tf.reverse(ws, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'valid')
          : tf.zerosLike(xs);
        return [dx, dW];
      },
    };
  });
  return op(x, W) as tf.Tensor4D;
}
