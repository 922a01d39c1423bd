/**
 * Test objectives with known minimisers, shared by the optimiser tests.
 * (Named without .test so it is not collected as a test file.)
 */
import type { CostAndGradient } from '../../src/optim/types.ts';

/** Chained Rosenbrock sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2; minimum 0 at all ones. */
export function rosenbrock(x: Float64Array): CostAndGradient {
  const n = x.length;
  let cost = 0;
  const grad = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    cost += 100 * a * a + b * b;
    grad[i] += -400 * x[i] * a - 2 * b;
    grad[i + 1] += 200 * a;
  }
  return { cost, grad };
}

/** The classic start (-1.2, 1, -1.2, 1, ...). */
export function rosenbrockStart(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
}

/** Repeatable uniform [0, 1) numbers. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box-Muller. */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface Quadratic {
  n: number;
  /** Dense SPD matrix, row-major. */
  A: Float64Array;
  b: Float64Array;
  /** A^{-1} b, computed from the eigendecomposition. */
  solution: Float64Array;
  f: (x: Float64Array) => CostAndGradient;
}

/**
 * 0.5 x'Ax - b'x with A = Q diag(lambda) Q', lambda log-spaced in [1, condition] and Q a product
 * of two Householder reflections (orthogonal, and dense enough to mix every coordinate).
 */
export function spdQuadratic(n: number, condition: number, seed: number): Quadratic {
  const random = seeded(seed);
  const normal = gaussian(random);
  const lambda = Float64Array.from({ length: n }, (_, i) => Math.pow(condition, i / (n - 1)));
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  for (let r = 0; r < 2; r++) {
    const v = Float64Array.from({ length: n }, normal);
    let vv = 0;
    for (const e of v) vv += e * e;
    // Q <- Q (I - 2 v v' / v'v)
    for (let i = 0; i < n; i++) {
      let qv = 0;
      for (let k = 0; k < n; k++) qv += Q[i * n + k] * v[k];
      for (let j = 0; j < n; j++) Q[i * n + j] -= (2 * qv * v[j]) / vv;
    }
  }
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] * lambda[k] * Q[j * n + k];
      A[i * n + j] = s;
    }
  }
  const b = Float64Array.from({ length: n }, normal);
  // solution = Q diag(1/lambda) Q' b
  const qtb = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Q[i * n + k] * b[i];
    qtb[k] = s / lambda[k];
  }
  const solution = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += Q[i * n + k] * qtb[k];
    solution[i] = s;
  }
  const f = (x: Float64Array): CostAndGradient => {
    const grad = new Float64Array(n);
    let cost = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += A[i * n + j] * x[j];
      grad[i] = ax - b[i];
      cost += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return { cost, grad };
  };
  return { n, A, b, solution, f };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
