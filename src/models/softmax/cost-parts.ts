/**
 * The parts of softmax regression's cost that do not depend on the engine (see ./softmax.ts for the
 * model and the parameter packing): input checks, one-hot labels, and the float64 end of an
 * evaluation. Shared by softmax.ts (tfjs) and onnx-cost.ts (ONNX Runtime).
 */
import type { Matrix } from '../../compute/matrix.ts';
import { checkMatrix } from '../../features/validate.ts';
import type { CostAndGradient, CostFunction } from '../../optim/types.ts';
import { SflError } from '../../util/errors.ts';

export type LabelArray = Int32Array | Uint8Array;

export interface SoftmaxOptions {
  numClasses: number;
  /** Weight decay on W (not on the bias). */
  weightDecay: number;
  /** Add a per-class bias term (default true). */
  bias?: boolean;
}

/** A cost function that holds tensors (the data and one-hot labels) until dispose() is called. */
export type DisposableCostFunction = CostFunction & {
  (theta: Float64Array): Promise<CostAndGradient>;
  dispose(): void;
};

/**
 * `evaluate` as a DisposableCostFunction named `name`: dispose() runs `release` once (the engines'
 * costs hold their data, as tensors or an ONNX session, until then) and later calls are refused.
 */
export function disposableCost(
  name: string, evaluate: (theta: Float64Array) => Promise<CostAndGradient>, release: () => void,
): DisposableCostFunction {
  let disposed = false;
  const f = async (theta: Float64Array): Promise<CostAndGradient> => {
    if (disposed) throw new Error(`${name}: this cost function was disposed`);
    return evaluate(theta);
  };
  return Object.assign(f, {
    dispose() {
      if (disposed) return;
      disposed = true;
      release();
    },
  });
}

/** Number of parameters for the packing documented in ./softmax.ts. */
export function softmaxParamCount(inputSize: number, numClasses: number, bias = true): number {
  return numClasses * inputSize + (bias ? numClasses : 0);
}

/** Checks labels are integers in [0, numClasses) and one per row; `what` names the caller. */
export function checkLabels(labels: LabelArray, m: number, numClasses: number, what: string): void {
  if (!(labels instanceof Int32Array) && !(labels instanceof Uint8Array)) {
    throw new SflError(`${what}: labels must be an Int32Array or Uint8Array of class indices`);
  }
  if (labels.length !== m) {
    throw new SflError(`${what}: there are ${m} examples (rows) but ${labels.length} labels; they must match one to one`);
  }
  for (let i = 0; i < m; i++) {
    const y = labels[i];
    if (y < 0 || y >= numClasses) {
      throw new SflError(`${what}: label ${i} (0-based) is ${y}, but with ${numClasses} classes labels must be 0 to ${numClasses - 1}`);
    }
  }
}

/** The checks of a softmax cost's problem, whichever engine evaluates it: the data, the classes, the weight decay, the labels. */
export function checkSoftmaxProblem(X: Matrix, labels: LabelArray, opts: SoftmaxOptions, what: string): void {
  checkMatrix(X, `${what} input`);
  checkNumClasses(opts.numClasses, what);
  checkWeightDecay(opts.weightDecay, what);
  checkLabels(labels, X.rows, opts.numClasses, what);
}

export function checkNumClasses(numClasses: number, what: string): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new SflError(`${what}: the number of classes must be an integer of at least 2, got ${numClasses}`);
  }
}

export function checkWeightDecay(weightDecay: number, what: string): void {
  if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || weightDecay < 0) {
    throw new SflError(`${what}: the weight decay must be a finite number >= 0, got ${weightDecay}`);
  }
}

export function checkTheta(theta: Float64Array, n: number, what: string): void {
  if (!(theta instanceof Float64Array)) throw new SflError(`${what}: parameters must be a Float64Array`);
  if (theta.length !== n) throw new SflError(`${what}: expected ${n} parameters, got ${theta.length}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(theta[i])) {
      throw new SflError(`${what}: parameter ${i} (0-based) is ${theta[i]}; the optimisation diverged or the parameters are corrupt`);
    }
  }
}

/** One-hot m x k float32 matrix of the labels. */
export function oneHot(labels: LabelArray, numClasses: number): Float32Array {
  const y = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) y[i * numClasses + labels[i]] = 1;
  return y;
}

/**
 * The float64 end of an evaluation of a log-loss cost with weight decay (softmax regression, and
 * the stacked network's fine-tuning), shared by the engines:
 *   J = -1/m sum_i logp_i + weightDecay/2 ||theta[0 .. nDecay)||^2,
 *   grad = concat(parts) / m + weightDecay theta (on the first nDecay entries only)
 * from the per-example log probabilities of the true class (m) and the gradient sums over the
 * examples, in packing order.
 */
export function logLossFinish(
  theta: Float64Array,
  shape: { m: number; nDecay: number; weightDecay: number; what: string },
  logp: ArrayLike<number>,
  parts: ArrayLike<number>[],
): CostAndGradient {
  const { m, nDecay, weightDecay, what } = shape;
  let decay = 0;
  for (let i = 0; i < nDecay; i++) decay += theta[i] * theta[i];
  let sumLogp = 0;
  for (let i = 0; i < logp.length; i++) sumLogp += logp[i];
  const cost = -sumLogp / m + (weightDecay / 2) * decay;
  if (!Number.isFinite(cost)) {
    throw new SflError(`${what}: the cost is ${cost}; check the input features for extreme values`);
  }
  const grad = new Float64Array(theta.length);
  let off = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) grad[off + i] = part[i] / m;
    off += part.length;
  }
  if (off !== theta.length) throw new Error(`${what}: the gradient parts hold ${off} values for ${theta.length} parameters`);
  for (let i = 0; i < nDecay; i++) grad[i] += weightDecay * theta[i];
  return { cost, grad };
}
