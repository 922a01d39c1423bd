/**
 * Stacked autoencoders with a softmax on top (UFLDL's stackedAECost), and the orchestration of
 * greedy layer-wise pretraining followed by supervised fine-tuning.
 *
 * Network: layerSizes = [inputSize, h1, ..., hL] (at least one hidden layer) and numClasses.
 *   a0 = x,   a_l = sigmoid(W_l a_{l-1} + b_l)  (l = 1..L),   p(y = c | x) = softmax(Theta a_L + c)_c
 * Fine-tuning cost over m examples (as UFLDL: log cost plus weight decay on the softmax weights
 * only; no sparsity term and no decay on the autoencoder layers):
 *   J = -1/m sum_i log p(y_i | x_i) + weightDecay/2 ||Theta||^2
 *
 * Parameter packing (one flat Float64Array, in UFLDL's order: softmax first, then the stack):
 *   [ Theta : numClasses x hL, row-major                      ]
 *   [ c     : numClasses                  (only when bias)    ]   <- exactly softmax.ts's packing
 *   [ W_1   : h1 x inputSize, row-major ] [ b_1 : h1 ]
 *   [ W_2   : h2 x h1, row-major        ] [ b_2 : h2 ]
 *   ...
 *   [ W_L   : hL x h(L-1), row-major    ] [ b_L : hL ]
 * W_l and b_l are the encoder half (W1, b1) of the l-th sparse autoencoder. The softmax bias is
 * on by default, as in softmax.ts (UFLDL has none; pass bias: false for the exact UFLDL model).
 *
 * The gradient is hand-derived backprop, run in float32 on the tensor backend with explicit
 * transposes; per-example log probabilities are summed, and the weight decay and the 1/m scaling
 * applied, in float64 in JS:
 *   D     = P - Y                                   (m x k)
 *   dTheta = 1/m D' a_L + weightDecay Theta,  dc = 1/m sum_i D_i
 *   d_L   = (D Theta) .* a_L .* (1 - a_L)
 *   dW_l  = 1/m d_l' a_{l-1},  db_l = 1/m sum_i d_l,i
 *   d_{l-1} = (d_l W_l) .* a_{l-1} .* (1 - a_{l-1})
 */
import * as tf from '@tensorflow/tfjs';
import { matrix, type Matrix } from '../../compute/matrix.ts';
import { checkMatrix, checkSavedParams } from '../../features/validate.ts';
import { lbfgs, type IterationInfo, type LbfgsStopReason } from '../../optim/lbfgs.ts';
import { SflError } from '../../util/errors.ts';
import { accuracy } from '../metrics.ts';
import { softmaxHead, softmaxPredict, softmaxTrain } from '../softmax/softmax.ts';
import { argmaxRows } from '../../compute/matrix.ts';
import {
  encode, initParams as saeInitParams, sparseAutoencoderCost, unpackParams as saeUnpack, type Decoder,
  type DisposableCostFunction as DisposableSaeCost, type SaeOptions,
} from '../sae/sparse-autoencoder.ts';
import {
  checkLabels, checkTheta, disposableCost, logLossFinish, oneHot,
  type DisposableCostFunction, type LabelArray,
} from '../softmax/cost-parts.ts';
import { engine } from '../../compute/engine.ts';
import {
  checkStackedProblem, checkStackedShape, packStacked, stackedParamCount, unpackStacked,
  type StackedOptions, type StackedParams, type StackedShape,
} from './params.ts';

/** Uploads the packed parameters as float32 tensors (call inside tf.tidy). */
function paramTensors(theta: Float64Array, shape: StackedShape): {
  Theta: tf.Tensor2D; c: tf.Tensor1D | undefined; Ws: tf.Tensor2D[]; Wts: tf.Tensor2D[]; bs: tf.Tensor1D[];
} {
  const s = shape.layerSizes;
  const k = shape.numClasses;
  const hL = s[s.length - 1];
  const bias = shape.bias ?? true;
  const P = unpackStacked(theta, shape);
  const Theta = tf.tensor2d(Float32Array.from(P.softmax.subarray(0, k * hL)), [k, hL]);
  const c = bias ? tf.tensor1d(Float32Array.from(P.softmax.subarray(k * hL))) : undefined;
  const Ws = P.layers.map((L, i) => tf.tensor2d(Float32Array.from(L.W), [s[i + 1], s[i]]));
  const Wts = Ws.map((W) => tf.transpose(W) as tf.Tensor2D);
  const bs = P.layers.map((L) => tf.tensor1d(Float32Array.from(L.b)));
  return { Theta, c, Ws, Wts, bs };
}

