/**
 * The limited-memory inverse-Hessian approximation of L-BFGS: the last `capacity` pairs
 * s = x_{k+1} - x_k, y = g_{k+1} - g_k in a circular buffer, and the two-loop recursion that
 * applies the approximation to a vector.
 *
 * Memory is 2 * capacity * n float64 values (for n = 300k and capacity = 100, about 480 MB), so
 * pair buffers are allocated only as pairs arrive and then reused in place; a short run never
 * pays for the whole memory. After that, neither update nor direction allocates.
 */
export class LbfgsMemory {
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  /** rho_k = 1 / (y_k' s_k), per slot. */
  private readonly rho: Float64Array;
  /** Two-loop scratch, per slot. */
  private readonly alpha: Float64Array;
  /** Slot of the oldest pair. */
  private head = 0;
  private count = 0;
  /** Initial inverse-Hessian scale gamma = s'y / y'y from the newest accepted pair. */
  private gamma = 1;

  constructor(
    readonly n: number,
    readonly capacity: number,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new Error(`L-BFGS memory must be a positive integer, got ${capacity}`);
    }
    this.rho = new Float64Array(capacity);
    this.alpha = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get scale(): number {
    return this.gamma;
  }

  /**
   * Offer the pair s = step * d, y = gNew - gOld. Returns false (and keeps the memory unchanged)
   * when y's <= 1e-10: without positive curvature the update would make the approximation
   * indefinite, so minFunc skips it, and so do we.
   */
  update(step: number, d: Float64Array, gNew: Float64Array, gOld: Float64Array): boolean {
    const n = this.n;
    // First pass measures the pair without storing it: when the memory is full the slot to write
    // is the oldest pair's, which must survive a rejected update.
    let ys = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const yi = gNew[i] - gOld[i];
      ys += yi * step * d[i];
      yy += yi * yi;
    }
    if (!(ys > 1e-10)) return false;

    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.head + this.count) % this.capacity;
      if (this.s[slot] === undefined) {
        this.s[slot] = new Float64Array(n);
        this.y[slot] = new Float64Array(n);
      }
      this.count++;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    const s = this.s[slot];
    const y = this.y[slot];
    for (let i = 0; i < n; i++) {
      s[i] = step * d[i];
      y[i] = gNew[i] - gOld[i];
    }
    this.rho[slot] = 1 / ys;
    this.gamma = ys / yy;
    return true;
  }

  /**
   * out = -H g by the two-loop recursion (Nocedal & Wright Alg. 7.4); out must not alias g.
   *
   * The recursion is memory-bound (n = 300k, 100 pairs: 480 MB of pairs streamed twice), so each
   * pass over the vector does two things: apply pair k and take the dot product the next pair
   * needs. That is 2m + 1 passes instead of 4m + 2, with the same arithmetic.
   */
  direction(g: Float64Array, out: Float64Array): void {
    const n = this.n;
    const cap = this.capacity;
    const m = this.count;
    const q = out;
    const slotOf = (k: number) => (this.head + k) % cap;

    if (m === 0) {
      // No pairs yet (gamma is still 1): steepest descent.
      for (let i = 0; i < n; i++) q[i] = -g[i];
      return;
    }

    // q = -g, and the dot product s_newest' q for the first pair of the first loop.
    let acc = 0;
    const sFirst = this.s[slotOf(m - 1)];
    for (let i = 0; i < n; i++) {
      const v = -g[i];
      q[i] = v;
      acc += sFirst[i] * v;
    }

    // First loop, newest to oldest: alpha_k = rho_k s_k' q; q -= alpha_k y_k. The pass that
    // applies pair k also computes s_{k-1}' q; the last one applies gamma and computes y_0' q.
    const gamma = this.gamma;
    for (let k = m - 1; k >= 0; k--) {
      const slot = slotOf(k);
      const a = this.rho[slot] * acc;
      this.alpha[slot] = a;
      const y = this.y[slot];
      acc = 0;
      if (k > 0) {
        acc = axpyDot(q, -a, y, this.s[slotOf(k - 1)], n);
      } else {
        // oldest pair: y here is also the first vector the second loop needs
        for (let i = 0; i < n; i++) {
          const v = gamma * (q[i] - a * y[i]);
          q[i] = v;
          acc += y[i] * v;
        }
      }
    }

    // Second loop, oldest to newest: beta_k = rho_k y_k' r; r += (alpha_k - beta_k) s_k,
    // again fusing in the dot product y_{k+1}' r for the next pair.
    for (let k = 0; k < m; k++) {
      const slot = slotOf(k);
      const c = this.alpha[slot] - this.rho[slot] * acc;
      const s = this.s[slot];
      acc = 0;
      if (k < m - 1) {
        acc = axpyDot(q, c, s, this.y[slotOf(k + 1)], n);
      } else {
        for (let i = 0; i < n; i++) q[i] += c * s[i];
      }
    }
  }
}

/**
 * q += a x, returning z . q (the updated q): one pass for the two steps of the recursion. Four
 * partial sums, because with one the loop waits on each addition's latency (measured: about 2x
 * slower for n = 300k).
 */
function axpyDot(q: Float64Array, a: number, x: Float64Array, z: Float64Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const v0 = q[i] + a * x[i];
    const v1 = q[i + 1] + a * x[i + 1];
    const v2 = q[i + 2] + a * x[i + 2];
    const v3 = q[i + 3] + a * x[i + 3];
    q[i] = v0;
    q[i + 1] = v1;
    q[i + 2] = v2;
    q[i + 3] = v3;
    s0 += z[i] * v0;
    s1 += z[i + 1] * v1;
    s2 += z[i + 2] * v2;
    s3 += z[i + 3] * v3;
  }
  for (; i < n; i++) {
    const v = q[i] + a * x[i];
    q[i] = v;
    s0 += z[i] * v;
  }
  return s0 + s1 + (s2 + s3);
}
