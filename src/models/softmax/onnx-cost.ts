/**
 * Softmax regression's cost and gradient as one ONNX graph, run by ONNX Runtime. Same model,
 * packing and hand-derived gradient as ./softmax.ts (see there); the float64 end (sum of log
 * probabilities, weight decay, 1/m) is its logLossFinish, so the engines differ only in where the
 * products run. X and the one-hot labels Y are constants of the graph (uploaded once).
 *
 *   S = X W' (+ b)                          [m x n][n x k] -> m x k   (Gemm, transB)
 *   logp = S - logsumexp(S)                 m x k                     (LogSoftmax: shifted by the row max)
 *   rowLogp = sum_c Y logp                  m                         (summed in float64 outside)
 *   D = exp(logp) - Y                       m x k
 *   gW = D' X,  gb = sum_i D_i              [k x m][m x n] -> k x n   (Gemm, transA)
 */
import type { Matrix } from '../../compute/matrix.ts';
import { GraphBuilder, type Precision } from '../../compute/onnx/graph-builder.ts';
import { onnxThreads } from '../../compute/engine.ts';
import { createSession, requireOnnxRuntime } from '../../compute/onnx/runtime.ts';
import {
  checkSoftmaxProblem, checkTheta, disposableCost, oneHot, logLossFinish, softmaxParamCount,
  type DisposableCostFunction, type LabelArray, type SoftmaxOptions,
} from './cost-parts.ts';


/** The graph for examples X (m x n) with labels, in float32 (the engine) or float64 (gradient checks). */
function softmaxCostGraph(X: Matrix, labels: LabelArray, opts: SoftmaxOptions, precision: Precision = 'float32'): Uint8Array {
  const m = X.rows, n = X.cols, k = opts.numClasses;
  const t = precision;
  const f = (a: Float32Array): Float32Array | Float64Array => (t === 'float32' ? a : Float64Array.from(a));
  const g = new GraphBuilder('softmax_cost');
  const x = g.constant('X', f(X.data), [m, n]);
  const y = g.constant('Y', f(oneHot(labels, k)), [m, k]);
  const W = g.input('W', t, [k, n]);
  const S = (opts.bias ?? true)
    ? g.op('Gemm', [x, W, g.input('b', t, [k])], { transB: 1 })
    : g.op('Gemm', [x, W], { transB: 1 });
  const logp = g.op('LogSoftmax', [S], { axis: 1 });
  const rowLogp = g.op('ReduceSum', [g.op('Mul', [y, logp]), g.ints([1])], { keepdims: 0 });
  const D = g.op('Sub', [g.op('Exp', [logp]), y]);
  g.output(rowLogp, 'rowLogp', t, [m]);
  g.output(g.op('Gemm', [D, x], { transA: 1 }), 'gW', t, [k, n]);
  if (opts.bias ?? true) g.output(g.op('ReduceSum', [D, g.ints([0])], { keepdims: 0 }), 'gb', t, [k]);
  return g.toBytes('sfl softmax regression cost and gradient (sums over the examples)');
}

/**
 * The softmax cost on the onnx engine: same contract as softmaxCost (dispose() when done; here it
 * releases the session). Throws when onnxruntime-node cannot load.
 */
export async function softmaxCostOnnx(
  X: Matrix, labels: LabelArray, opts: SoftmaxOptions, precision: Precision = 'float32', threads?: number,
): Promise<DisposableCostFunction> {
  const what = 'softmax';
  checkSoftmaxProblem(X, labels, opts, what);
  const ort = await requireOnnxRuntime();
  const session = await createSession(ort, softmaxCostGraph(X, labels, opts, precision), threads ?? onnxThreads());
  const m = X.rows, n = X.cols, k = opts.numClasses, bias = opts.bias ?? true;
  const nW = k * n;
  const nParams = softmaxParamCount(n, k, bias);
  return disposableCost('softmaxCostOnnx', async (theta) => {
    checkTheta(theta, nParams, what);
    const p = precision === 'float32' ? Float32Array.from(theta) : theta;
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { W: new ort.Tensor(precision, p.slice(0, nW), [k, n]) };
    if (bias) feeds.b = new ort.Tensor(precision, p.slice(nW, nW + k), [k]);
    const r = await session.run(feeds);
    const data = (name: string): ArrayLike<number> => r[name].data as Float32Array | Float64Array;
    return logLossFinish(theta, { m, nDecay: nW, weightDecay: opts.weightDecay, what }, data('rowLogp'), bias ? [data('gW'), data('gb')] : [data('gW')]);
  }, () => {
    void session.release();
  });
}
