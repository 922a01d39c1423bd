/**
 * SGD of the tutorials' MLP (tanh hidden layers, softmax output, mean NLL + weightDecay/2 * sum of squared
 * weights) on the host, for small minibatches (mlp.py's batch_size = 20).
 *
 * Why not tfjs: with 20 images a step is a dozen small kernel calls and the time goes to their
 * overhead, ~8 ms a step on the wasm backend. Most MNIST pixels are zero (about 81%), and on
 * the host the products can skip them: the first layer's forward product and its weight
 * update touch only the rows of nonzero pixels, about a fifth of the work a dense product does.
 *
 * Layout and kernels as in host-sgd.ts: W is nIn x nOut row-major (the tfjs variable's layout),
 * in the layer's arena, where the SIMD kernels run one image at a time. The step's
 * gradient is checked against central differences of the float64 cost (mlpHostCost) and
 * against the device model's hand-derived step in test/models/host-mlp.test.ts.
 */
import { affine64, softmaxNllAndDelta, type HostLayer } from './host-sgd.ts';

export interface HostMlp {
  /** tanh layers, in order */
  hidden: HostLayer[];
  /** the softmax layer */
  out: HostLayer;
  /** Weight on the sum of squared weights (biases excluded), as the device model's loss. */
  weightDecay: number;
}

/** Buffers for a minibatch of up to `rows` images (one set per network). */
export interface MlpScratch {
  rows: number;
  /** Each hidden layer's activations, rows x nOut. */
  acts: Float32Array[];
  /** dJ/d(pre-activation) of each hidden layer, rows x nOut. */
  deltas: Float32Array[];
  /** Logits, then D = (softmax - onehot) / rows. */
  top: Float32Array;
}

export function mlpScratch(net: HostMlp, rows: number): MlpScratch {
  return {
    rows,
    acts: net.hidden.map((L) => new Float32Array(rows * L.nOut)),
    deltas: net.hidden.map((L) => new Float32Array(rows * L.nOut)),
    top: new Float32Array(rows * net.out.nOut),
  };
}

/**
 * out_r = x_r W + b for each of the `rows` rows of x, one row at a time through the layer's
 * arena (its kernels skip zero inputs).
 */
function affineRows(L: HostLayer, x: Float32Array, rows: number, out: Float32Array): void {
  const { W, b, nIn, nOut, arena } = L;
  const { input, output } = arena.f32;
  for (let r = 0; r < rows; r++) {
    input.set(x.subarray(r * nIn, (r + 1) * nIn));
    arena.layer.forward(W, input, nIn, nOut, b, output);
    out.set(output, r * nOut);
  }
}

/**
 * Top-down through one layer for a minibatch: `delta` (rows x nOut) is dJ/d(pre-activation) of
 * the layer's outputs and `x` (rows x nIn) its input. Writes dJ/dx into `dx` when given, every
 * row with the weights before the step, then takes the step
 *   W <- (1 - lr weightDecay) W - lr x' delta,   b <- b - lr (column sums of delta)
 * as one rank-1 update per image (the first also shrinks W). The kernels' backward pass with
 * lr = 0 is the product alone.
 */
function backwardAndStep(L: HostLayer, x: Float32Array, delta: Float32Array, rows: number, lr: number, weightDecay: number, dx: Float32Array | null): void {
  const { W, b, nIn, nOut, arena } = L;
  const f = arena.f32;
  if (dx) {
    for (let r = 0; r < rows; r++) {
      f.delta.set(delta.subarray(r * nOut, (r + 1) * nOut));
      arena.layer.backward(W, f.input, f.delta, nIn, nOut, 0, 1, f.dx);
      dx.set(f.dx, r * nIn);
    }
  }
  const shrink = 1 - lr * weightDecay;
  for (let r = 0; r < rows; r++) {
    f.input.set(x.subarray(r * nIn, (r + 1) * nIn));
    f.delta.set(delta.subarray(r * nOut, (r + 1) * nOut));
    arena.layer.backward(W, f.input, f.delta, nIn, nOut, lr, r === 0 ? shrink : 1, null);
  }
  for (let r = 0; r < rows; r++) for (let j = 0; j < nOut; j++) b[j] -= lr * delta[r * nOut + j];
}

/**
 * One SGD step on the minibatch `x` (rows of nIn values) with class ids `labels`; returns the
 * cost before the step, mean NLL + weightDecay/2 * sum of squared weights. Backprop as mlpGradient
 * (mlp.ts): D = (softmax - onehot) / n, delta_L = (D Wout') (1 - a_L^2), and so on down.
 */
export function mlpHostStep(net: HostMlp, x: Float32Array, labels: ArrayLike<number>, lr: number, s: MlpScratch): number {
  const rows = labels.length;
  if (rows > s.rows) throw new RangeError(`a minibatch of ${rows} images does not fit buffers for ${s.rows}`);
  const H = net.hidden.length;
  const layers = [...net.hidden, net.out];
  let a = x;
  for (let l = 0; l < H; l++) {
    const out = s.acts[l];
    affineRows(net.hidden[l], a, rows, out);
    for (let k = 0; k < rows * net.hidden[l].nOut; k++) out[k] = Math.tanh(out[k]);
    a = out;
  }
  const k = net.out.nOut;
  const z = s.top;
  affineRows(net.out, a, rows, z);
  let nll = 0;
  // z becomes D = (softmax - onehot) / rows.
  for (let r = 0; r < rows; r++) nll += softmaxNllAndDelta(z, r * k, k, labels[r], rows, z);
  let squares = 0;
  if (net.weightDecay > 0) for (const L of layers) squares += L.arena.layer.sumSquares(L.W);
  let delta = z;
  for (let l = H; l >= 0; l--) {
    const below = l === 0 ? x : s.acts[l - 1];
    const dx = l === 0 ? null : s.deltas[l - 1];
    backwardAndStep(layers[l], below, delta, rows, lr, net.weightDecay, dx);
    if (dx) {
      for (let i = 0; i < rows * layers[l].nIn; i++) dx[i] *= 1 - below[i] * below[i];
      delta = dx;
    }
  }
  return nll / rows + (net.weightDecay / 2) * squares;
}

/** The step's cost alone, in float64 (the reference of the gradient checks). */
export function mlpHostCost(net: HostMlp, x: Float32Array, labels: ArrayLike<number>): number {
  const rows = labels.length;
  const nIn = (net.hidden[0] ?? net.out).nIn;
  let cost = 0;
  for (let r = 0; r < rows; r++) {
    let a: ArrayLike<number> = x.subarray(r * nIn, (r + 1) * nIn);
    for (const L of net.hidden) a = affine64(L, a).map(Math.tanh);
    const z = affine64(net.out, a);
    const max = Math.max(...z);
    const logTotal = Math.log(z.reduce((t, v) => t + Math.exp(v - max), 0));
    cost -= z[labels[r]] - max - logTotal;
  }
  let squares = 0;
  for (const { W } of [...net.hidden, net.out]) for (let i = 0; i < W.length; i++) squares += W[i] * W[i];
  return cost / rows + (net.weightDecay / 2) * squares;
}
