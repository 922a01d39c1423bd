/**
 * SGD with minibatches of ONE image on the host, for the tutorials' dA and SdA (batch_size = 1
 * in both pretraining and fine-tuning).
 *
 * Why not tfjs: with one image per step every product is a matrix-vector product and every
 * weight gradient a rank-1 update, so a step is a handful of passes over the weights and the
 * time goes to kernel calls, transposes and fresh 4 MB tensors for each updated matrix. Measured
 * on the SdA's 784-1000-1000-1000-10 network (wasm backend, one thread): 66 ms a step by tfjs
 * with the gradient written out; here 10-17 ms with the JavaScript row kernels and 1.3-2.3 ms
 * with the SIMD ones, under full load on both cores (npm run bench -- --only host-sgd). Loops of
 * our own can fuse what tfjs cannot: the backward product with the OLD weights and the rank-1
 * update of the same row happen in one pass, and rows of zero inputs (most MNIST pixels, more
 * once corrupted) are skipped in the forward product and the update.
 *
 * The passes over the weights are whole-layer kernels (src/compute/row-kernels.ts), run as
 * WebAssembly SIMD where the engine has it (src/compute/row-kernels.wat), else as the JavaScript
 * reference; the environment variable SFL_HOST_KERNELS=js|simd forces one (for comparisons and
 * benchmarks; src/compute/kernel-arena.ts). Each host layer owns an arena: its W and b, and the
 * buffers its steps use, live in one WebAssembly memory that the kernels work in (its own, so
 * layers of any size can be made one at a time, and never grown, which would detach the arrays),
 * and are ordinary Float32Arrays to everything else (pull, push, checkpoints, tests). The kernels'
 * kind is fixed when the layer is made.
 *
 * Layout: W is nIn x nOut, row-major (the tfjs variable's own layout), so row i holds input i's
 * outgoing weights. The gradients are written out below and checked against central differences
 * and against tfjs autodiff of the device models' costs in test/models/host-sgd.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { hostKernelKind } from '../../compute/engine.ts';
import { kernelArena } from '../../compute/kernel-arena.ts';
import type { HostKernelKind, KernelArena } from '../../compute/row-kernels.ts';
import { sigmoid } from '../../compute/row-kernels.ts';

/** A layer's step buffers, beside its weights: the layer's input and output, and the backward pass's vectors. */
type LayerArena = KernelArena<'W' | 'b' | 'input' | 'output' | 'delta' | 'dx' | 'clean' | 'bVisible' | 'da', 'a'>;

export interface HostLayer {
  /** nIn x nOut, row-major; the arena's array (the SIMD kernels work on no other). */
  W: Float32Array;
  /** The arena's array, as W. */
  b: Float32Array;
  nIn: number;
  nOut: number;
  arena: LayerArena;
}

/** A denoising autoencoder's layer: tied weights plus the visible (reconstruction) bias. */
export interface HostDa extends HostLayer {
  /** The arena's own array when made by hostDa; any other array is copied in and out at each step. */
  bVisible: Float32Array;
}

/** Sigmoid hidden layers, then a softmax layer: the SdA (and any sigmoid MLP) during fine-tuning. */
export interface HostNet {
  hidden: HostLayer[];
  out: HostLayer;
  /** Weight on the sum of squared weights (biases excluded), as the device model's loss. */
  weightDecay: number;
}

/** A host layer holding copies of W (nIn x nOut) and b, run by the kernels of `kind`. */
export function hostLayer(W: ArrayLike<number>, b: ArrayLike<number>, kind: HostKernelKind = hostKernelKind()): HostLayer {
  const nOut = b.length;
  if (nOut === 0 || W.length % nOut !== 0) throw new RangeError(`weights of ${W.length} values do not fit ${nOut} outputs`);
  const nIn = W.length / nOut;
  const arena: LayerArena = kernelArena(
    kind,
    { W: W.length, b: nOut, input: nIn, output: nOut, delta: nOut, dx: nIn, clean: nIn, bVisible: nIn, da: nIn },
    { a: nIn },
  );
  arena.f32.W.set(W);
  arena.f32.b.set(b);
  return { W: arena.f32.W, b: arena.f32.b, nIn, nOut, arena };
}

