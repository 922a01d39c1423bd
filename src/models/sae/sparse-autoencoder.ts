/**
 * Sparse autoencoder (the UFLDL recipe): visible -> hidden (sigmoid) -> visible (sigmoid or linear).
 *
 * Notation (rows are examples, as everywhere in this project):
 *   m examples, v visible units, h hidden units
 *   X   m x v   input (resident on the device for the life of a cost function)
 *   W1  h x v   encoder weights,  b1  h
 *   W2  v x h   decoder weights,  b2  v
 *
 * Cost:
 *   J = 0.5/m * sum_k ||a3_k - x_k||^2 + weightDecay/2 (||W1||^2 + ||W2||^2) + beta * sum_j KL(rho || rhat_j)
 *   KL(rho || r) = rho log(rho / r) + (1 - rho) log((1 - rho) / (1 - r)),   rhat = mean over examples of a2.
 *
 * Parameters are packed in one flat vector, in the order of the numpy peer
 * (../shared/peers/sae_numpy.py): W1 (h x v, row-major), W2 (v x h, row-major), b1 (h), b2 (v).
 *
 * The gradient is hand-derived backprop (no autodiff). tfjs computes in float32; the final
 * reductions (sums over examples of the squared error, the mean activation rhat, the weight decay,
 * the KL term, and the scaling of the gradient) are finished in float64 in JS.
 *
 * The evaluation is split in two phases over a "shard" of examples, so that the same code serves the
 * single-process cost function (one shard = all of X) and the data-parallel one (one shard per worker
 * thread, see src/compute/parallel.ts): the KL term needs rhat over ALL examples before the hidden
 * deltas can be formed.
 *   phase 1 (per shard): forward pass, squared error, output deltas, dJ/dW2, dJ/db2, column sums of a2
 *   reduce:              rhat = sum(a2) / m, KL cost, sparsity delta s (h)
 *   phase 2 (per shard): hidden deltas with s, dJ/dW1, dJ/db1
 * The shard itself (how the products are laid out on the device) is in ./shard.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { matrix, type Matrix } from '../../compute/matrix.ts';
import { ShardPool, type ShardModel, type ShardModelRef, type ShardPoolOptions } from '../../compute/parallel.ts';
import type { CostAndGradient, CostFunction } from '../../optim/types.ts';
import { splitmix53 } from '../../util/random.ts';
import { SaeShard, type Decoder, type SaePhase1, type SaePhase2 } from './shard.ts';

export type { Decoder };


/** A cost function that holds device memory or worker threads: call dispose() when done. */
export type DisposableCostFunction = CostFunction & { dispose(): void | Promise<void> };
/** The data-parallel cost function: also tells how many worker threads (= shards) it uses. */
export type ParallelCostFunction = DisposableCostFunction & { readonly workers: number };

export interface SaeShape {
  visible: number;
  hidden: number;
}

export interface SaeOptions extends SaeShape {
  /** weight decay */
  weightDecay: number;
  /** weight of the sparsity penalty */
  beta: number;
  /** target mean activation of a hidden unit */
  rho: number;
  /** 'sigmoid' for inputs in [0, 1]; 'linear' (a3 = z3) for whitened inputs */
  decoder: Decoder;
}

export interface SaeParams extends SaeShape {
  /** h x v row-major */
  W1: Float64Array;
  /** v x h row-major */
  W2: Float64Array;
  /** h */
  b1: Float64Array;
  /** v */
  b2: Float64Array;
}

/** Number of values in the packed parameter vector. */
export function paramCount(visible: number, hidden: number): number {
  return 2 * hidden * visible + hidden + visible;
}

/** The hidden size implied by a packed vector of `length` values for `visible` inputs. */
export function hiddenFromLength(length: number, visible: number): number {
  const h = (length - visible) / (2 * visible + 1);
  if (!Number.isInteger(h) || h <= 0) {
    throw new Error(`sparse autoencoder: ${length} parameters do not fit ${visible} visible units`);
  }
  return h;
}

/** Views (no copy) of W1, W2, b1, b2 inside the packed vector. */
export function unpackParams(theta: Float64Array, visible: number, hidden: number): SaeParams {
  const v = visible, h = hidden;
  if (theta.length !== paramCount(v, h)) {
    throw new Error(`sparse autoencoder: theta has ${theta.length} values, expected ${paramCount(v, h)} for ${v} -> ${h}`);
  }
  return {
    visible: v,
    hidden: h,
    W1: theta.subarray(0, h * v),
    W2: theta.subarray(h * v, 2 * h * v),
    b1: theta.subarray(2 * h * v, 2 * h * v + h),
    b2: theta.subarray(2 * h * v + h),
  };
}

