/**
 * SGD with minibatches of ONE image on the host, for the tutorials' dA and SdA (batch_size = 1
 * in both pretraining and fine-tuning).
 *
 * Why not tfjs: with one image per step every product is a matrix-vector product and every
 * weight gradient a rank-1 update, so a step is a handful of passes over the weights and the
 * time goes to kernel calls, transposes and fresh 4 MB tensors for each updated matrix. Measured
 * on the SdA's 784-1000-1000-1000-10 network (wasm backend, one thread): 66 ms a step by tfjs
 * with the gradient written out, ~14 ms here under full load on both cores. Plain loops can fuse
 * what tfjs cannot: the backward product with the OLD weights and the rank-1 update of the same
 * row happen in one pass, and rows of zero inputs (most MNIST pixels, more once corrupted) are
 * skipped in the forward product and the update.
 *
 * Layout: W is nIn x nOut, row-major (the tfjs variable's own layout), so row i holds input i's
 * outgoing weights. The gradients are written out below and checked against central differences
 * and against tfjs autodiff of the device models' costs in test/models/host-sgd.test.ts.
 */
import type * as tf from '@tensorflow/tfjs';

export interface HostLayer {
  /** nIn x nOut, row-major */
  W: Float32Array;
  b: Float32Array;
  nIn: number;
  nOut: number;
}

/** A denoising autoencoder's layer: tied weights plus the visible (reconstruction) bias. */
export interface HostDa extends HostLayer {
  bVisible: Float32Array;
}

/** Sigmoid hidden layers, then a softmax layer: the SdA (and any sigmoid MLP) during fine-tuning. */
export interface HostNet {
  hidden: HostLayer[];
  out: HostLayer;
  /** Weight on the sum of squared weights (biases excluded), as the device model's loss. */
  l2: number;
}

export function hostLayer(W: Float32Array, b: Float32Array): HostLayer {
  const nOut = b.length;
  if (nOut === 0 || W.length % nOut !== 0) throw new RangeError(`weights of ${W.length} values do not fit ${nOut} outputs`);
  return { W, b, nIn: W.length / nOut, nOut };
}

/** Copies of tfjs variables' values on the host (W: [nIn, nOut], b: [nOut]). */
export function layerFromDevice(W: tf.Tensor, b: tf.Tensor): HostLayer {
  return hostLayer(Float32Array.from(W.dataSync()), Float32Array.from(b.dataSync()));
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** softplus(a) = log(1 + e^a), finite for any a. */
function softplus(a: number): number {
  return a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a));
}

/*
 * Row kernels, unrolled by four. A dot product with one accumulator is bound by the latency of
 * each addition; four independent sums measured 2.5-3x faster in V8 (1.3 against 3.3-4.1 ms
 * per million products), and the unrolled axpy 1.4x.
 */

/** sum_j W[o + j] v[j] over j < n. */
function dot(W: Float32Array, o: number, v: ArrayLike<number>, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += W[o + j] * v[j];
    s1 += W[o + j + 1] * v[j + 1];
    s2 += W[o + j + 2] * v[j + 2];
    s3 += W[o + j + 3] * v[j + 3];
  }
  for (; j < n; j++) s0 += W[o + j] * v[j];
  return s0 + s1 + s2 + s3;
}

/** y[j] += a W[o + j] over j < n. */
function axpyFromRow(y: Float32Array, a: number, W: Float32Array, o: number, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    y[j] += a * W[o + j];
    y[j + 1] += a * W[o + j + 1];
    y[j + 2] += a * W[o + j + 2];
    y[j + 3] += a * W[o + j + 3];
  }
  for (; j < n; j++) y[j] += a * W[o + j];
}

/** W[o + j] = shrink W[o + j] - a v[j] over j < n; returns sum_j W[o + j] v[j] with the OLD weights. */
function dotThenUpdate(W: Float32Array, o: number, v: Float32Array, shrink: number, a: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const w0 = W[o + j];
    const w1 = W[o + j + 1];
    const w2 = W[o + j + 2];
    const w3 = W[o + j + 3];
    s0 += w0 * v[j];
    s1 += w1 * v[j + 1];
    s2 += w2 * v[j + 2];
    s3 += w3 * v[j + 3];
    W[o + j] = shrink * w0 - a * v[j];
    W[o + j + 1] = shrink * w1 - a * v[j + 1];
    W[o + j + 2] = shrink * w2 - a * v[j + 2];
    W[o + j + 3] = shrink * w3 - a * v[j + 3];
  }
  for (; j < n; j++) {
    const w = W[o + j];
    s0 += w * v[j];
    W[o + j] = shrink * w - a * v[j];
  }
  return s0 + s1 + s2 + s3;
}