/** The dA of layer L with a copy of `bVisible` in L's arena. */
export function hostDa(L: HostLayer, bVisible: ArrayLike<number>): HostDa {
  if (bVisible.length !== L.nIn) throw new RangeError(`a visible bias of ${bVisible.length} values for ${L.nIn} visible units`);
  L.arena.f32.bVisible.set(bVisible);
  return { ...L, bVisible: L.arena.f32.bVisible };
}

/** Copies of tfjs variables' values on the host (W: [nIn, nOut], b: [nOut]). */
export function layerFromDevice(W: tf.Tensor, b: tf.Tensor, kind?: HostKernelKind): HostLayer {
  return hostLayer(W.dataSync() as Float32Array, b.dataSync() as Float32Array, kind);
}

/** Writes a host layer's values into its variables. */
export function pushLayer(L: HostLayer, W: tf.Variable, b: tf.Variable): void {
  tf.tidy(() => {
    W.assign(tf.tensor(L.W, W.shape));
    b.assign(tf.tensor(L.b, b.shape));
  });
}

/** softplus(a) = log(1 + e^a), finite for any a. */
function softplus(a: number): number {
  return a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a));
}

/** The layer's output buffer := sigmoid(input W + b), from its input buffer; zero inputs cost nothing. */
function encode(L: HostLayer): Float32Array {
  const { W, b, nIn, nOut, arena } = L;
  const out = arena.f32.output;
  arena.layer.forward(W, arena.f32.input, nIn, nOut, b, out);
  for (let j = 0; j < nOut; j++) out[j] = sigmoid(out[j]);
  return out;
}

/**
 * The softmax layer's cost and backward start for the logits z[o .. o + k): returns
 * -log softmax(z)[label] and writes D = (softmax(z) - onehot(label)) / divisor into D[o ..]
 * (D may be z itself: each D[j] needs only z[j] once max and log-sum are known).
 */
export function softmaxNllAndDelta(z: Float32Array, o: number, k: number, label: number, divisor: number, D: Float32Array): number {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, z[o + j]);
  let total = 0;
  for (let j = 0; j < k; j++) total += Math.exp(z[o + j] - max);
  const logTotal = Math.log(total);
  const nll = -(z[o + label] - max - logTotal);
  for (let j = 0; j < k; j++) D[o + j] = (Math.exp(z[o + j] - max - logTotal) - (j === label ? 1 : 0)) / divisor;
  return nll;
}

function sumSquares(layers: HostLayer[]): number {
  let s = 0;
  for (const L of layers) s += L.arena.layer.sumSquares(L.W);
  return s;
}

/**
 * One SGD step of the fine-tuning cost on image `x` of class `label`; returns the cost before
 * the step: -log softmax(a_L Wout + bout)[label] + weightDecay/2 * sum of squared weights, where
 * a_0 = x, a_l = sigmoid(a_{l-1} W_l + b_l). Backprop:
 *   D = softmax - onehot;  dWout = a_L' D;  delta_L = (Wout D) a_L (1 - a_L)
 *   dW_l = a_{l-1}' delta_l;  delta_{l-1} = (W_l delta_l) a_{l-1} (1 - a_{l-1})
 * plus weightDecay W for every weight matrix. Each layer's input is copied into its own arena (a
 * thousand values: nothing beside the passes over a million weights).
 */
export function fineTuneStep(net: HostNet, x: Float32Array, label: number, lr: number): number {
  const L = net.hidden.length;
  let a = x;
  for (const layer of net.hidden) {
    layer.arena.f32.input.set(a);
    a = encode(layer);
  }
  const { W, b, nIn, nOut, arena } = net.out;
  const z = arena.f32.output;
  arena.f32.input.set(a);
  arena.layer.forward(W, arena.f32.input, nIn, nOut, b, z);
  const D = arena.f32.delta;
  let cost = softmaxNllAndDelta(z, 0, nOut, label, 1, D);
  if (net.weightDecay > 0) cost += (net.weightDecay / 2) * sumSquares([...net.hidden, net.out]);
  const shrink = 1 - lr * net.weightDecay;
  for (let l = L; l >= 0; l--) {
    const layer = l === L ? net.out : net.hidden[l];
    const { input, delta, dx } = layer.arena.f32;
    layer.arena.layer.backward(layer.W, input, delta, layer.nIn, layer.nOut, lr, shrink, l === 0 ? null : dx);
    for (let j = 0; j < layer.nOut; j++) layer.b[j] -= lr * delta[j];
    if (l > 0) {
      // The layer below's delta: dx through the derivative of its sigmoid (its output is this layer's input).
      const below = net.hidden[l - 1].arena.f32.delta;
      for (let i = 0; i < layer.nIn; i++) below[i] = dx[i] * input[i] * (1 - input[i]);
    }
  }
  return cost;
}

