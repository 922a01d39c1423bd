/**
 * The sparse autoencoder's cost and gradient as one ONNX graph, run by ONNX Runtime (native, all
 * cores). Same model, notation and packed parameter order as ./sparse-autoencoder.ts; the same
 * hand-derived backprop, written as ONNX operators instead of tfjs calls.
 *
 * The graph holds the examples X as a constant, so they cross into the runtime once, when the
 * session is created, and it can pre-pack X for the products that read it. Each evaluation feeds the
 * parameters and gets back sums over the examples, not yet divided by m; the float64 reductions
 * (KL cost, weight decay, 1/m scaling) are the wasm path's own sparsityTerm and assembleCostGrad, so
 * the two engines differ only in where the products run.
 *
 *   z2 = X W1' + b1                         [m x v][v x h] -> m x h    (Gemm, transB)
 *   a2 = sigmoid(z2)
 *   z3 = a2 W2' + b2                        [m x h][h x v] -> m x v    (Gemm, transB)
 *   a3 = sigmoid(z3) | z3
 *   sqRow = sum_i (a3 - x)^2                m                          (summed in float64 outside)
 *   d3 = (a3 - x) a3 (1 - a3) | (a3 - x)    m x v
 *   gW2 = d3' a2,  gb2 = sum_k d3           [v x m][m x h] -> v x h    (Gemm, transA)
 *   a2Sum = sum_k a2;  rhat = a2Sum / m
 *   s = beta (-rho / rhat + (1 - rho) / (1 - rhat))                    h  (float32 here; the KL cost
 *                                                                          itself is float64 outside)
 *   d2 = (d3 W2 + s) a2 (1 - a2)            [m x v][v x h] -> m x h    (MatMul)
 *   gW1 = d2' X,   gb1 = sum_k d2           [h x m][m x v] -> h x v    (Gemm, transA)
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { Matrix } from '../../compute/matrix.ts';
import { GraphBuilder, type Precision } from '../../compute/onnx/graph-builder.ts';
import { BlockSum, rowBlocks } from '../../compute/onnx/cost-row-blocks.ts';
import { onnxThreads } from '../../compute/engine.ts';
import { createSession, requireOnnxRuntime, type OrtModule } from '../../compute/onnx/runtime.ts';
import {
  assembleCostGrad, oneAtATime, paramCount, sparsityTerm, type DisposableCostFunction, type SaeOptions,
} from './sparse-autoencoder.ts';
import { sum64 } from './shard.ts';

/**
 * The cost-and-gradient graph for m examples X (m x v, row-major) of an autoencoder shaped as `opts`,
 * in row blocks (../../compute/onnx/cost-row-blocks.ts; `blockRows` forces their size). The hidden
 * activations of all blocks come first, since the sparsity term needs their column sums; then each
 * block runs its decoder, deltas and gradient products, accumulating the sums. float32 is the
 * engine; float64 lets the gradient checks run to ~1e-9 on the same graph.
 */