/**
 * The fine-tuning cost J(theta) and its gradient over the packing documented at the top of the
 * file. X is m x inputSize. X and the one-hot labels stay on the tensor backend until dispose().
 */
export function stackedCost(X: Matrix, labels: LabelArray, opts: StackedOptions): DisposableCostFunction {
  const what = 'stacked autoencoder';
  checkStackedProblem(X, labels, opts, what);
  const m = X.rows;
  const s = opts.layerSizes;
  const L = s.length - 1;
  const k = opts.numClasses;
  const hL = s[L];
  const weightDecay = opts.weightDecay;
  const nParams = stackedParamCount(opts);
  const nTheta = k * hL;

  const Xt = tf.tensor2d(X.data, [m, s[0]]);
  const Yt = tf.tensor2d(oneHot(labels, k), [m, k]);

  return disposableCost('stackedCost', async (theta) => {
    checkTheta(theta, nParams, what);
    const out = tf.tidy(() => {
      const { Theta, c, Ws, Wts, bs } = paramTensors(theta, opts);
      // forward: A[l] = sigmoid(A[l-1] W_l' + b_l)          [m x s(l-1)][s(l-1) x s(l)] -> m x s(l)
      const A: tf.Tensor2D[] = [Xt];
      for (let l = 1; l <= L; l++) {
        A.push(tf.fused.matMul({ a: A[l - 1], b: Wts[l - 1], bias: bs[l - 1], activation: 'sigmoid' }) as tf.Tensor2D);
      }
      const { rowLogp, D } = softmaxHead(A[L], Yt, Theta, c ?? null);
      const grads: tf.Tensor[] = [];
      // softmax: D' a_L                                       [k x m][m x hL] -> k x hL
      grads.push(tf.matMul(tf.transpose(D), A[L]));
      if (c) grads.push(tf.sum(D, 0));
      // d_L = (D Theta) .* a_L .* (1 - a_L)                   [m x k][k x hL] -> m x hL
      let delta = tf.mul(tf.matMul(D, Theta), tf.mul(A[L], tf.sub(1, A[L]))) as tf.Tensor2D;
      const layerGrads: tf.Tensor[][] = [];
      for (let l = L; l >= 1; l--) {
        // dW_l = d_l' a_{l-1}                                 [s(l) x m][m x s(l-1)] -> s(l) x s(l-1)
        const gW = tf.matMul(tf.transpose(delta), A[l - 1]);
        const gb = tf.sum(delta, 0);
        layerGrads[l - 1] = [gW, gb];
        if (l > 1) {
          // d_{l-1} = (d_l W_l) .* a_{l-1} .* (1 - a_{l-1})   [m x s(l)][s(l) x s(l-1)] -> m x s(l-1)
          delta = tf.mul(tf.matMul(delta, Ws[l - 1]), tf.mul(A[l - 1], tf.sub(1, A[l - 1]))) as tf.Tensor2D;
        }
      }
      for (const g of layerGrads) grads.push(...g);
      return { rowLogp, grads };
    });
    try {
      const logp = (await out.rowLogp.data()) as Float32Array;
      const parts = (await Promise.all(out.grads.map((g) => g.data()))) as Float32Array[];
      // The parts come in packing order: Theta, [c], W_1, b_1, ..., W_L, b_L.
      return logLossFinish(theta, { m, nDecay: nTheta, weightDecay, what }, logp, parts);
    } finally {
      out.rowLogp.dispose();
      for (const g of out.grads) g.dispose();
    }
  }, () => {
    Xt.dispose();
    Yt.dispose();
  });
}

