/**
 * One shard of examples of the sparse autoencoder's cost (see ./sparse-autoencoder.ts for the model
 * and the two-phase evaluation): the examples live on the device, and each evaluation runs phase 1
 * (forward pass, output deltas, decoder gradient) and phase 2 (hidden deltas, encoder gradient).
 *
 * Almost all of the time is the five matrix products (measured on wasm, 5,000 x 784 -> 196: about
 * 65 ms each, the elementwise work about 30 ms in all), so the layout is chosen to keep them few
 * and small:
 *  - Biases ride in the products. X carries a column of ones, so X1 [W1'; b1'] gives z2 with b1
 *    folded in, and d2' X1 gives dJ/dW1 and dJ/db1 in one product. Likewise a2 gets a column of
 *    ones for the decoder: a2a [W2'; b2'] and d3' a2a. In isolation tfjs's fused bias and
 *    activation measured about 10 ms slower per product than a plain product and tf.sigmoid.
 *    Together with the dropped columns below, an evaluation measured 5-10% faster than with the
 *    fused products (A/B of minimum times; the machine is noisy).
 *  - Input columns that are zero in every example of the shard (MNIST's border: 111 of 784 pixels in
 *    the first 10,000 images) are left out of X1. They add nothing to z2, and their encoder gradient
 *    sums are exactly zero, so both products involving X shrink by that fraction. The full X is
 *    still kept for the reconstruction error.
 */
import * as tf from '@tensorflow/tfjs';
import type { Matrix } from '../../compute/matrix.ts';

export type Decoder = 'sigmoid' | 'linear';

/**
 * What phase 1 of a shard returns: sums over the shard's examples, not yet divided by m. Float32 from
 * the engines; float64 from the ONNX graph built in float64 for the gradient checks.
 */
export interface SaePhase1 {
  /** number of examples in the shard */
  m: number;
  /** sum over examples of ||a3 - x||^2 (float64) */
  sqErr: number;
  /** column sums of a2 (h), float64 */
  a2Sum: Float64Array;
  /** sum over examples of d3' a2: v x h (same layout as W2) */
  gW2: Float32Array | Float64Array;
  /** sum over examples of d3 (v) */
  gb2: Float32Array | Float64Array;
}

/** What phase 2 of a shard returns: sums over the shard's examples, not yet divided by m. */
export interface SaePhase2 {
  /** sum over examples of d2' x: h x v (same layout as W1) */
  gW1: Float32Array | Float64Array;
  /** sum over examples of d2 (h) */
  gb1: Float32Array | Float64Array;
}

export interface SaeShardShape {
  visible: number;
  hidden: number;
  decoder: Decoder;
}

/** Column sums of a row-major rows x cols float32 matrix, accumulated in float64. */
function columnSums64(data: Float32Array, rows: number, cols: number): Float64Array {
  const acc = new Float64Array(cols);
  for (let k = 0, o = 0; k < rows; k++, o += cols) {
    for (let j = 0; j < cols; j++) acc[j] += data[o + j];
  }
  return acc;
}

/** Sum in float64 of downloaded float32 values (the per-example squared errors). */
export function sum64(data: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return s;
}

/** Indices of the columns of X (rows x cols) that hold a non-zero value in some row. */
export function nonZeroColumns(X: Matrix): Int32Array {
  const seen = new Uint8Array(X.cols);
  const d = X.data;
  for (let k = 0, o = 0; k < X.rows; k++, o += X.cols) {
    for (let j = 0; j < X.cols; j++) if (d[o + j] !== 0) seen[j] = 1;
  }
  const keep: number[] = [];
  for (let j = 0; j < X.cols; j++) if (seen[j]) keep.push(j);
  return Int32Array.from(keep);
}

/**
 * The examples of one shard, uploaded to the device once. Evaluations run phase1 then phase2;
 * the tensors that phase 2 needs are kept between the two and disposed by phase 2 (or by the next
 * phase 1, or dispose()).
 */
export class SaeShard {
  readonly m: number;
  private readonly v: number;
  private readonly h: number;
  private readonly decoder: Decoder;
  /** the columns of X that are not zero in every example */
  private readonly keep: Int32Array;
  private X: tf.Tensor2D | null; //   m x v
  private X1: tf.Tensor2D | null; //  m x (keep + 1): the kept columns, then ones
  private ones: tf.Tensor2D | null; // m x 1
  private kept: { d3W2: tf.Tensor2D; a2prime: tf.Tensor2D } | null = null;

  constructor(X: Matrix, shape: SaeShardShape) {
    if (X.cols !== shape.visible) {
      throw new Error(`sparse autoencoder: X has ${X.cols} columns, the model ${shape.visible} visible units`);
    }
    this.m = X.rows;
    this.v = shape.visible;
    this.h = shape.hidden;
    this.decoder = shape.decoder;
    this.keep = nonZeroColumns(X);
    const k = this.keep.length;
    const x1 = new Float32Array(X.rows * (k + 1));
    for (let r = 0; r < X.rows; r++) {
      const src = r * X.cols, dst = r * (k + 1);
      for (let c = 0; c < k; c++) x1[dst + c] = X.data[src + this.keep[c]];
      x1[dst + k] = 1;
    }
    this.X = tf.tensor2d(X.data, [X.rows, X.cols], 'float32');
    this.X1 = tf.tensor2d(x1, [X.rows, k + 1], 'float32');
    this.ones = tf.ones([X.rows, 1], 'float32') as tf.Tensor2D;
  }

  private dropKept(): void {
    if (this.kept) {
      this.kept.d3W2.dispose();
      this.kept.a2prime.dispose();
      this.kept = null;
    }
  }