/** Concatenate W1, W2, b1, b2 (the peer's order) into a new vector. */
export function packParams(p: SaeParams): Float64Array {
  const v = p.visible, h = p.hidden;
  const sizes: [ArrayLike<number>, number, string][] = [[p.W1, h * v, 'W1'], [p.W2, v * h, 'W2'], [p.b1, h, 'b1'], [p.b2, v, 'b2']];
  const theta = new Float64Array(paramCount(v, h));
  let off = 0;
  for (const [a, n, name] of sizes) {
    if (a.length !== n) throw new Error(`packParams: ${name} has ${a.length} values, expected ${n}`);
    theta.set(a, off);
    off += n;
  }
  return theta;
}

/** W1, W2 ~ uniform(-r, r) with r = sqrt(6 / (v + h + 1)); biases 0. Deterministic in `seed`. */
export function initParams(visible: number, hidden: number, seed = 0): Float64Array {
  const theta = new Float64Array(paramCount(visible, hidden));
  const r = Math.sqrt(6 / (visible + hidden + 1));
  const u = splitmix53(seed);
  for (let i = 0; i < 2 * hidden * visible; i++) theta[i] = (2 * u() - 1) * r;
  return theta;
}

// ---------------------------------------------------------------------------------------------
// The reductions, in float64.

/** rhat, the KL cost and the sparsity delta s_j = beta (-rho / rhat_j + (1 - rho) / (1 - rhat_j)). */
export function sparsityTerm(a2Sum: Float64Array, m: number, beta: number, rho: number): { kl: number; s: Float32Array; rhat: Float64Array } {
  const h = a2Sum.length;
  const rhat = new Float64Array(h);
  const s = new Float32Array(h);
  let kl = 0;
  for (let j = 0; j < h; j++) {
    const r = a2Sum[j] / m;
    rhat[j] = r;
    if (beta !== 0) {
      kl += rho * Math.log(rho / r) + (1 - rho) * Math.log((1 - rho) / (1 - r));
      s[j] = beta * (-rho / r + (1 - rho) / (1 - r));
    }
  }
  return { kl: beta * kl, s, rhat };
}

/**
 * dst = (sum of the shards' parts) / m + weightDecay * w, in one pass per shard; returns sum w^2 (0
 * without w: the biases, which are not decayed). One fused loop rather than separate passes for the
 * sum, the scaling and the decay: on the MNIST shape (307,000 parameters) this end ran 3-5 ms of CPU
 * per evaluation as separate passes and about 1.5 ms fused, against about 100 ms for the products.
 */
function scaledSum(dst: Float64Array, parts: ArrayLike<number>[], invM: number, weightDecay: number, w?: Float64Array): number {
  const n = dst.length;
  const first = parts[0];
  for (let p = 1; p < parts.length; p++) {
    const part = parts[p];
    for (let i = 0; i < n; i++) dst[i] += part[i];
  }
  if (!w) {
    for (let i = 0; i < n; i++) dst[i] = (dst[i] + first[i]) * invM;
    return 0;
  }
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    sq += wi * wi;
    dst[i] = (dst[i] + first[i]) * invM + weightDecay * wi;
  }
  return sq;
}

/** Sum the shards' phase results (float64) and form the cost and gradient. */
export function assembleCostGrad(theta: Float64Array, opts: SaeOptions, p1: SaePhase1[], p2: SaePhase2[], kl: number): CostAndGradient {
  const { visible: v, hidden: h, weightDecay } = opts;
  const m = p1.reduce((a, p) => a + p.m, 0);
  const P = unpackParams(theta, v, h);
  let sqErr = 0;
  for (const p of p1) sqErr += p.sqErr;
  const grad = new Float64Array(theta.length);
  const G = unpackParams(grad, v, h);
  const invM = 1 / m;
  // dJ/dW = (sum over examples) / m + weightDecay W;  dJ/db = (sum over examples) / m
  let decay = scaledSum(G.W1, p2.map((p) => p.gW1), invM, weightDecay, P.W1);
  decay += scaledSum(G.W2, p1.map((p) => p.gW2), invM, weightDecay, P.W2);
  scaledSum(G.b1, p2.map((p) => p.gb1), invM, weightDecay);
  scaledSum(G.b2, p1.map((p) => p.gb2), invM, weightDecay);
  const cost = (0.5 / m) * sqErr + 0.5 * weightDecay * decay + kl;
  return { cost, grad };
}

