/**
 * The stacked network's fine-tuning cost and gradient as one ONNX graph, run by ONNX Runtime. Same
 * network, packing and hand-derived backprop as ./stacked.ts's stackedCost (see there); the float64
 * end (sum of log probabilities, weight decay on Theta, 1/m) is the shared logLossFinish. X and the
 * one-hot labels Y are constants of the graph.
 *
 *   A_0 = X;  A_l = sigmoid(A_{l-1} W_l' + b_l)      [m x s(l-1)][s(l-1) x s(l)] -> m x s(l)   (Gemm, transB)
 *   logp = LogSoftmax(A_L Theta' + c);  rowLogp = sum_c Y logp;  D = exp(logp) - Y          (m x k)
 *   dTheta = D' A_L,  dc = sum_i D_i                  [k x m][m x hL] -> k x hL             (Gemm, transA)
 *   d_L = (D Theta) .* A_L .* (1 - A_L)
 *   dW_l = d_l' A_{l-1},  db_l = sum_i d_l,i;   d_{l-1} = (d_l W_l) .* A_{l-1} .* (1 - A_{l-1})
 */
import type { Tensor } from 'onnxruntime-node';
import type { Matrix } from '../../compute/matrix.ts';
import { GraphBuilder, type Precision } from '../../compute/onnx/graph-builder.ts';
import { BlockSum, rowBlocks } from '../../compute/onnx/cost-row-blocks.ts';
import { onnxThreads } from '../../compute/engine.ts';
import { createSession, requireOnnxRuntime } from '../../compute/onnx/runtime.ts';
import {
  checkTheta, disposableCost, logLossFinish, oneHot, type DisposableCostFunction, type LabelArray,
} from '../softmax/cost-parts.ts';
import { checkStackedProblem, stackedParamCount, unpackStacked, type StackedOptions, type StackedShape } from './params.ts';


/**
 * The fine-tuning graph for examples X (m x inputSize) with labels; float64 for gradient checks. In
 * row blocks (../../compute/onnx/cost-row-blocks.ts; `blockRows` forces their size): each block runs the
 * forward pass, the deltas and its gradient products while its activations are still in cache.
 */
export function stackedCostGraph(X: Matrix, labels: LabelArray, shape: StackedShape, precision: Precision = 'float32', blockRows?: number): Uint8Array {
  const s = shape.layerSizes;
  const L = s.length - 1, k = shape.numClasses, m = X.rows;
  const bias = shape.bias ?? true;
  const t = precision;
  const f = (a: Float32Array): Float32Array | Float64Array => (t === 'float32' ? a : Float64Array.from(a));
  const g = new GraphBuilder('stacked_fine_tuning_cost');
  const data = f(X.data), onehot = f(oneHot(labels, k));
  const Theta = g.input('Theta', t, [k, s[L]]);
  const c = bias ? g.input('c', t, [k]) : undefined;
  const W: string[] = [], b: string[] = [];
  for (let l = 1; l <= L; l++) {
    W.push(g.input(`W${l}`, t, [s[l], s[l - 1]]));
    b.push(g.input(`b${l}`, t, [s[l]]));
  }
  const one = g.scalar(1, t);
  const axis0 = g.ints([0]), axis1 = g.ints([1]);
  const sigmoidSlope = (a: string): string => g.op('Mul', [a, g.op('Sub', [one, a])]);

  const rowLogps: string[] = [];
  const gTheta = new BlockSum(g), gc = new BlockSum(g);
  const gW = W.map(() => new BlockSum(g)), gb = W.map(() => new BlockSum(g));
  rowBlocks(m, Math.max(...s, k), blockRows).forEach(([r0, r1], i) => {
    const A = [g.constant(`X${i}`, data.subarray(r0 * s[0], r1 * s[0]), [r1 - r0, s[0]])];
    const y = g.constant(`Y${i}`, onehot.subarray(r0 * k, r1 * k), [r1 - r0, k]);
    for (let l = 1; l <= L; l++) A.push(g.op('Sigmoid', [g.op('Gemm', [A[l - 1], W[l - 1], b[l - 1]], { transB: 1 })]));
    const S = g.op('Gemm', c ? [A[L], Theta, c] : [A[L], Theta], { transB: 1 });
    const logp = g.op('LogSoftmax', [S], { axis: 1 });
    rowLogps.push(g.op('ReduceSum', [g.op('Mul', [y, logp]), axis1], { keepdims: 0 }));
    const D = g.op('Sub', [g.op('Exp', [logp]), y]);
    gTheta.gemm(D, A[L], { transA: 1 });
    if (bias) gc.add(g.op('ReduceSum', [D, axis0], { keepdims: 0 }));
    let delta = g.op('Mul', [g.op('MatMul', [D, Theta]), sigmoidSlope(A[L])]);
    for (let l = L; l >= 1; l--) {
      gW[l - 1].gemm(delta, A[l - 1], { transA: 1 });
      gb[l - 1].add(g.op('ReduceSum', [delta, axis0], { keepdims: 0 }));
      if (l > 1) delta = g.op('Mul', [g.op('MatMul', [delta, W[l - 1]]), sigmoidSlope(A[l - 1])]);
    }
  });

  g.output(rowLogps.length === 1 ? rowLogps[0] : g.op('Concat', rowLogps, { axis: 0 }), 'rowLogp', t, [m]);
  g.output(gTheta.value, 'gTheta', t, [k, s[L]]);
  if (bias) g.output(gc.value, 'gc', t, [k]);
  for (let l = L; l >= 1; l--) {
    g.output(gW[l - 1].value, `gW${l}`, t, [s[l], s[l - 1]]);
    g.output(gb[l - 1].value, `gb${l}`, t, [s[l]]);
  }
  return g.toBytes('sfl stacked autoencoder fine-tuning cost and gradient (sums over the examples)');
}