  /** [W1'; b1'] restricted to the kept input columns: (keep + 1) x h, row-major. */
  private encoderWeights(theta: Float32Array): Float32Array {
    const { v, h, keep } = this;
    const k = keep.length;
    const out = new Float32Array((k + 1) * h);
    for (let j = 0; j < h; j++) {
      const row = j * v;
      for (let c = 0; c < k; c++) out[c * h + j] = theta[row + keep[c]];
    }
    out.set(theta.subarray(2 * h * v, 2 * h * v + h), k * h);
    return out;
  }

  /** [W2'; b2']: (h + 1) x v, row-major. */
  private decoderWeights(theta: Float32Array): Float32Array {
    const { v, h } = this;
    const out = new Float32Array((h + 1) * v);
    const W2 = theta.subarray(h * v, 2 * h * v); // v x h
    for (let i = 0; i < v; i++) {
      const row = i * h;
      for (let j = 0; j < h; j++) out[j * v + i] = W2[row + j];
    }
    out.set(theta.subarray(2 * h * v + h, 2 * h * v + h + v), h * v);
    return out;
  }

  /** Forward pass and everything that does not depend on rhat. `theta` is the packed vector in float32. */
  phase1(theta: Float32Array): SaePhase1 {
    const { X, X1, ones } = this;
    if (!X || !X1 || !ones) throw new Error('SaeShard: used after dispose()');
    this.dropKept();
    const { v, h, m } = this;
    const k = this.keep.length;
    const linear = this.decoder === 'linear';
    const W1a = this.encoderWeights(theta);
    const W2a = this.decoderWeights(theta);
    const out = tf.tidy(() => {
      // a2 = sigmoid(X W1' + b1):                     [m x (k+1)][(k+1) x h] -> m x h
      const a2 = tf.sigmoid(tf.matMul(X1, tf.tensor2d(W1a, [k + 1, h]))) as tf.Tensor2D;
      const a2a = tf.concat([a2, ones], 1) as tf.Tensor2D; //                     m x (h+1)
      // a3 = f(a2 W2' + b2):                          [m x (h+1)][(h+1) x v] -> m x v
      const z3 = tf.matMul(a2a, tf.tensor2d(W2a, [h + 1, v]));
      const a3 = linear ? z3 : tf.sigmoid(z3);
      const diff = tf.sub(a3, X);
      // Squared error per row; the rows are summed in float64 below.
      const sqRow = tf.sum(tf.square(diff), 1);
      // Output deltas d3 = (a3 - x) f'(z3): f' = a3 (1 - a3) for the sigmoid, 1 for the linear decoder.
      const d3 = linear ? diff : tf.mul(diff, tf.mul(a3, tf.sub(1, a3)));
      // [dJ/dW2 | dJ/db2] sums = d3' [a2 | 1]:        [v x m][m x (h+1)] -> v x (h+1)
      // (d3 transposed explicitly: the wasm kernel repacks a transposed left operand slowly.)
      const gW2a = tf.matMul(tf.transpose(d3), a2a);
      // Back through W2: d3 W2,                       [m x v][v x h] -> m x h
      const d3W2 = tf.matMul(d3, tf.tensor2d(theta.subarray(h * v, 2 * h * v), [v, h])) as tf.Tensor2D;
      const a2prime = tf.mul(a2, tf.sub(1, a2)) as tf.Tensor2D;
      return { a2, sqRow, gW2a, d3W2, a2prime };
    });
    this.kept = { d3W2: out.d3W2, a2prime: out.a2prime };
    try {
      const a2Sum = columnSums64(out.a2.dataSync() as Float32Array, m, h);
      const sqErr = sum64(out.sqRow.dataSync());
      const g = out.gW2a.dataSync() as Float32Array; // v x (h+1)
      const gW2 = new Float32Array(v * h);
      const gb2 = new Float32Array(v);
      for (let i = 0; i < v; i++) {
        gW2.set(g.subarray(i * (h + 1), i * (h + 1) + h), i * h);
        gb2[i] = g[i * (h + 1) + h];
      }
      return { m, sqErr, a2Sum, gW2, gb2 };
    } finally {
      out.a2.dispose();
      out.sqRow.dispose();
      out.gW2a.dispose();
    }
  }

  /** Hidden deltas with the global sparsity delta `s` (h), and the encoder gradient sums. */
  phase2(s: Float32Array): SaePhase2 {
    const { X1, kept, v, h, keep } = this;
    if (!X1) throw new Error('SaeShard: used after dispose()');
    if (!kept) throw new Error('SaeShard: phase2 without phase1');
    let gW1a: tf.Tensor;
    try {
      gW1a = tf.tidy(() => {
        // d2 = (d3 W2 + s) a2 (1 - a2), s broadcast over the examples      m x h
        const d2 = tf.mul(tf.add(kept.d3W2, tf.tensor1d(s)), kept.a2prime);
        // [dJ/dW1 | dJ/db1] sums over the kept columns = d2' X1:  [h x m][m x (k+1)] -> h x (k+1)
        return tf.matMul(tf.transpose(d2), X1);
      });
    } finally {
      this.dropKept();
    }
    try {
      const k = keep.length;
      const g = gW1a.dataSync() as Float32Array;
      const gW1 = new Float32Array(h * v); // the left-out columns' sums are exactly zero
      const gb1 = new Float32Array(h);
      for (let j = 0; j < h; j++) {
        const src = j * (k + 1), dst = j * v;
        for (let c = 0; c < k; c++) gW1[dst + keep[c]] = g[src + c];
        gb1[j] = g[src + k];
      }
      return { gW1, gb1 };
    } finally {
      gW1a.dispose();
    }
  }

  dispose(): void {
    this.dropKept();
    this.X?.dispose();
    this.X1?.dispose();
    this.ones?.dispose();
    this.X = null;
    this.X1 = null;
    this.ones = null;
  }
}
