import { describe, expect, it } from 'vitest';
import { lbfgs, type IterationInfo } from '../../src/optim/lbfgs.ts';
import type { CostAndGradient, CostFunction } from '../../src/optim/types.ts';
import { maxAbsDiff, rosenbrock, rosenbrockStart, seeded, spdQuadratic } from './problems.ts';

/** Record every evaluation (point, cost, gradient) a run makes. */
function recorded(f: (x: Float64Array) => CostAndGradient) {
  const evals: { x: Float64Array; cost: number; grad: Float64Array }[] = [];
  const wrapped: CostFunction = (x) => {
    const r = f(x);
    evals.push({ x: Float64Array.from(x), cost: r.cost, grad: Float64Array.from(r.grad) });
    return r;
  };
  return { f: wrapped, evals };
}

/**
 * Check the strong Wolfe conditions for every accepted step reported by the line search as
 * 'wolfe'. Accepted points are found among the recorded evaluations by their cost; with p the
 * step x_{k+1} - x_k (the conditions are invariant to how p splits into t and d):
 *   f_{k+1} <= f_k + c1 g_k'p   and   |g_{k+1}'p| <= c2 |g_k'p|.
 */
function expectStrongWolfe(
  history: IterationInfo[],
  evals: { x: Float64Array; cost: number; grad: Float64Array }[],
  c1 = 1e-4,
  c2 = 0.9,
): number {
  const find = (h: IterationInfo) => {
    const e = evals.slice(0, h.funEvals).reverse().find((v) => v.cost === h.cost);
    if (!e) throw new Error(`no evaluation with cost ${h.cost}`);
    return e;
  };
  let checked = 0;
  for (let k = 1; k < history.length; k++) {
    if (history[k].lineSearch !== 'wolfe') continue;
    const a = find(history[k - 1]);
    const b = find(history[k]);
    let g0p = 0, g1p = 0;
    for (let i = 0; i < a.x.length; i++) {
      const p = b.x[i] - a.x[i];
      g0p += a.grad[i] * p;
      g1p += b.grad[i] * p;
    }
    const slack = 1e-12 * (Math.abs(a.cost) + Math.abs(g0p));
    expect(g0p).toBeLessThan(0);
    expect(b.cost).toBeLessThanOrEqual(a.cost + c1 * g0p + slack);
    expect(Math.abs(g1p)).toBeLessThanOrEqual(c2 * Math.abs(g0p) + slack);
    checked++;
  }
  return checked;
}

function expectNonIncreasing(costs: number[]): void {
  for (let k = 1; k < costs.length; k++) expect(costs[k]).toBeLessThanOrEqual(costs[k - 1]);
}

describe('lbfgs on Rosenbrock', () => {
  it('2-D from (-1.2, 1) reaches (1, 1) in about as many iterations as minFunc (~35)', async () => {
    const { f, evals } = recorded(rosenbrock);
    const r = await lbfgs(f, rosenbrockStart(2));
    expect(maxAbsDiff(r.theta, [1, 1])).toBeLessThan(1e-4);
    expect(r.iterations).toBeLessThan(100);
    expect(r.iterations).toBeGreaterThanOrEqual(25);
    expect(r.iterations).toBeLessThanOrEqual(45);
    expect(r.funEvals).toBe(evals.length);
    expect(r.stopReason).toBe('progTol');
    // every line search ended with a strong Wolfe point, and each one checks out
    expect(r.history.slice(1).every((h) => h.lineSearch === 'wolfe')).toBe(true);
    expect(expectStrongWolfe(r.history, evals)).toBe(r.iterations);
    // the result is the evaluated point it claims to be
    expect(r.cost).toBe(rosenbrock(r.theta).cost);
  });

  it('10-D chained Rosenbrock reaches all ones', async () => {
    const { f, evals } = recorded(rosenbrock);
    const r = await lbfgs(f, rosenbrockStart(10));
    expect(maxAbsDiff(r.theta, new Float64Array(10).fill(1))).toBeLessThan(1e-4);
    expect(r.iterations).toBeLessThan(150);
    expect(expectStrongWolfe(r.history, evals)).toBeGreaterThan(r.iterations - 2);
  });

  it('still converges with a memory of one pair', async () => {
    const r = await lbfgs(rosenbrock, rosenbrockStart(2), { memory: 1, maxIter: 1000 });
    expect(maxAbsDiff(r.theta, [1, 1])).toBeLessThan(1e-3);
  });
});