/**
 * The fine-tuning cost on the onnx engine: same contract as stackedCost (dispose() releases the
 * session). Throws when onnxruntime-node cannot load.
 */
export async function stackedCostOnnx(
  X: Matrix, labels: LabelArray, opts: StackedOptions, precision: Precision = 'float32', threads?: number, blockRows?: number,
): Promise<DisposableCostFunction> {
  const what = 'stacked autoencoder';
  checkStackedProblem(X, labels, opts, what);
  const ort = await requireOnnxRuntime();
  const session = await createSession(ort, stackedCostGraph(X, labels, opts, precision, blockRows), threads ?? onnxThreads());
  const s = opts.layerSizes, L = s.length - 1, k = opts.numClasses, bias = opts.bias ?? true;
  const nParams = stackedParamCount(opts);
  const tensor = (a: Float64Array, dims: number[]): Tensor =>
    new ort.Tensor(precision, precision === 'float32' ? Float32Array.from(a) : Float64Array.from(a), dims);
  return disposableCost('stackedCostOnnx', async (theta) => {
    checkTheta(theta, nParams, what);
    const P = unpackStacked(theta, opts);
    const feeds: Record<string, Tensor> = { Theta: tensor(P.softmax.subarray(0, k * s[L]), [k, s[L]]) };
    if (bias) feeds.c = tensor(P.softmax.subarray(k * s[L]), [k]);
    P.layers.forEach((layer, i) => {
      feeds[`W${i + 1}`] = tensor(layer.W, [s[i + 1], s[i]]);
      feeds[`b${i + 1}`] = tensor(layer.b, [s[i + 1]]);
    });
    const r = await session.run(feeds);
    const data = (name: string): ArrayLike<number> => r[name].data as Float32Array | Float64Array;
    // Packing order: Theta, [c], W_1, b_1, ..., W_L, b_L.
    const parts = [data('gTheta'), ...(bias ? [data('gc')] : [])];
    for (let l = 1; l <= L; l++) parts.push(data(`gW${l}`), data(`gb${l}`));
    return logLossFinish(theta, { m: X.rows, nDecay: k * s[L], weightDecay: opts.weightDecay, what }, data('rowLogp'), parts);
  }, () => {
    void session.release();
  });
}
