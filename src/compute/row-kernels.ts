/**
 * The row kernels of the host SGD steps (src/models/mnist-baselines/host-sgd.ts) in plain
 * JavaScript: the reference implementation, and the fallback where WebAssembly SIMD is missing
 * (or SFL_HOST_KERNELS=js). row-kernels.wat holds the same kernels in WebAssembly SIMD and is
 * tested against these.
 *
 * Layout: W is nIn x nOut, row-major (the tfjs variable's own layout), so row i holds input i's
 * outgoing weights and starts at element i nOut.
 */

/** Which row kernels run: WebAssembly SIMD or these JavaScript loops (chosen in engine.ts). */
export type HostKernelKind = 'js' | 'simd';

/** Named float arrays with the kernels of one kind bound to them (kernel-arena.ts makes them). */
export interface KernelArena<F extends string, D extends string> {
  readonly kind: HostKernelKind;
  readonly layer: LayerKernels;
  readonly row: RowKernels;
  /** Zeroed float32 arrays by name. */
  readonly f32: Record<F, Float32Array>;
  /** Zeroed float64 arrays by name. */
  readonly f64: Record<D, Float64Array>;
}

/** One pass over (part of) a weight row starting at element o of W. */
export interface RowKernels {
  /** sum_j W[o + j] v[j] over j < n. */
  dot(W: Float32Array, o: number, v: Float32Array, n: number): number;
  /** y[j] += a W[o + j] over j < n. */
  axpyFromRow(y: Float32Array, a: number, W: Float32Array, o: number, n: number): void;
  /** W[o + j] = shrink W[o + j] - a v[j] over j < n; returns sum_j W[o + j] v[j] with the OLD weights. */
  dotThenUpdate(W: Float32Array, o: number, v: Float32Array, shrink: number, a: number, n: number): number;
  /** W[o + j] = shrink W[o + j] - a v[j] - c u[j] over j < n (u may be null). */
  update(W: Float32Array, o: number, shrink: number, a: number, v: Float32Array, c: number, u: Float32Array | null, n: number): void;
}

/** The whole-layer loops a step is made of (W: nIn x nOut); each is one pass over W. */
export interface LayerKernels {
  /** out = b + x W, skipping the rows of zero inputs (most MNIST pixels, more once corrupted). */
  forward(W: Float32Array, x: Float32Array, nIn: number, nOut: number, b: Float32Array, out: Float32Array): void;
  /**
   * With delta = dJ/d(pre-activation of the layer's outputs): dx[i] = W_i . delta with the
   * weights before the step (when dx is given), and W_i = shrink W_i - lr x[i] delta, both in
   * the same pass over row i. Rows of x[i] = 0 are only read, and only for dx, unless shrink != 1.
   */
  backward(W: Float32Array, x: Float32Array, delta: Float32Array, nIn: number, nOut: number, lr: number, shrink: number, dx: Float32Array | null): void;
  /**
   * The dA's decoder with tied weights and the first half of its backward pass: for each visible
   * unit i, a[i] = bVisible[i] + W_i . h, da[i] = sigmoid(a[i]) - x[i], dh = sum_i da[i] W_i.
   */
  daDecode(W: Float32Array, h: Float32Array, bVisible: Float32Array, x: Float32Array, nIn: number, nOut: number, da: Float32Array, a: Float64Array, dh: Float32Array): void;
  /** The dA's step: W_i -= lr da[i] h + lr noisy[i] dh; bVisible[i] -= lr da[i]. */
  daUpdate(W: Float32Array, h: Float32Array, da: Float32Array, noisy: Float32Array, dh: Float32Array, lr: number, nIn: number, nOut: number, bVisible: Float32Array): void;
  /** sum_k W[k]^2. */
  sumSquares(W: Float32Array): number;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/*
 * Unrolled by four. A dot product with one accumulator is bound by the latency of each addition;
 * four independent sums measured 2.5-3x faster in V8 (1.3 against 3.3-4.1 ms per million
 * products), and the unrolled axpy 1.4x.
 */

function dot(W: Float32Array, o: number, v: Float32Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += W[o + j] * v[j];
    s1 += W[o + j + 1] * v[j + 1];
    s2 += W[o + j + 2] * v[j + 2];
    s3 += W[o + j + 3] * v[j + 3];
  }
  for (; j < n; j++) s0 += W[o + j] * v[j];
  return s0 + s1 + s2 + s3;
}