describe('lbfgs on a convex quadratic', () => {
  const q = spdQuadratic(50, 1e3, 5);

  it('reaches A^{-1} b (50-D, condition number 1e3) with the default tolerances', async () => {
    const { f, evals } = recorded(q.f);
    const r = await lbfgs(f, new Float64Array(50));
    // minFunc's absolute progTol on the cost change (1e-9) ends this run, as it would in minFunc
    expect(['optTol', 'progTol']).toContain(r.stopReason);
    expect(maxAbsDiff(r.theta, q.solution)).toBeLessThan(1e-4);
    expect(r.iterations).toBeLessThan(150);
    expect(expectStrongWolfe(r.history, evals)).toBe(r.iterations);
  });

  it('reaches it to 1e-5 when stopped on the gradient alone', async () => {
    const r = await lbfgs(q.f, new Float64Array(50), { optTol: 1e-6, progTol: 0 });
    expect(r.stopReason).toBe('optTol');
    // |x - x*| <= |A^{-1}| |g|_2 <= 1 * sqrt(50) * optTol
    expect(maxAbsDiff(r.theta, q.solution)).toBeLessThan(1e-5);
    expect(r.iterations).toBeLessThan(200);
  });
});

describe('lbfgs stopping', () => {
  it('maxIter', async () => {
    const r = await lbfgs(rosenbrock, rosenbrockStart(2), { maxIter: 5 });
    expect(r.stopReason).toBe('maxIter');
    expect(r.iterations).toBe(5);
    expect(r.history).toHaveLength(6);
  });

  it('maxFunEvals, as a hard cap on evaluations', async () => {
    for (const maxFunEvals of [1, 2, 10, 17]) {
      const { f, evals } = recorded(rosenbrock);
      const r = await lbfgs(f, rosenbrockStart(2), { maxFunEvals });
      expect(r.stopReason).toBe('maxFunEvals');
      expect(evals.length).toBeLessThanOrEqual(maxFunEvals);
      expect(r.funEvals).toBe(evals.length);
    }
  });

  it('defaults maxFunEvals to 2 * maxIter', async () => {
    const { f, evals } = recorded(rosenbrock);
    // progTol and optTol 0: nothing but the budgets can stop it
    const r = await lbfgs(f, rosenbrockStart(10), { maxIter: 8, optTol: 0, progTol: 0 });
    expect(['maxIter', 'maxFunEvals']).toContain(r.stopReason);
    expect(evals.length).toBeLessThanOrEqual(16);
  });

  it('optTol, including at the starting point', async () => {
    const half = (x: Float64Array) => ({ cost: 0.5 * x.reduce((s, v) => s + v * v, 0), grad: Float64Array.from(x) });
    const r0 = await lbfgs(half, new Float64Array(4));
    expect(r0.stopReason).toBe('optTol');
    expect(r0.iterations).toBe(0);
    expect(r0.funEvals).toBe(1);
    const r1 = await lbfgs(half, Float64Array.of(1, 2, 3, 4));
    expect(r1.stopReason).toBe('optTol');
    expect(r1.iterations).toBeGreaterThan(0);
  });

  it('progTol: cost change, and directional derivative', async () => {
    const r = await lbfgs(rosenbrock, rosenbrockStart(2), { optTol: 0 });
    expect(r.stopReason).toBe('progTol');
    // a tiny gradient: -g'd = |g|^2 ~ 1e-14 is below progTol before any step
    const flat = (x: Float64Array) => ({ cost: 1e-7 * x[0], grad: Float64Array.of(1e-7) });
    const r2 = await lbfgs(flat, Float64Array.of(0), { optTol: 0 });
    expect(r2.stopReason).toBe('progTol');
    expect(r2.message).toMatch(/Directional derivative/);
    expect(r2.iterations).toBe(0);
  });

  it('callback: onIteration returning false', async () => {
    const r = await lbfgs(rosenbrock, rosenbrockStart(2), { onIteration: (i) => i.iter < 3 });
    expect(r.stopReason).toBe('callback');
    expect(r.iterations).toBe(3);
  });

  it('noDecrease: a gradient that points the wrong way ends cleanly', async () => {
    // cost = sum x, but the "gradient" claims the opposite sign
    const wrong = (x: Float64Array) => ({ cost: x.reduce((s, v) => s + v, 0), grad: new Float64Array(x.length).fill(-1) });
    const r = await lbfgs(wrong, new Float64Array(3));
    expect(r.stopReason).toBe('noDecrease');
    expect(r.cost).toBe(0);
    expect(Array.from(r.theta)).toEqual([0, 0, 0]);
    expect(r.funEvals).toBeLessThanOrEqual(27);
  });
});

