/**
 * Softmax regression with weight decay (the UFLDL softmaxCost), trained with L-BFGS.
 *
 * Model: for an example x (a row of X, inputSize values) the class probabilities are
 *   p(y = c | x) = exp(W_c . x + b_c) / sum_j exp(W_j . x + b_j),
 * and the cost over m examples is
 *   J = -1/m sum_i log p(y_i | x_i) + weightDecay/2 ||W||^2.
 *
 * Bias: UFLDL's exercise has no bias (it relies on features that are already roughly centred, or
 * on a constant feature). A bias helps on unnormalised features (pooled activations are all
 * positive, for instance), so it is an option, on by default (`bias: true`). The bias is not
 * weight-decayed (the decay is on W only), as usual for biases.
 *
 * Parameter packing (one flat Float64Array, `theta`):
 *   [ W : numClasses x inputSize, row-major (W[c * inputSize + j]) ]
 *   [ b : numClasses              (only when bias is true)          ]
 * so theta.length = numClasses * inputSize + (bias ? numClasses : 0). Note that MATLAB's theta(:)
 * is column-major; ours is row-major (row c holds class c's weights).
 *
 * Numerics: scores are shifted by each row's maximum before exp, and log p is computed as
 * shifted - log(sum(exp(shifted))) (log-sum-exp), so huge inputs give a finite cost and no log(0).
 * The forward and backward passes run in float32 on the tensor backend; per-example log
 * probabilities are downloaded and summed in float64, the weight decay and its gradient are
 * computed in float64 in JS. The gradient is derived by hand:
 *   dJ/dW = 1/m (P - Y)' X + weightDecay W,   dJ/db = 1/m sum_i (P - Y)_i,
 * with P the m x numClasses probabilities and Y the one-hot labels.
 */
import * as tf from '@tensorflow/tfjs';
import { argmaxRows, type Matrix } from '../../compute/matrix.ts';
import { checkMatrix, checkSavedParams } from '../../features/validate.ts';
import { lbfgs, type IterationInfo, type LbfgsStopReason } from '../../optim/lbfgs.ts';
import { SflError } from '../../util/errors.ts';
import { savedWeightDecay } from '../model-io.ts';
import { fillNormal, mulberry32 } from '../../util/random.ts';
import {
  checkNumClasses, checkSoftmaxProblem, checkTheta, disposableCost, oneHot, logLossFinish, softmaxParamCount,
  type DisposableCostFunction, type LabelArray, type SoftmaxOptions,
} from './cost-parts.ts';
import { engine } from '../../compute/engine.ts';

/**
 * Softmax head shared with the stacked network: given features A (m x n, a tensor), the one-hot
 * labels Y (m x k) and W (k x n), b (k or null), returns per-example log p(y_i | x_i) (m) and
 * D = P - Y (m x k), the gradient of sum_i -log p(y_i|x_i) with respect to the scores.
 * Call inside tf.tidy.
 */
export function softmaxHead(A: tf.Tensor2D, Y: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D | null): { rowLogp: tf.Tensor1D; D: tf.Tensor2D } {
  let S = tf.matMul(A, tf.transpose(W)) as tf.Tensor2D; // m x k
  if (b) S = tf.add(S, b);
  const shifted = tf.sub(S, tf.max(S, 1, true));
  const logp = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true))) as tf.Tensor2D;
  const rowLogp = tf.sum(tf.mul(Y, logp), 1) as tf.Tensor1D;
  const D = tf.sub(tf.exp(logp), Y) as tf.Tensor2D;
  return { rowLogp, D };
}

/**
 * The softmax cost J(theta) and its gradient over the packing documented at the top of the file.
 * X is m x inputSize; labels has m class indices. The returned function keeps X and the one-hot
 * labels on the tensor backend: call dispose() when done (softmaxTrain does).
 */
export function softmaxCost(X: Matrix, labels: LabelArray, opts: SoftmaxOptions): DisposableCostFunction {
  const what = 'softmax';
  checkSoftmaxProblem(X, labels, opts, what);
  const m = X.rows;
  const n = X.cols;
  const k = opts.numClasses;
  const bias = opts.bias ?? true;
  const weightDecay = opts.weightDecay;
  const nW = k * n;
  const nParams = softmaxParamCount(n, k, bias);

  const Xt = tf.tensor2d(X.data, [m, n]);
  const Yt = tf.tensor2d(oneHot(labels, k), [m, k]);

  return disposableCost('softmaxCost', async (theta) => {
    checkTheta(theta, nParams, what);
    const out = tf.tidy(() => {
      const W = tf.tensor2d(Float32Array.from(theta.subarray(0, nW)), [k, n]);
      const b = bias ? tf.tensor1d(Float32Array.from(theta.subarray(nW, nW + k))) : null;
      const { rowLogp, D } = softmaxHead(Xt, Yt, W, b);
      const gW = tf.matMul(tf.transpose(D), Xt); // k x n
      const gb: tf.Tensor | undefined = bias ? tf.sum(D, 0) : undefined;
      return { rowLogp, gW, gb };
    });
    try {
      const [logp, gW, gb] = await Promise.all([
        out.rowLogp.data() as Promise<Float32Array>,
        out.gW.data() as Promise<Float32Array>,
        out.gb ? (out.gb.data() as Promise<Float32Array>) : Promise.resolve(null),
      ]);
      return logLossFinish(theta, { m, nDecay: nW, weightDecay, what }, logp, gb ? [gW, gb] : [gW]);
    } finally {
      out.rowLogp.dispose();
      out.gW.dispose();
      out.gb?.dispose();
    }
  }, () => {
    Xt.dispose();
    Yt.dispose();
  });
}