/** x W + b in float64, for the reference costs of the gradient checks. */
export function affine64(L: HostLayer, x: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(L.b);
  for (let i = 0; i < L.nIn; i++) for (let j = 0; j < L.nOut; j++) out[j] += x[i] * L.W[i * L.nOut + j];
  return out;
}

/** Sigmoid layer in float64, for the reference costs below. */
function encode64(L: HostLayer, x: ArrayLike<number>): Float64Array {
  return affine64(L, x).map(sigmoid);
}

/** The fine-tuning cost alone, computed in float64 (the reference of the gradient checks). */
export function fineTuneCost(net: HostNet, x: Float32Array, label: number): number {
  let a: ArrayLike<number> = x;
  for (const L of net.hidden) a = encode64(L, a);
  const { W, b, nIn, nOut } = net.out;
  const z = Float64Array.from(b);
  for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) z[j] += a[i] * W[i * nOut + j];
  const max = Math.max(...z);
  const logTotal = Math.log(z.reduce((t, v) => t + Math.exp(v - max), 0));
  const squares = [...net.hidden, net.out].reduce((t, { W }) => W.reduce((u, w) => u + w * w, t), 0);
  return -(z[label] - max - logTotal) + (net.weightDecay > 0 ? (net.weightDecay / 2) * squares : 0);
}

/**
 * One SGD step of the dA's cost on the clean input `x`, corrupted by `keep` (pixel i survives
 * where keep(i) is true; called once per pixel, in order); returns the cost before the step:
 *   x~ = x masked,  h = sigmoid(x~ W + bh),  a = h W' + bv,
 *   J = sum_i softplus(a_i) - x_i a_i   (the cross-entropy of x against sigmoid(a))
 * Gradient (W tied, so two terms):
 *   da = sigmoid(a) - x;  dh = (W da) h (1 - h)   [W da: sum over visible i of da_i W_i.]
 *   dW = x~' dh + da' h;  dbh = dh;  dbv = da
 * The decoder's row products and the accumulation of W da share one pass over W; the update
 * is a second; the encoder a third (skipping the zeroed pixels).
 */
export function daStep(L: HostDa, x: Float32Array, keep: (i: number) => boolean, lr: number): number {
  const { W, b, nIn, nOut, arena } = L;
  const { input: noisy, output: h, delta: dh, clean, da } = arena.f32;
  const { a } = arena.f64;
  // A visible bias from outside the arena (a HostDa built by hand) visits it for the step.
  const bVisible = arena.f32.bVisible;
  const visiting = L.bVisible !== bVisible;
  if (visiting) bVisible.set(L.bVisible);
  for (let i = 0; i < nIn; i++) noisy[i] = keep(i) ? x[i] : 0;
  clean.set(x);
  encode(L);
  arena.layer.daDecode(W, h, bVisible, clean, nIn, nOut, da, a, dh);
  let cost = 0;
  for (let i = 0; i < nIn; i++) cost += softplus(a[i]) - x[i] * a[i];
  for (let j = 0; j < nOut; j++) dh[j] *= h[j] * (1 - h[j]);
  arena.layer.daUpdate(W, h, da, noisy, dh, lr, nIn, nOut, bVisible);
  for (let j = 0; j < nOut; j++) b[j] -= lr * dh[j];
  if (visiting) L.bVisible.set(bVisible);
  return cost;
}

/** The dA cost alone for a given mask, computed in float64 (the reference of the gradient checks). */
export function daCost(L: HostDa, x: Float32Array, keep: (i: number) => boolean): number {
  const h = encode64(L, Array.from(x, (v, i) => (keep(i) ? v : 0)));
  let cost = 0;
  for (let i = 0; i < L.nIn; i++) {
    let a = L.bVisible[i];
    for (let j = 0; j < L.nOut; j++) a += h[j] * L.W[i * L.nOut + j];
    cost += softplus(a) - x[i] * a;
  }
  return cost;
}