/** A stacked autoencoder classifier: the shape and the packed parameters. */
export class StackedModel {
  constructor(
    readonly layerSizes: readonly number[],
    readonly numClasses: number,
    readonly bias: boolean,
    readonly theta: Float64Array,
  ) {
    checkStackedShape({ layerSizes, numClasses }, 'stacked autoencoder model');
    checkTheta(theta, stackedParamCount({ layerSizes, numClasses, bias }), 'stacked autoencoder model');
    this.layerSizes = [...layerSizes];
  }

  get shape(): StackedShape {
    return { layerSizes: this.layerSizes, numClasses: this.numClasses, bias: this.bias };
  }

  /** Views into theta. */
  get params(): StackedParams {
    return unpackStacked(this.theta, this.shape);
  }

  toJSON(): StackedModelJSON {
    return {
      type: 'StackedModel',
      version: 1,
      layerSizes: [...this.layerSizes],
      numClasses: this.numClasses,
      bias: this.bias,
      theta: Array.from(this.theta),
    };
  }

  static fromJSON(json: unknown): StackedModel {
    checkSavedParams(json, 'StackedModel');
    const j = json as StackedModelJSON;
    return new StackedModel(j.layerSizes, j.numClasses, Boolean(j.bias), Float64Array.from(j.theta));
  }
}

export interface StackedModelJSON {
  type: 'StackedModel';
  version: 1;
  layerSizes: number[];
  numClasses: number;
  bias: boolean;
  /** The flat parameters, packed as documented in stacked.ts. */
  theta: number[];
}

const PREDICT_BATCH = 4096;

/**
 * Top hidden-layer activations (m x hL) and class probabilities (m x numClasses), in batches of
 * rows so large inputs need no second device copy.
 */
function forward(model: StackedModel, X: Matrix): { top: Matrix; probs: Matrix } {
  const s = model.layerSizes;
  checkMatrix(X, 'stacked autoencoder input', { cols: s[0], colsReason: 'the input size the model was trained on', minRows: 0 });
  const m = X.rows;
  const k = model.numClasses;
  const hL = s[s.length - 1];
  const top = matrix(m, hL);
  const probs = matrix(m, k);
  const params = tf.tidy(() => paramTensors(model.theta, model.shape));
  try {
    for (let start = 0; start < m; start += PREDICT_BATCH) {
      const end = Math.min(m, start + PREDICT_BATCH);
      const [a, p] = tf.tidy(() => {
        let A = tf.tensor2d(X.data.subarray(start * s[0], end * s[0]), [end - start, s[0]]);
        for (let l = 0; l < params.Ws.length; l++) {
          A = tf.fused.matMul({ a: A, b: params.Wts[l], bias: params.bs[l], activation: 'sigmoid' }) as tf.Tensor2D;
        }
        let S = tf.matMul(A, tf.transpose(params.Theta));
        if (params.c) S = tf.add(S, params.c);
        const e = tf.exp(tf.sub(S, tf.max(S, 1, true)));
        return [A, tf.div(e, tf.sum(e, 1, true))];
      });
      try {
        top.data.set(a.dataSync() as Float32Array, start * hL);
        probs.data.set(p.dataSync() as Float32Array, start * k);
      } finally {
        a.dispose();
        p.dispose();
      }
    }
  } finally {
    params.Theta.dispose();
    params.c?.dispose();
    for (const t of [...params.Ws, ...params.Wts, ...params.bs]) t.dispose();
  }
  return { top, probs };
}

/** Class probabilities (m x numClasses) and the most probable class of each row of X. */
export function stackedPredict(model: StackedModel, X: Matrix): { labels: Int32Array; probs: Matrix } {
  const { probs } = forward(model, X);
  return { labels: argmaxRows(probs.data, probs.rows, probs.cols), probs };
}

/** Activations of the top hidden layer (m x hL): the learned features. */
export function stackedFeatures(model: StackedModel, X: Matrix): Matrix {
  return forward(model, X).top;
}

// ---------------------------------------------------------------------------------------------
// Orchestration: greedy layer-wise pretraining, softmax, fine-tuning.

export type StageName = 'pretrain' | 'softmax' | 'finetune';