/** A trained softmax classifier: parameters in the packing documented at the top of the file. */
export class SoftmaxModel {
  /** How the optimisation ended, when the model comes from softmaxTrain (not saved by toJSON). */
  training?: TrainResult;

  constructor(
    readonly inputSize: number,
    readonly numClasses: number,
    readonly bias: boolean,
    readonly theta: Float64Array,
    /** The weight decay it was trained with (informational). */
    readonly weightDecay = 0,
  ) {
    checkNumClasses(numClasses, 'softmax model');
    if (!Number.isInteger(inputSize) || inputSize < 1) {
      throw new SflError(`softmax model: the input size must be a positive integer, got ${inputSize}`);
    }
    checkTheta(theta, softmaxParamCount(inputSize, numClasses, bias), 'softmax model');
  }

  /** W as a numClasses x inputSize row-major view into theta. */
  get weights(): Float64Array {
    return this.theta.subarray(0, this.numClasses * this.inputSize);
  }

  /** The bias (numClasses values), or zeros when the model has none. */
  get biases(): Float64Array {
    const nW = this.numClasses * this.inputSize;
    return this.bias ? this.theta.subarray(nW, nW + this.numClasses) : new Float64Array(this.numClasses);
  }

  toJSON(): SoftmaxModelJSON {
    return {
      type: 'SoftmaxModel',
      version: 1,
      inputSize: this.inputSize,
      numClasses: this.numClasses,
      bias: this.bias,
      weightDecay: this.weightDecay,
      theta: Array.from(this.theta),
    };
  }

  static fromJSON(json: unknown): SoftmaxModel {
    checkSavedParams(json, 'SoftmaxModel');
    const j = json as SoftmaxModelJSON;
    return new SoftmaxModel(j.inputSize, j.numClasses, Boolean(j.bias), Float64Array.from(j.theta), savedWeightDecay(j));
  }
}

export interface SoftmaxModelJSON {
  type: 'SoftmaxModel';
  version: 1;
  inputSize: number;
  numClasses: number;
  bias: boolean;
  weightDecay: number;
  /** The weight decay in models saved before it had one name (read, never written). */
  lambda?: number;
  /** The flat parameters, packed as documented in softmax.ts. */
  theta: number[];
}

export interface TrainOptions {
  /** L-BFGS iterations (default 200; UFLDL uses 100 to 400). */
  maxIter?: number;
  /** Called by L-BFGS after each iteration; return false to stop early. */
  onIteration?: (info: IterationInfo) => void | boolean;
  /** Seed of the small random initialisation (default 0). */
  seed?: number;
  /** Start from these parameters instead of a random initialisation. */
  theta0?: Float64Array;
}

export interface TrainResult {
  cost: number;
  iterations: number;
  stopReason: LbfgsStopReason;
  /** The optimiser's explanation of stopReason. */
  message: string;
}

/** UFLDL's initialisation: W ~ 0.005 * N(0, 1), bias 0. */
export function softmaxInitParams(inputSize: number, numClasses: number, bias = true, seed = 0): Float64Array {
  const theta = new Float64Array(softmaxParamCount(inputSize, numClasses, bias));
  fillNormal(mulberry32(seed), theta.subarray(0, numClasses * inputSize), 0, 0.005);
  return theta;
}

/** Trains a softmax classifier with L-BFGS. Returns the model and how the optimisation ended. */
export async function softmaxTrain(
  X: Matrix,
  labels: LabelArray,
  opts: SoftmaxOptions,
  train: TrainOptions = {},
): Promise<SoftmaxModel> {
  const bias = opts.bias ?? true;
  const maxIter = train.maxIter ?? 200;
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new SflError(`softmax: the number of iterations must be a positive integer, got ${maxIter}`);
  }
  // The onnx graph is imported only when that engine runs (a checkout without onnxruntime-node runs wasm).
  const f = (await engine()) === 'onnx'
    ? await (await import('./onnx-cost.ts')).softmaxCostOnnx(X, labels, opts)
    : softmaxCost(X, labels, opts);
  try {
    const theta0 = train.theta0 ?? softmaxInitParams(X.cols, opts.numClasses, bias, train.seed ?? 0);
    checkTheta(theta0, softmaxParamCount(X.cols, opts.numClasses, bias), 'softmax initial parameters');
    const r = await lbfgs(f, theta0, { maxIter, onIteration: train.onIteration });
    const model = new SoftmaxModel(X.cols, opts.numClasses, bias, Float64Array.from(r.theta), opts.weightDecay);
    model.training = { cost: r.cost, iterations: r.iterations, stopReason: r.stopReason, message: r.message };
    return model;
  } finally {
    f.dispose();
  }
}

/** Class probabilities (m x numClasses) and the most probable class of each row of X. */
export function softmaxPredict(model: SoftmaxModel, X: Matrix): { labels: Int32Array; probs: Matrix } {
  checkMatrix(X, 'softmax prediction input', { cols: model.inputSize, colsReason: 'the input size the model was trained on', minRows: 0 });
  const m = X.rows;
  const k = model.numClasses;
  const n = model.inputSize;
  const probs = new Float32Array(m * k);
  if (m > 0) {
    const p = tf.tidy(() => {
      const W = tf.tensor2d(Float32Array.from(model.weights), [k, n]);
      let S = tf.matMul(tf.tensor2d(X.data, [m, n]), tf.transpose(W));
      if (model.bias) S = tf.add(S, tf.tensor1d(Float32Array.from(model.biases)));
      const e = tf.exp(tf.sub(S, tf.max(S, 1, true)));
      return tf.div(e, tf.sum(e, 1, true));
    });
    try {
      probs.set(p.dataSync() as Float32Array);
    } finally {
      p.dispose();
    }
  }
  return { labels: argmaxRows(probs, m, k), probs: { data: probs, rows: m, cols: k } };
}