function axpyFromRow(y: Float32Array, a: number, W: Float32Array, o: number, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    y[j] += a * W[o + j];
    y[j + 1] += a * W[o + j + 1];
    y[j + 2] += a * W[o + j + 2];
    y[j + 3] += a * W[o + j + 3];
  }
  for (; j < n; j++) y[j] += a * W[o + j];
}

function dotThenUpdate(W: Float32Array, o: number, v: Float32Array, shrink: number, a: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const w0 = W[o + j];
    const w1 = W[o + j + 1];
    const w2 = W[o + j + 2];
    const w3 = W[o + j + 3];
    s0 += w0 * v[j];
    s1 += w1 * v[j + 1];
    s2 += w2 * v[j + 2];
    s3 += w3 * v[j + 3];
    W[o + j] = shrink * w0 - a * v[j];
    W[o + j + 1] = shrink * w1 - a * v[j + 1];
    W[o + j + 2] = shrink * w2 - a * v[j + 2];
    W[o + j + 3] = shrink * w3 - a * v[j + 3];
  }
  for (; j < n; j++) {
    const w = W[o + j];
    s0 += w * v[j];
    W[o + j] = shrink * w - a * v[j];
  }
  return s0 + s1 + s2 + s3;
}

function update(W: Float32Array, o: number, shrink: number, a: number, v: Float32Array, c: number, u: Float32Array | null, n: number): void {
  let j = 0;
  if (u) {
    for (; j + 3 < n; j += 4) {
      W[o + j] = shrink * W[o + j] - a * v[j] - c * u[j];
      W[o + j + 1] = shrink * W[o + j + 1] - a * v[j + 1] - c * u[j + 1];
      W[o + j + 2] = shrink * W[o + j + 2] - a * v[j + 2] - c * u[j + 2];
      W[o + j + 3] = shrink * W[o + j + 3] - a * v[j + 3] - c * u[j + 3];
    }
    for (; j < n; j++) W[o + j] = shrink * W[o + j] - a * v[j] - c * u[j];
    return;
  }
  for (; j + 3 < n; j += 4) {
    W[o + j] = shrink * W[o + j] - a * v[j];
    W[o + j + 1] = shrink * W[o + j + 1] - a * v[j + 1];
    W[o + j + 2] = shrink * W[o + j + 2] - a * v[j + 2];
    W[o + j + 3] = shrink * W[o + j + 3] - a * v[j + 3];
  }
  for (; j < n; j++) W[o + j] = shrink * W[o + j] - a * v[j];
}

export const jsRowKernels: RowKernels = { dot, axpyFromRow, dotThenUpdate, update };

export const jsLayerKernels: LayerKernels = {
  forward(W, x, nIn, nOut, b, out) {
    out.set(b);
    for (let i = 0; i < nIn; i++) {
      const xi = x[i];
      if (xi !== 0) axpyFromRow(out, xi, W, i * nOut, nOut);
    }
  },
  backward(W, x, delta, nIn, nOut, lr, shrink, dx) {
    for (let i = 0; i < nIn; i++) {
      const o = i * nOut;
      const step = lr * x[i];
      if (dx) dx[i] = step !== 0 || shrink !== 1 ? dotThenUpdate(W, o, delta, shrink, step, nOut) : dot(W, o, delta, nOut);
      else if (step !== 0 || shrink !== 1) update(W, o, shrink, step, delta, 0, null, nOut);
    }
  },
  daDecode(W, h, bVisible, x, nIn, nOut, da, a, dh) {
    dh.fill(0);
    for (let i = 0; i < nIn; i++) {
      const o = i * nOut;
      const ai = bVisible[i] + dot(W, o, h, nOut);
      a[i] = ai;
      const d = sigmoid(ai) - x[i];
      da[i] = d;
      axpyFromRow(dh, d, W, o, nOut);
    }
  },
  daUpdate(W, h, da, noisy, dh, lr, nIn, nOut, bVisible) {
    for (let i = 0; i < nIn; i++) {
      const v = lr * da[i];
      // The encoder's share noisy_i dh is zero for a zeroed or blank pixel.
      update(W, i * nOut, 1, v, h, lr * noisy[i], noisy[i] !== 0 ? dh : null, nOut);
      bVisible[i] -= v;
    }
  },
  sumSquares(W) {
    let s = 0;
    for (let k = 0; k < W.length; k++) s += W[k] * W[k];
    return s;
  },
};