export interface StageEvent {
  stage: StageName;
  /** 'start' before the stage's optimisation, 'end' after it. */
  phase: 'start' | 'end';
  /** 1-based hidden layer, for 'pretrain'. */
  layer?: number;
  /** At 'end': the final cost, iterations and why the optimiser stopped. */
  cost?: number;
  iterations?: number;
  stopReason?: LbfgsStopReason;
}

export interface TrainStackedOptions {
  /** Hidden layer sizes, bottom first: [h1, ..., hL]. */
  hiddenSizes: number[];
  /**
   * Sparse autoencoder settings for every layer. `decoder` applies to the first layer only
   * (default 'sigmoid', for inputs in [0, 1]; 'linear' for whitened inputs); the deeper layers
   * see sigmoid activations in (0, 1) and always use the sigmoid decoder.
   */
  sae: { weightDecay: number; beta: number; rho: number; maxIter: number; decoder?: Decoder };
  softmax: { weightDecay: number; maxIter: number; bias?: boolean };
  /** Fine-tuning uses softmax.weightDecay as the weight decay on Theta, as UFLDL. maxIter 0 skips it. */
  fineTune: { maxIter: number };
  numClasses: number;
  /** Seed of the initialisations (layer l uses seed + l; the softmax seed + 1000). Default 0. */
  seed?: number;
  /** Accuracies before and after fine-tuning are measured here (default: the training data). */
  evalSet?: { X: Matrix; labels: LabelArray };
  onStage?: (e: StageEvent) => void;
  /**
   * Builds the sparse autoencoder cost of one pretraining layer. Default sparseAutoencoderCost
   * (this thread); the pipeline passes one that splits big inputs over worker threads.
   */
  saeCost?: (X: Matrix, opts: SaeOptions) => DisposableSaeCost | Promise<DisposableSaeCost>;
  /** Per-iteration progress of every optimisation; return false to stop that stage early. */
  onIteration?: (stage: StageName, info: IterationInfo, layer?: number) => void | boolean;
}

export interface TrainStackedResult {
  /** The fine-tuned network (equal to `pretrained` when fineTune.maxIter is 0). */
  model: StackedModel;
  /** The network after pretraining and the softmax, before fine-tuning. */
  pretrained: StackedModel;
  /** Accuracy of `pretrained` and of `model`, on evalSet when given, else on the training data. */
  accuracyBeforeFineTune: number;
  accuracyAfterFineTune: number;
  accuracyOn: 'training data' | 'evaluation set';
  /** Final cost, iterations and stop reason of each optimisation, in order. */
  stages: StageEvent[];
}

/**
 * UFLDL's stacked autoencoder recipe: train a sparse autoencoder on X, encode X with it, train the
 * next one on those activations, and so on; train a softmax on the top activations; then
 * fine-tune the whole network with backprop on the labelled data (stackedCost + L-BFGS).
 * Call initBackend() first.
 */
