/**
 * The stacked network's shape and its packed parameter vector (the packing is documented in
 * ./stacked.ts): counting, splitting and joining. Shared by stacked.ts (tfjs) and onnx-cost.ts.
 */
import type { Matrix } from '../../compute/matrix.ts';
import { checkMatrix } from '../../features/validate.ts';
import { SflError } from '../../util/errors.ts';
import { checkLabels, checkNumClasses, checkWeightDecay, softmaxParamCount, type LabelArray } from '../softmax/cost-parts.ts';

export interface StackedShape {
  /** [inputSize, h1, ..., hL]: the input size followed by at least one hidden layer size. */
  layerSizes: readonly number[];
  numClasses: number;
  /** Softmax bias (default true). */
  bias?: boolean;
}

export interface StackedOptions extends StackedShape {
  /** Weight decay on the softmax weights Theta only. */
  weightDecay: number;
}

/** Views (no copies) into a packed vector. */
export interface StackedParams {
  /** The softmax parameters (Theta, then c when bias), as packed by softmax.ts. */
  softmax: Float64Array;
  /** One entry per hidden layer: W (out x in, row-major) and b (out). */
  layers: { W: Float64Array; b: Float64Array }[];
}

export function checkStackedShape(shape: StackedShape, what: string): void {
  const s = shape.layerSizes;
  if (!Array.isArray(s) || s.length < 2 || s.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new SflError(`${what}: layer sizes must be the input size followed by at least one hidden layer size, all positive integers; got ${JSON.stringify(s)}`);
  }
  checkNumClasses(shape.numClasses, what);
}

/** The checks of a fine-tuning cost's problem, whichever engine evaluates it: the shape, the weight decay, the data, the labels. */
export function checkStackedProblem(X: Matrix, labels: LabelArray, opts: StackedOptions, what: string): void {
  checkStackedShape(opts, what);
  checkWeightDecay(opts.weightDecay, what);
  checkMatrix(X, `${what} input`, { cols: opts.layerSizes[0], colsReason: 'the first layer size' });
  checkLabels(labels, X.rows, opts.numClasses, what);
}

/** Number of parameters for the packing documented at the top of ./stacked.ts. */
export function stackedParamCount(shape: StackedShape): number {
  checkStackedShape(shape, 'stacked autoencoder');
  const s = shape.layerSizes;
  let n = softmaxParamCount(s[s.length - 1], shape.numClasses, shape.bias ?? true);
  for (let l = 1; l < s.length; l++) n += s[l] * s[l - 1] + s[l];
  return n;
}

/** Splits a packed vector into views of the softmax and of each layer's W and b. */
export function unpackStacked(theta: Float64Array, shape: StackedShape): StackedParams {
  const n = stackedParamCount(shape);
  if (theta.length !== n) throw new SflError(`stacked autoencoder: expected ${n} parameters, got ${theta.length}`);
  const s = shape.layerSizes;
  const nSoft = softmaxParamCount(s[s.length - 1], shape.numClasses, shape.bias ?? true);
  const layers: StackedParams['layers'] = [];
  let off = nSoft;
  for (let l = 1; l < s.length; l++) {
    const nw = s[l] * s[l - 1];
    layers.push({ W: theta.subarray(off, off + nw), b: theta.subarray(off + nw, off + nw + s[l]) });
    off += nw + s[l];
  }
  return { softmax: theta.subarray(0, nSoft), layers };
}

/** Concatenates softmax parameters and layers into one packed vector (copies). */
export function packStacked(p: StackedParams, shape: StackedShape): Float64Array {
  const theta = new Float64Array(stackedParamCount(shape));
  const views = unpackStacked(theta, shape);
  if (p.softmax.length !== views.softmax.length) {
    throw new SflError(`stacked autoencoder: the softmax has ${p.softmax.length} parameters, expected ${views.softmax.length}`);
  }
  if (p.layers.length !== views.layers.length) {
    throw new SflError(`stacked autoencoder: ${p.layers.length} layers given, the shape has ${views.layers.length}`);
  }
  views.softmax.set(p.softmax);
  p.layers.forEach((L, i) => {
    if (L.W.length !== views.layers[i].W.length || L.b.length !== views.layers[i].b.length) {
      throw new SflError(`stacked autoencoder: layer ${i + 1} has ${L.W.length} weights and ${L.b.length} biases, expected ${views.layers[i].W.length} and ${views.layers[i].b.length}`);
    }
    views.layers[i].W.set(L.W);
    views.layers[i].b.set(L.b);
  });
  return theta;
}