function checkOptions(X: Matrix, opts: SaeOptions): void {
  if (X.cols !== opts.visible) throw new Error(`sparse autoencoder: X has ${X.cols} columns, expected ${opts.visible}`);
  if (X.rows < 1) throw new Error('sparse autoencoder: X has no rows');
  if (opts.decoder !== 'sigmoid' && opts.decoder !== 'linear') throw new Error(`sparse autoencoder: unknown decoder ${String(opts.decoder)}`);
}

/**
 * The cost and gradient of the sparse autoencoder on X (m x v), evaluated in this thread.
 * X is uploaded to the device once, here; call dispose() to free it. Call initBackend() first.
 */
export function sparseAutoencoderCost(X: Matrix, opts: SaeOptions): DisposableCostFunction {
  checkOptions(X, opts);
  const shard = new SaeShard(X, opts);
  const n = paramCount(opts.visible, opts.hidden);
  const f = (theta: Float64Array): CostAndGradient => {
    if (theta.length !== n) throw new Error(`sparse autoencoder: theta has ${theta.length} values, expected ${n}`);
    const p1 = shard.phase1(Float32Array.from(theta));
    const { kl, s } = sparsityTerm(p1.a2Sum, p1.m, opts.beta, opts.rho);
    const p2 = shard.phase2(s);
    return assembleCostGrad(theta, opts, [p1], [p2], kl);
  };
  return Object.assign(f, { dispose: () => shard.dispose() });
}

// ---------------------------------------------------------------------------------------------
// Data-parallel evaluation: one SaeShard per worker thread (see src/compute/parallel.ts).

interface SaeWorkerConfig {
  visible: number;
  hidden: number;
  decoder: Decoder;
  /** float32 packed theta, written by the main thread before each phase 1 */
  theta: SharedArrayBuffer;
}

/** Where a ShardPool worker finds saeShardModel. */
export const SAE_SHARD_MODEL: ShardModelRef = { module: import.meta.url, factory: 'saeShardModel' };

/** The worker side, built in each worker of a ShardPool (see SAE_SHARD_MODEL). */
export function saeShardModel(X: Matrix, config: unknown): ShardModel {
  const c = config as SaeWorkerConfig;
  const shard = new SaeShard(X, c);
  const theta = new Float32Array(c.theta);
  return {
    call(method: string, args: unknown) {
      if (method === 'phase1') {
        const r = shard.phase1(theta);
        return { result: r, transfer: [r.a2Sum.buffer, r.gW2.buffer, r.gb2.buffer] as ArrayBuffer[] };
      }
      if (method === 'phase2') {
        const r = shard.phase2(args as Float32Array);
        return { result: r, transfer: [r.gW1.buffer, r.gb1.buffer] as ArrayBuffer[] };
      }
      throw new Error(`sae worker: unknown method ${method}`);
    },
    dispose: () => shard.dispose(),
  };
}

/**
 * The same cost and gradient as sparseAutoencoderCost, with the examples split across worker
 * threads (default: one per core, capped by SFL_WORKERS or `workers`). Each worker holds its shard
 * on its own tfjs backend. Two rounds per evaluation: phase 1 on every shard, the KL reduction
 * here, phase 2 on every shard. dispose() terminates the workers.
 */
export async function sparseAutoencoderCostParallel(
  X: Matrix,
  opts: SaeOptions,
  poolOptions: ShardPoolOptions = {},
): Promise<ParallelCostFunction> {
  checkOptions(X, opts);
  const n = paramCount(opts.visible, opts.hidden);
  const thetaShared = new Float32Array(new SharedArrayBuffer(n * 4));
  const config: SaeWorkerConfig = { visible: opts.visible, hidden: opts.hidden, decoder: opts.decoder, theta: thetaShared.buffer as SharedArrayBuffer };
  const pool = await ShardPool.open(SAE_SHARD_MODEL, X, config, poolOptions);
  const f = oneAtATime('parallel', n, async (theta) => {
    thetaShared.set(theta);
    const p1 = await pool.call<SaePhase1>('phase1');
    const a2Sum = new Float64Array(opts.hidden);
    let m = 0;
    for (const p of p1) {
      m += p.m;
      for (let j = 0; j < a2Sum.length; j++) a2Sum[j] += p.a2Sum[j];
    }
    const { kl, s } = sparsityTerm(a2Sum, m, opts.beta, opts.rho);
    const p2 = await pool.call<SaePhase2>('phase2', () => s);
    return assembleCostGrad(theta, opts, p1, p2, kl);
  });
  return Object.assign(f, { dispose: () => pool.dispose(), workers: pool.size });
}