/** W[o + j] = shrink W[o + j] - a v[j] - c u[j] over j < n (u may be null). */
function update(W: Float32Array, o: number, shrink: number, a: number, v: Float32Array, c: number, u: Float32Array | null, n: number): void {
  let j = 0;
  if (u) {
    for (; j + 3 < n; j += 4) {
      W[o + j] = shrink * W[o + j] - a * v[j] - c * u[j];
      W[o + j + 1] = shrink * W[o + j + 1] - a * v[j + 1] - c * u[j + 1];
      W[o + j + 2] = shrink * W[o + j + 2] - a * v[j + 2] - c * u[j + 2];
      W[o + j + 3] = shrink * W[o + j + 3] - a * v[j + 3] - c * u[j + 3];
    }
    for (; j < n; j++) W[o + j] = shrink * W[o + j] - a * v[j] - c * u[j];
    return;
  }
  for (; j + 3 < n; j += 4) {
    W[o + j] = shrink * W[o + j] - a * v[j];
    W[o + j + 1] = shrink * W[o + j + 1] - a * v[j + 1];
    W[o + j + 2] = shrink * W[o + j + 2] - a * v[j + 2];
    W[o + j + 3] = shrink * W[o + j + 3] - a * v[j + 3];
  }
  for (; j < n; j++) W[o + j] = shrink * W[o + j] - a * v[j];
}

/** out = sigmoid(x W + b); zero inputs cost nothing. */
export function encodeRow(L: HostLayer, x: Float32Array, out: Float32Array): Float32Array {
  const { W, b, nIn, nOut } = L;
  out.set(b);
  for (let i = 0; i < nIn; i++) {
    const xi = x[i];
    if (xi !== 0) axpyFromRow(out, xi, W, i * nOut, nOut);
  }
  for (let j = 0; j < nOut; j++) out[j] = sigmoid(out[j]);
  return out;
}

/**
 * Top-down through one layer: with `delta` = dJ/d(pre-activation of the layer's outputs) and
 * `x` its input, writes dJ/dx (using the weights before the step) into `dx` when given, and
 * takes the step W -= lr (x' delta + 2 l2 W), b -= lr delta, all in one pass over W.
 */
function backwardAndStep(L: HostLayer, x: Float32Array, delta: Float32Array, lr: number, l2: number, dx: Float32Array | null): void {
  const { W, b, nIn, nOut } = L;
  const shrink = 1 - 2 * lr * l2;
  for (let i = 0; i < nIn; i++) {
    const o = i * nOut;
    const step = lr * x[i];
    if (dx) dx[i] = step !== 0 || shrink !== 1 ? dotThenUpdate(W, o, delta, shrink, step, nOut) : dot(W, o, delta, nOut);
    else if (step !== 0 || shrink !== 1) update(W, o, shrink, step, delta, 0, null, nOut);
  }
  for (let j = 0; j < nOut; j++) b[j] -= lr * delta[j];
}

/** Reusable buffers for fineTuneStep (one set per network). */
export interface FineTuneScratch {
  acts: Float32Array[];
  deltas: Float32Array[];
  logits: Float32Array;
}

export function fineTuneScratch(net: HostNet): FineTuneScratch {
  return {
    acts: net.hidden.map((L) => new Float32Array(L.nOut)),
    deltas: net.hidden.map((L) => new Float32Array(L.nOut)),
    logits: new Float32Array(net.out.nOut),
  };
}

function sumSquares(layers: HostLayer[]): number {
  let s = 0;
  for (const { W } of layers) for (let k = 0; k < W.length; k++) s += W[k] * W[k];
  return s;
}