export function saeCostGraph(X: Matrix, opts: SaeOptions, precision: Precision = 'float32', blockRows?: number): Uint8Array {
  const { visible: v, hidden: h, beta, rho } = opts;
  const m = X.rows;
  const t = precision;
  const g = new GraphBuilder('sparse_autoencoder_cost');
  const data = t === 'float32' ? X.data : Float64Array.from(X.data);
  const blocks = rowBlocks(m, v, blockRows);
  const xs = blocks.map(([r0, r1], k) => g.constant(`X${k}`, data.subarray(r0 * v, r1 * v), [r1 - r0, v]));
  const W1 = g.input('W1', t, [h, v]);
  const W2 = g.input('W2', t, [v, h]);
  const b1 = g.input('b1', t, [h]);
  const b2 = g.input('b2', t, [v]);
  const c = (value: number): string => g.scalar(value, t);
  const one = c(1);
  const axis0 = g.ints([0]);
  const linear = opts.decoder === 'linear';

  const a2s = xs.map((x) => g.op('Sigmoid', [g.op('Gemm', [x, W1, b1], { transB: 1 })]));
  const a2Sum = new BlockSum(g);
  for (const a2 of a2s) a2Sum.add(g.op('ReduceSum', [a2, axis0], { keepdims: 0 }));
  let s: string | undefined;
  if (beta !== 0) {
    const rhat = g.op('Div', [a2Sum.value, c(m)]);
    s = g.op('Mul', [
      c(beta),
      g.op('Add', [
        g.op('Div', [c(-rho), rhat]),
        g.op('Div', [c(1 - rho), g.op('Sub', [one, rhat])]),
      ]),
    ]);
  }

  const sqRows: string[] = [];
  const gW2 = new BlockSum(g), gb2 = new BlockSum(g), gW1 = new BlockSum(g), gb1 = new BlockSum(g);
  xs.forEach((x, k) => {
    const a2 = a2s[k];
    const z3 = g.op('Gemm', [a2, W2, b2], { transB: 1 });
    const a3 = linear ? z3 : g.op('Sigmoid', [z3]);
    const diff = g.op('Sub', [a3, x]);
    sqRows.push(g.op('ReduceSumSquare', [diff], { axes: [1], keepdims: 0 }));
    const d3 = linear ? diff : g.op('Mul', [diff, g.op('Mul', [a3, g.op('Sub', [one, a3])])]);
    gW2.gemm(d3, a2, { transA: 1 });
    gb2.add(g.op('ReduceSum', [d3, axis0], { keepdims: 0 }));
    let back = g.op('MatMul', [d3, W2]); // d3 W2: rows x h
    if (s) back = g.op('Add', [back, s]);
    const d2 = g.op('Mul', [back, g.op('Mul', [a2, g.op('Sub', [one, a2])])]);
    gW1.gemm(d2, x, { transA: 1 });
    gb1.add(g.op('ReduceSum', [d2, axis0], { keepdims: 0 }));
  });

  g.output(sqRows.length === 1 ? sqRows[0] : g.op('Concat', sqRows, { axis: 0 }), 'sqRow', t, [m]);
  g.output(a2Sum.value, 'a2Sum', t, [h]);
  g.output(gW2.value, 'gW2', t, [v, h]);
  g.output(gb2.value, 'gb2', t, [v]);
  g.output(gW1.value, 'gW1', t, [h, v]);
  g.output(gb1.value, 'gb1', t, [h]);
  return g.toBytes('sfl sparse autoencoder cost and gradient (sums over the examples)');
}

/** The cost function over an open session (exported for the tests that compare engines). */
export function saeCostFromSession(
  ort: OrtModule, session: InferenceSession, m: number, opts: SaeOptions, precision: Precision = 'float32',
): DisposableCostFunction {
  const { visible: v, hidden: h } = opts;
  const n = paramCount(v, h);
  const f = oneAtATime('onnx', n, async (theta) => {
    // Each part converted straight from theta's float64 (TypedArray.set converts natively), no
    // intermediate float32 copy of the whole vector.
    const part = (start: number, end: number, dims: number[]): InstanceType<OrtModule['Tensor']> => {
      const a = precision === 'float32' ? new Float32Array(end - start) : new Float64Array(end - start);
      a.set(theta.subarray(start, end));
      return new ort.Tensor(precision, a, dims);
    };
    const feeds = {
      W1: part(0, h * v, [h, v]),
      W2: part(h * v, 2 * h * v, [v, h]),
      b1: part(2 * h * v, 2 * h * v + h, [h]),
      b2: part(2 * h * v + h, n, [v]),
    };
    const r = await session.run(feeds);
    const data = (name: string): Float32Array | Float64Array => r[name].data as Float32Array | Float64Array;
    const a2Sum = Float64Array.from(data('a2Sum'));
    const { kl } = sparsityTerm(a2Sum, m, opts.beta, opts.rho);
    const p1 = { m, sqErr: sum64(data('sqRow')), a2Sum, gW2: data('gW2'), gb2: data('gb2') };
    const p2 = { gW1: data('gW1'), gb1: data('gb1') };
    return assembleCostGrad(theta, opts, [p1], [p2], kl);
  });
  return Object.assign(f, { dispose: () => session.release() });
}

/**
 * The sparse autoencoder's cost on X (m x v) run by ONNX Runtime with `threads` intra-op threads
 * (default: SFL_THREADS, else one per core). Throws when onnxruntime-node cannot load; the engine
 * chooser (src/compute/engine.ts) checks that first.
 */
export async function sparseAutoencoderCostOnnx(X: Matrix, opts: SaeOptions, threads?: number): Promise<DisposableCostFunction> {
  if (X.cols !== opts.visible) throw new Error(`sparse autoencoder: X has ${X.cols} columns, expected ${opts.visible}`);
  if (X.rows < 1) throw new Error('sparse autoencoder: X has no rows');
  const ort = await requireOnnxRuntime();
  const session = await createSession(ort, saeCostGraph(X, opts), threads ?? onnxThreads());
  return saeCostFromSession(ort, session, X.rows, opts);
}