export async function trainStacked(X: Matrix, labels: LabelArray, opts: TrainStackedOptions): Promise<TrainStackedResult> {
  const what = 'stacked autoencoder training';
  if (!Array.isArray(opts.hiddenSizes) || opts.hiddenSizes.length < 1) {
    throw new SflError(`${what}: give at least one hidden layer size`);
  }
  checkMatrix(X, `${what} input`);
  const layerSizes = [X.cols, ...opts.hiddenSizes];
  checkStackedShape({ layerSizes, numClasses: opts.numClasses }, what);
  checkLabels(labels, X.rows, opts.numClasses, what);
  for (const [name, v] of [['sae', opts.sae.maxIter], ['softmax', opts.softmax.maxIter]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new SflError(`${what}: ${name}.maxIter must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(opts.fineTune.maxIter) || opts.fineTune.maxIter < 0) {
    throw new SflError(`${what}: fineTune.maxIter must be an integer >= 0, got ${opts.fineTune.maxIter}`);
  }
  const seed = opts.seed ?? 0;
  const bias = opts.softmax.bias ?? true;
  const stages: StageEvent[] = [];
  const emit = (e: StageEvent): void => {
    if (e.phase === 'end') stages.push(e);
    opts.onStage?.(e);
  };

  // 1. Greedy layer-wise pretraining.
  const layers: StackedParams['layers'] = [];
  let input = X;
  for (let l = 1; l <= opts.hiddenSizes.length; l++) {
    const visible = layerSizes[l - 1];
    const hidden = layerSizes[l];
    emit({ stage: 'pretrain', phase: 'start', layer: l });
    const f = await (opts.saeCost ?? sparseAutoencoderCost)(input, {
      visible, hidden, weightDecay: opts.sae.weightDecay, beta: opts.sae.beta, rho: opts.sae.rho,
      decoder: l === 1 ? (opts.sae.decoder ?? 'sigmoid') : 'sigmoid',
    });
    let theta: Float64Array;
    try {
      const r = await lbfgs(f, saeInitParams(visible, hidden, seed + l), {
        maxIter: opts.sae.maxIter,
        onIteration: opts.onIteration && ((info) => opts.onIteration!('pretrain', info, l)),
      });
      theta = r.theta;
      emit({ stage: 'pretrain', phase: 'end', layer: l, cost: r.cost, iterations: r.iterations, stopReason: r.stopReason });
    } finally {
      await f.dispose();
    }
    const P = saeUnpack(theta, visible, hidden);
    layers.push({ W: Float64Array.from(P.W1), b: Float64Array.from(P.b1) });
    input = encode(input, theta);
  }

  // 2. Softmax on the top activations.
  emit({ stage: 'softmax', phase: 'start' });
  const soft = await softmaxTrain(input, labels, { numClasses: opts.numClasses, weightDecay: opts.softmax.weightDecay, bias }, {
    maxIter: opts.softmax.maxIter,
    seed: seed + 1000,
    onIteration: opts.onIteration && ((info) => opts.onIteration!('softmax', info)),
  });
  emit({ stage: 'softmax', phase: 'end', cost: soft.training?.cost, iterations: soft.training?.iterations, stopReason: soft.training?.stopReason });
  const shape: StackedShape = { layerSizes, numClasses: opts.numClasses, bias };
  const pretrained = new StackedModel(layerSizes, opts.numClasses, bias, packStacked({ softmax: soft.theta, layers }, shape));

  const evalX = opts.evalSet?.X ?? X;
  const evalLabels = opts.evalSet?.labels ?? labels;
  if (opts.evalSet) checkLabels(evalLabels, evalX.rows, opts.numClasses, `${what} (evaluation set)`);
  const accuracyBeforeFineTune = opts.evalSet
    ? accuracy(evalLabels, stackedPredict(pretrained, evalX).labels)
    // On the training data the top activations are already computed: predict from them directly.
    : accuracy(labels, softmaxPredict(soft, input).labels);

  // 3. Fine-tuning of the whole network.
  let model = pretrained;
  if (opts.fineTune.maxIter > 0) {
    emit({ stage: 'finetune', phase: 'start' });
    // The onnx graph is imported only when that engine runs (a checkout without onnxruntime-node runs wasm).
    const costOpts = { ...shape, weightDecay: opts.softmax.weightDecay };
    const f = (await engine()) === 'onnx'
      ? await (await import('./onnx-cost.ts')).stackedCostOnnx(X, labels, costOpts)
      : stackedCost(X, labels, costOpts);
    try {
      const r = await lbfgs(f, pretrained.theta, {
        maxIter: opts.fineTune.maxIter,
        onIteration: opts.onIteration && ((info) => opts.onIteration!('finetune', info)),
      });
      model = new StackedModel(layerSizes, opts.numClasses, bias, Float64Array.from(r.theta));
      emit({ stage: 'finetune', phase: 'end', cost: r.cost, iterations: r.iterations, stopReason: r.stopReason });
    } finally {
      f.dispose();
    }
  }
  const accuracyAfterFineTune = model === pretrained
    ? accuracyBeforeFineTune
    : accuracy(evalLabels, stackedPredict(model, evalX).labels);
  return {
    model,
    pretrained,
    accuracyBeforeFineTune,
    accuracyAfterFineTune,
    accuracyOn: opts.evalSet ? 'evaluation set' : 'training data',
    stages,
  };
}