/**
 * One SGD step of the fine-tuning cost on image `x` of class `label`; returns the cost before
 * the step: -log softmax(a_L Wout + bout)[label] + l2 * sum of squared weights, where
 * a_0 = x, a_l = sigmoid(a_{l-1} W_l + b_l). Backprop:
 *   D = softmax - onehot;  dWout = a_L' D;  delta_L = (Wout D) a_L (1 - a_L)
 *   dW_l = a_{l-1}' delta_l;  delta_{l-1} = (W_l delta_l) a_{l-1} (1 - a_{l-1})
 * plus 2 l2 W for every weight matrix.
 */
export function fineTuneStep(net: HostNet, x: Float32Array, label: number, lr: number, s: FineTuneScratch = fineTuneScratch(net)): number {
  const L = net.hidden.length;
  let a = x;
  for (let l = 0; l < L; l++) a = encodeRow(net.hidden[l], a, s.acts[l]);
  const { W, b, nIn, nOut } = net.out;
  const z = s.logits;
  z.set(b);
  for (let i = 0; i < nIn; i++) axpyFromRow(z, a[i], W, i * nOut, nOut);
  let max = -Infinity;
  for (let j = 0; j < nOut; j++) max = Math.max(max, z[j]);
  let total = 0;
  for (let j = 0; j < nOut; j++) total += Math.exp(z[j] - max);
  const logTotal = Math.log(total);
  let cost = -(z[label] - max - logTotal);
  if (net.l2 > 0) cost += net.l2 * sumSquares([...net.hidden, net.out]);
  // z becomes D = softmax - onehot.
  for (let j = 0; j < nOut; j++) z[j] = Math.exp(z[j] - max - logTotal) - (j === label ? 1 : 0);
  let delta: Float32Array = z;
  for (let l = L; l >= 0; l--) {
    const layer = l === L ? net.out : net.hidden[l];
    const below = l === 0 ? x : s.acts[l - 1];
    const dx = l === 0 ? null : s.deltas[l - 1];
    backwardAndStep(layer, below, delta, lr, net.l2, dx);
    if (dx) {
      for (let i = 0; i < dx.length; i++) dx[i] *= below[i] * (1 - below[i]);
      delta = dx;
    }
  }
  return cost;
}

/** Sigmoid layer in float64, for the reference costs below. */
function encode64(L: HostLayer, x: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(L.b);
  for (let i = 0; i < L.nIn; i++) for (let j = 0; j < L.nOut; j++) out[j] += x[i] * L.W[i * L.nOut + j];
  return out.map(sigmoid);
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
  return -(z[label] - max - logTotal) + (net.l2 > 0 ? net.l2 * sumSquares([...net.hidden, net.out]) : 0);
}

/** Reusable buffers for daStep. */
export interface DaScratch {
  noisy: Float32Array;
  h: Float32Array;
  dh: Float32Array;
  da: Float32Array;
}

export function daScratch(L: HostDa): DaScratch {
  return { noisy: new Float32Array(L.nIn), h: new Float32Array(L.nOut), dh: new Float32Array(L.nOut), da: new Float32Array(L.nIn) };
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
export function daStep(L: HostDa, x: Float32Array, keep: (i: number) => boolean, lr: number, s: DaScratch = daScratch(L)): number {
  const { W, b, bVisible, nIn, nOut } = L;
  const { noisy, h, dh, da } = s;
  for (let i = 0; i < nIn; i++) noisy[i] = keep(i) ? x[i] : 0;
  encodeRow(L, noisy, h);
  dh.fill(0);
  let cost = 0;
  for (let i = 0; i < nIn; i++) {
    const o = i * nOut;
    const a = bVisible[i] + dot(W, o, h, nOut);
    cost += softplus(a) - x[i] * a;
    const d = sigmoid(a) - x[i];
    da[i] = d;
    axpyFromRow(dh, d, W, o, nOut);
  }
  for (let j = 0; j < nOut; j++) dh[j] *= h[j] * (1 - h[j]);
  for (let i = 0; i < nIn; i++) {
    const v = lr * da[i];
    // The encoder's share x~_i dh is zero for a zeroed or blank pixel.
    update(W, i * nOut, 1, v, h, lr * noisy[i], noisy[i] !== 0 ? dh : null, nOut);
    bVisible[i] -= v;
  }
  for (let j = 0; j < nOut; j++) b[j] -= lr * dh[j];
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
