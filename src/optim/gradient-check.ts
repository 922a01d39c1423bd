/**
 * Numerical gradient checking by central differences:
 *   num_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)
 * compared with the analytic gradient over all coordinates or a random subset, as
 *   relative error = ||num - ana|| / ||num + ana||   (over the checked coordinates).
 * For a correct gradient in float64 this is ~1e-9 or smaller; a wrong term gives 1e-2 and more.
 * In float32 the cost itself is only good to ~1e-7 relative, so use a larger epsilon (1e-2 .. 1e-3)
 * and expect ~1e-3 at best.
 */
import type { CostFunction } from './types.ts';
import { mulberry32 } from '../util/random.ts';

export interface GradientCheckOptions {
  /** step of the central difference (default 1e-4) */
  epsilon?: number;
  /** check only this many coordinates, drawn at random without replacement (default: all) */
  coordinates?: number;
  /** check exactly these coordinates (overrides `coordinates`) */
  indices?: ArrayLike<number>;
  /** seed of the random subset (default 1) */
  seed?: number;
}

export interface GradientCheckResult {
  /** ||num - ana|| / ||num + ana|| over the checked coordinates (0 when both are 0) */
  relativeError: number;
  /** the coordinate with the largest |num - ana| */
  worst: { index: number; numeric: number; analytic: number; absError: number };
  /** the checked coordinates, and the numeric and analytic gradient there (same order) */
  indices: Int32Array;
  numeric: Float64Array;
  analytic: Float64Array;
  /** the cost at theta */
  cost: number;
}

/** `k` distinct integers from [0, n), in increasing order, deterministic in `seed`. */
export function randomSubset(n: number, k: number, seed = 1): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  // Partial Fisher-Yates.
  const rand = mulberry32(seed);
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, k).sort();
}

/** Compare the analytic gradient of `f` at `theta` with central differences. `theta` is not modified. */
export async function gradientCheck(f: CostFunction, theta: Float64Array, opts: GradientCheckOptions = {}): Promise<GradientCheckResult> {
  const eps = opts.epsilon ?? 1e-4;
  if (!(eps > 0)) throw new Error(`gradientCheck: epsilon must be > 0, got ${eps}`);
  const n = theta.length;
  const indices = opts.indices
    ? Int32Array.from(opts.indices)
    : randomSubset(n, Math.min(n, opts.coordinates ?? n), opts.seed ?? 1);
  for (const i of indices) {
    if (i < 0 || i >= n) throw new Error(`gradientCheck: coordinate ${i} outside [0, ${n})`);
  }
  const at = await f(theta);
  const analytic = new Float64Array(indices.length);
  const numeric = new Float64Array(indices.length);
  const t = Float64Array.from(theta);
  let diff2 = 0;
  let sum2 = 0;
  let worst = { index: -1, numeric: 0, analytic: 0, absError: -1 };
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    const orig = t[i];
    t[i] = orig + eps;
    const plus = (await f(t)).cost;
    t[i] = orig - eps;
    const minus = (await f(t)).cost;
    t[i] = orig;
    const num = (plus - minus) / (2 * eps);
    const ana = at.grad[i];
    numeric[k] = num;
    analytic[k] = ana;
    diff2 += (num - ana) ** 2;
    sum2 += (num + ana) ** 2;
    const abs = Math.abs(num - ana);
    if (abs > worst.absError || Number.isNaN(abs)) worst = { index: i, numeric: num, analytic: ana, absError: abs };
  }
  const relativeError = diff2 === 0 ? 0 : Math.sqrt(diff2) / Math.sqrt(sum2);
  return { relativeError, worst, indices, numeric, analytic, cost: at.cost };
}