describe('lbfgs robustness', () => {
  it('reports non-increasing costs to onIteration, matching history', async () => {
    const seen: IterationInfo[] = [];
    const r = await lbfgs(rosenbrock, rosenbrockStart(10), { onIteration: (i) => void seen.push(i) });
    expect(seen.length).toBe(r.iterations);
    expectNonIncreasing(seen.map((i) => i.cost));
    expect(seen.map((i) => i.iter)).toEqual(Array.from({ length: r.iterations }, (_, k) => k + 1));
    expect(r.history[0]).toMatchObject({ iter: 0, funEvals: 1, step: 0 });
    expect(r.history.slice(1)).toEqual(seen);
    for (let k = 1; k < seen.length; k++) expect(seen[k].funEvals).toBeGreaterThan(seen[k - 1].funEvals);
  });

  it('handles a cost that is NaN in part of the space', async () => {
    // sum a_i x_i - log x_i: minimiser 1/a_i, NaN for x_i < 0. From 5 the early steps overshoot.
    const a = [1, 2, 3, 4, 5];
    let nans = 0;
    const costs: number[] = [];
    const f = (x: Float64Array) => {
      let cost = 0;
      const grad = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        cost += a[i] * x[i] - Math.log(x[i]);
        grad[i] = a[i] - 1 / x[i];
      }
      if (Number.isNaN(cost)) nans++;
      return { cost, grad };
    };
    const r = await lbfgs(f, new Float64Array(5).fill(5), { onIteration: (i) => void costs.push(i.cost) });
    expect(nans).toBeGreaterThan(0);
    expect(maxAbsDiff(r.theta, a.map((v) => 1 / v))).toBeLessThan(1e-4);
    expect(costs.every(Number.isFinite)).toBe(true);
    expectNonIncreasing(costs);
  });

  it('rejects a starting point where the cost is not finite', async () => {
    await expect(lbfgs(() => ({ cost: NaN, grad: new Float64Array(1) }), Float64Array.of(0))).rejects.toThrow(/not finite/);
  });

  it('rejects a gradient of the wrong length', async () => {
    await expect(lbfgs(() => ({ cost: 0, grad: new Float64Array(2) }), Float64Array.of(0))).rejects.toThrow(/2 values/);
  });

  it('accepts an async cost function, and is deterministic', async () => {
    const async = (x: Float64Array) =>
      new Promise<CostAndGradient>((resolve) => setImmediate(() => resolve(rosenbrock(x))));
    const a = await lbfgs(async, rosenbrockStart(2));
    const b = await lbfgs(rosenbrock, rosenbrockStart(2));
    expect(Array.from(a.theta)).toEqual(Array.from(b.theta));
    expect(a.history).toEqual(b.history);
  });

  it('is not disturbed by a model that reuses its gradient buffer or scribbles on theta', async () => {
    const grad = new Float64Array(2);
    const rude = (x: Float64Array) => {
      const r = rosenbrock(x);
      grad.set(r.grad);
      x.fill(NaN); // the optimiser must not rely on the array it passed
      return { cost: r.cost, grad };
    };
    const x0 = rosenbrockStart(2);
    const a = await lbfgs(rude, x0);
    const b = await lbfgs(rosenbrock, rosenbrockStart(2));
    expect(Array.from(x0)).toEqual([-1.2, 1]); // theta0 untouched
    expect(Array.from(a.theta)).toEqual(Array.from(b.theta));
  });

  it('stops cleanly on a float32 cost with ~1e-7 relative noise', async () => {
    // 0.5 sum c_i (x_i - 1)^2 + 1 in float32, condition 1e3, plus reduction-order-like jitter
    const n = 200;
    const c = Float64Array.from({ length: n }, (_, i) => Math.pow(10, (3 * i) / (n - 1)));
    const random = seeded(9);
    const f = (x: Float64Array) => {
      let cost = Math.fround(1);
      const grad = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const r = Math.fround(x[i] - 1);
        cost = Math.fround(cost + Math.fround(0.5 * c[i] * r * r));
        grad[i] = Math.fround(c[i] * r);
      }
      return { cost: cost * (1 + 1e-7 * (random() - 0.5)), grad };
    };
    const maxIter = 1000;
    const r = await lbfgs(f, new Float64Array(n), { maxIter, optTol: 0, progTol: 0 });
    // with both tolerances off, only the line search can end it: it must say so, not spin
    expect(r.stopReason).toBe('noDecrease');
    expect(r.iterations).toBeLessThan(maxIter);
    expect(r.funEvals).toBeLessThan(2 * maxIter);
    expect(r.cost - 1).toBeLessThan(1e-5); // started at 1 + 0.5 sum c_i ~ 7e3
    expectNonIncreasing(r.history.map((h) => h.cost));
  });
});