/**
 * An asynchronous cost over theta of n values that refuses a theta of another length and a call
 * made before the last one finished: the evaluation's buffers (shared with workers, or an engine's
 * session) serve one call at a time. `engine` names it in the message.
 */
export function oneAtATime(engine: string, n: number, evaluate: (theta: Float64Array) => Promise<CostAndGradient>): (theta: Float64Array) => Promise<CostAndGradient> {
  let busy = false;
  return async (theta) => {
    if (theta.length !== n) throw new Error(`sparse autoencoder: theta has ${theta.length} values, expected ${n}`);
    if (busy) throw new Error(`sparse autoencoder (${engine}): evaluations must not overlap`);
    busy = true;
    try {
      return await evaluate(theta);
    } finally {
      busy = false;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Encoding and decoding.

const DEFAULT_BATCH = 4096;

/**
 * Hidden activations sigmoid(X W1' + b1) for each row of X (n x v) -> n x h, computed in batches
 * of `batch` rows so large inputs do not need a second copy of themselves on the device.
 */
export function encode(X: Matrix, theta: Float64Array, opts: { batch?: number } = {}): Matrix {
  const v = X.cols;
  const h = hiddenFromLength(theta.length, v);
  const P = unpackParams(theta, v, h);
  return encodeLinear(X, P.W1, P.b1, h, opts);
}

/**
 * sigmoid((X - centre) W' + b) for each row of X (n x v) -> n x h, W row-major h x v: encode with
 * any first layer (saved-model.ts folds the preprocessing into it). `centre` (length v) is
 * subtracted on the device, batch by batch; batches as in encode.
 */
export function encodeLinear(X: Matrix, W: ArrayLike<number>, b: ArrayLike<number>, h: number, opts: { batch?: number; centre?: ArrayLike<number> } = {}): Matrix {
  const v = X.cols;
  if (W.length !== h * v || b.length !== h) throw new Error(`encodeLinear: W has ${W.length} values and b ${b.length}, expected ${h} x ${v} and ${h}`);
  return layerRows(X, W, b, h, 'sigmoid', opts.batch, opts.centre);
}

/**
 * Reconstructions f(H W2' + b2) for hidden activations H (n x h) -> n x v, f = sigmoid or identity.
 * `visible` is needed to split theta; batched like encode.
 */
export function decode(H: Matrix, theta: Float64Array, opts: { visible: number; decoder: Decoder; batch?: number }): Matrix {
  const v = opts.visible;
  const h = hiddenFromLength(theta.length, v);
  if (H.cols !== h) throw new Error(`decode: H has ${H.cols} columns, the model ${h} hidden units`);
  const P = unpackParams(theta, v, h);
  return layerRows(H, P.W2, P.b2, v, opts.decoder === 'linear' ? 'linear' : 'sigmoid', opts.batch);
}

/**
 * f((X - centre) W' + b) for each row of X (n x in) -> n x out, W out x in (no centre: none
 * subtracted): encodeLinear's and decode's layer, in batches of rows.
 */
function layerRows(X: Matrix, W: ArrayLike<number>, b: ArrayLike<number>, outDim: number, activation: 'sigmoid' | 'linear', batch = DEFAULT_BATCH, centreOf?: ArrayLike<number>): Matrix {
  const inDim = X.cols;
  const rows = Math.max(1, batch);
  const out = matrix(X.rows, outDim);
  const Wt = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(W), [outDim, inDim]))) as tf.Tensor2D; // in x out
  const bias = tf.tensor1d(Float32Array.from(b)); // out
  const centre = centreOf ? tf.tensor1d(Float32Array.from(centreOf)) : null; // in
  try {
    for (let start = 0; start < X.rows; start += rows) {
      const end = Math.min(X.rows, start + rows);
      const y = tf.tidy(() => {
        const Xb = tf.tensor2d(X.data.subarray(start * inDim, end * inDim), [end - start, inDim]); // b x in
        return tf.fused.matMul({ a: centre ? tf.sub(Xb, centre) : Xb, b: Wt, bias, activation }); // [b x in][in x out] -> b x out
      });
      out.data.set(y.dataSync() as Float32Array, start * outDim);
      y.dispose();
    }
  } finally {
    Wt.dispose();
    bias.dispose();
    centre?.dispose();
  }
  return out;
}
