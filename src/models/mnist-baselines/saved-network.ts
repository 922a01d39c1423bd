/**
 * A finished MNIST baseline run's network, read back for use on new images. `sfl mnist` keeps the
 * best-validation weights in the run's model/ folder as a checkpoint (checkpoint.ts: the config
 * and the model's variables in the order of its `params`); this turns them into plain layers:
 *
 *   logreg  x -> softmax(x W + b)                                           784 -> 10
 *   mlp     x -> tanh(x W_l + b_l) ... -> softmax(a W_out + b_out)
 *   sda     x -> sigmoid(x W_l + b_l) ... -> softmax(a W_out + b_out)
 *   lenet   x (28 x 28 x 1) -> [tanh(maxpool(valid(a, K_l)) + b_l)] ... -> flatten (row, column, map)
 *             -> tanh(a W_h + b_h) -> softmax(a W_out + b_out)
 *   da      x -> sigmoid(x W + b_hidden)           (a denoising autoencoder: features, no classes)
 *
 * x is an image row of 784 pixels in [0, 1] (row-major, as data/mnist.ts loads them). Dense
 * weights are in x out (row-major), convolution kernels kh x kw x in x out, as the models hold them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Matrix } from '../../compute/matrix.ts';
import { SflError } from '../../util/errors.ts';
import { readCheckpoint } from './checkpoint.ts';
import { BASELINE_MODELS, type BaselineModel, type BaselinesConfig } from './settings.ts';

export type BaselineActivation = 'tanh' | 'sigmoid' | 'softmax';

export type BaselineLayer =
  | { kind: 'dense'; inputs: number; units: number; W: Float32Array; b: Float32Array; activation: BaselineActivation }
  /** tanh(maxpool(valid convolution) + b): kernel kh x kw x channels x filters, square pooling `pool`. */
  | { kind: 'conv-pool-tanh'; kernel: [number, number, number, number]; W: Float32Array; b: Float32Array; pool: number };

export interface BaselineNetwork {
  model: BaselineModel;
  /** Images are side x side pixels. */
  side: number;
  layers: BaselineLayer[];
  /** Classes of the output layer; null for the dA, which has none. */
  classes: number | null;
}

const SIDE = 28;

/** The network of a baseline run's model/ folder; an SflError naming the folder when it is not one. */
export function readBaselineNetwork(modelDir: string): BaselineNetwork {
  const { header, groups } = readCheckpoint<{ model?: BaselineModel; config?: { baselines?: BaselinesConfig } }>(modelDir);
  const model = header.model;
  if (!model || !BASELINE_MODELS.includes(model)) throw new SflError(`the checkpoint is of model ${JSON.stringify(model)}, not one of ${BASELINE_MODELS.join(', ')}`, modelDir);
  const params = groups.params ?? [];
  const bad = (why: string): never => {
    throw new SflError(`the mnist ${model} checkpoint does not hold its network (${why}); train it again with sfl mnist ${model}`, modelDir);
  };
  const dense = (i: number, activation: BaselineActivation): BaselineLayer => {
    const W = params[i], b = params[i + 1];
    if (!W || !b || W.shape.length !== 2 || b.shape[0] !== W.shape[1]) bad(`tensor ${i} is not a weight matrix with its biases`);
    return { kind: 'dense', inputs: W.shape[0], units: W.shape[1], W: W.data, b: b.data, activation };
  };
  const layers: BaselineLayer[] = [];
  let at = 0;
  if (model === 'lenet') {
    const pool = header.config?.baselines?.lenet.pool;
    if (!pool) bad('the config gives no pooling size');
    while (params[at]?.shape.length === 4) {
      const [kh, kw, c, f] = params[at].shape;
      layers.push({ kind: 'conv-pool-tanh', kernel: [kh, kw, c, f], W: params[at].data, b: params[at + 1].data, pool: pool! });
      at += 2;
    }
    if (layers.length === 0) bad('no convolution kernels');
  }
  if (model === 'da') {
    // The dA's params are [W, b_hidden, b_visible]: the encoder is the first two.
    layers.push(dense(0, 'sigmoid'));
    return { model, side: SIDE, layers, classes: null };
  }
  const hiddenActivation: BaselineActivation = model === 'sda' ? 'sigmoid' : 'tanh';
  for (; at + 2 < params.length; at += 2) layers.push(dense(at, hiddenActivation));
  if (at + 2 !== params.length) bad(`${params.length} tensors`);
  layers.push(dense(at, 'softmax'));
  const out = layers[layers.length - 1] as Extract<BaselineLayer, { kind: 'dense' }>;
  return { model, side: SIDE, layers, classes: out.units };
}

/** Activations of every image (rows of X, side*side pixels each) after the first `depth` layers (default all). */
export function baselineForward(net: BaselineNetwork, X: Matrix, depth = net.layers.length): Matrix {
  const d = net.side * net.side;
  if (X.cols !== d) throw new SflError(`images have ${X.cols} pixels; this network takes ${net.side} x ${net.side} = ${d}`);
  const out = tf.tidy(() => {
    let a: tf.Tensor = tf.tensor2d(X.data, [X.rows, X.cols]);
    for (const L of net.layers.slice(0, depth)) {
      if (L.kind === 'conv-pool-tanh') {
        const [kh, kw, c, f] = L.kernel;
        const side = a.rank === 2 ? net.side : a.shape[1]!;
        const x = a.rank === 4 ? (a as tf.Tensor4D) : tf.reshape(a, [X.rows, side, side, c]) as tf.Tensor4D;
        const conv = tf.conv2d(x, tf.tensor4d(L.W, [kh, kw, c, f]), 1, 'valid');
        a = tf.tanh(tf.add(tf.maxPool(conv, L.pool, L.pool, 'valid'), tf.tensor1d(L.b)));
      } else {
        const z = tf.add(tf.matMul(tf.reshape(a, [X.rows, L.inputs]), tf.tensor2d(L.W, [L.inputs, L.units])), tf.tensor1d(L.b));
        a = L.activation === 'tanh' ? tf.tanh(z) : L.activation === 'sigmoid' ? tf.sigmoid(z) : tf.softmax(z);
      }
    }
    return tf.reshape(a, [X.rows, -1]);
  });
  const data = out.dataSync() as Float32Array;
  const cols = out.shape[1] ?? 0;
  out.dispose();
  return { data, rows: X.rows, cols };
}
