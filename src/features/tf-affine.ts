/**
 * Applying a linear map to many rows through tfjs (float32 matMul): several times faster than the
 * float64 loops of kernels.ts on the wasm or native backend. Used only when an awaited
 * initBackend() (src/compute/backend.ts) has already chosen one of those backends, so callers stay
 * synchronous and never trigger a backend choice themselves.
 */
import * as tf from '@tensorflow/tfjs';
import { transposed, type Matrix } from '../compute/matrix.ts';
import { applyAffine } from './kernels.ts';

/** True when initBackend() has finished choosing the wasm or native backend. */
export function fastBackendReady(): boolean {
  const engine = tf.engine() as unknown as { backendName?: string; pendingBackendInit?: unknown };
  return (engine.backendName === 'wasm' || engine.backendName === 'tensorflow') && engine.pendingBackendInit == null;
}

let forcePlain = false;
/** For tests and benchmarks: use the float64 loops even when a fast backend is ready. */
export function setPlainKernels(on: boolean): void {
  forcePlain = on;
}

/**
 * Y = (X - shift) * M' (+ offset) with M row-major out x d (see kernels.ts applyAffine): through
 * tf.matMul when a fast backend is ready and the product is large, else the float64 loops.
 */
export function applyAffineFast(X: Matrix, M: Float64Array, out: number, shift?: Float64Array, offset?: Float64Array): Matrix {
  if (!forcePlain && fastBackendReady() && X.rows * X.cols * out > 1e6) return applyAffineTf(X, M, out, shift, offset);
  return applyAffine(X, M, out, shift, offset);
}

/** applyAffine through tf.matMul (float32), in chunks of rows; M is transposed explicitly (no transposeB flag). */
function applyAffineTf(X: Matrix, M: Float64Array, out: number, shift?: Float64Array, offset?: Float64Array): Matrix {
  const { data, rows: n, cols: d } = X;
  const res = new Float32Array(n * out);
  const Mt = transposed(M, out, d);
  const chunkRows = Math.max(1, Math.min(n, Math.floor(4_000_000 / Math.max(d, out))));
  const buf = new Float32Array(chunkRows * d);
  const mT = tf.tensor2d(Mt, [d, out]);
  const off = offset ? tf.tensor1d(Float32Array.from(offset)) : undefined;
  try {
    for (let r0 = 0; r0 < n; r0 += chunkRows) {
      const len = Math.min(chunkRows, n - r0);
      const src = data.subarray(r0 * d, (r0 + len) * d);
      // Always a private copy: some backends keep a reference to, or ignore the offset of, a view.
      const chunk = len === chunkRows ? buf : new Float32Array(len * d);
      if (shift) {
        for (let r = 0; r < len; r++) {
          const o = r * d;
          for (let c = 0; c < d; c++) chunk[o + c] = src[o + c] - shift[c];
        }
      } else {
        chunk.set(src);
      }
      const y = tf.tidy(() => {
        const prod = tf.matMul(tf.tensor2d(chunk, [len, d]), mT);
        return off ? tf.add(prod, off) : prod;
      });
      res.set(y.dataSync() as Float32Array, r0 * out);
      y.dispose();
    }
  } finally {
    mT.dispose();
    off?.dispose();
  }
  return { data: res, rows: n, cols: out };
}
