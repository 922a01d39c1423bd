import { describe, expect, it } from 'vitest';
import { armijoBacktrack, wolfeLineSearch, type LineFunction, type LinePoint } from '../../src/optim/line-search.ts';
import { seeded } from './problems.ts';

/** Wrap a 1-D function and its derivative as a line function (direction d = 1), counting calls. */
function line(f: (t: number) => number, df: (t: number) => number) {
  const calls: number[] = [];
  const phi: LineFunction = (t) => {
    calls.push(t);
    const g = df(t);
    return { cost: f(t), grad: Float64Array.of(g), gtd: g };
  };
  const start: LinePoint = { t: 0, cost: f(0), gtd: df(0), grad: Float64Array.of(df(0)) };
  return { phi, start, calls };
}

const opts = { c1: 1e-4, c2: 0.9, maxEvals: 26, tTol: 1e-12 };

// Test functions 1 and 2 of More & Thuente (1994), the usual line-search benchmarks.
const mt1 = { f: (t: number) => -t / (t * t + 2), df: (t: number) => (t * t - 2) / (t * t + 2) ** 2 };
const b2 = 0.004;
const mt2 = { f: (t: number) => (t + b2) ** 5 - 2 * (t + b2) ** 4, df: (t: number) => 5 * (t + b2) ** 4 - 8 * (t + b2) ** 3 };
const quad = { f: (t: number) => (t - 3) ** 2, df: (t: number) => 2 * (t - 3) };

describe('wolfeLineSearch', () => {
  for (const [name, fn] of Object.entries({ mt1, mt2, quad })) {
    for (const c2 of [0.9, 0.1]) {
      for (const t0 of [1e-3, 1e-1, 1, 10, 1000]) {
        it(`${name}, c2 = ${c2}, t0 = ${t0}: returns a strong Wolfe point`, async () => {
          const { phi, start, calls } = line(fn.f, fn.df);
          const r = await wolfeLineSearch(phi, start, t0, { ...opts, c2 });
          expect(r.status).toBe('wolfe');
          expect(r.t).toBeGreaterThan(0);
          expect(r.cost).toBeLessThanOrEqual(start.cost + 1e-4 * r.t * start.gtd);
          expect(Math.abs(fn.df(r.t))).toBeLessThanOrEqual(c2 * Math.abs(start.gtd));
          // the returned value, slope and gradient belong to the returned step
          expect(r.cost).toBe(fn.f(r.t));
          expect(r.gtd).toBe(fn.df(r.t));
          expect(r.grad[0]).toBe(r.gtd);
          expect(r.funEvals).toBe(calls.length);
          expect(r.funEvals).toBeLessThanOrEqual(opts.maxEvals);
        });
      }
    }
  }

  it('accepts the first trial when it already satisfies both conditions', async () => {
    const { phi, start, calls } = line(quad.f, quad.df);
    const r = await wolfeLineSearch(phi, start, 3, opts);
    expect(calls).toEqual([3]);
    expect(r.t).toBe(3);
  });

  it('retreats from a NaN region and settles for sufficient decrease', async () => {
    // minimum at 0.45, but undefined from 0.5 on (think log of a negative number)
    const f = (t: number) => (t < 0.5 ? (t - 0.45) ** 2 : NaN);
    const df = (t: number) => (t < 0.5 ? 2 * (t - 0.45) : NaN);
    const { phi, start } = line(f, df);
    const r = await wolfeLineSearch(phi, start, 1, opts);
    expect(['armijo', 'wolfe']).toContain(r.status);
    expect(r.t).toBeGreaterThan(0);
    expect(r.t).toBeLessThan(0.5);
    expect(Number.isFinite(r.cost)).toBe(true);
    expect(r.cost).toBeLessThanOrEqual(start.cost + 1e-4 * r.t * start.gtd);
  });

  it('bisects past a NaN met while zooming and returns a NaN-free point', async () => {
    // Find where the first zoom trial lands on a clean function, then make a NaN island there.
    const clean = line(mt1.f, mt1.df);
    await wolfeLineSearch(clean.phi, clean.start, 1000, opts);
    const island = clean.calls[1];
    const bad = (t: number) => Math.abs(t - island) < 0.05;
    const { phi, start, calls } = line(
      (t) => (bad(t) ? NaN : mt1.f(t)),
      (t) => (bad(t) ? NaN : mt1.df(t)),
    );
    const r = await wolfeLineSearch(phi, start, 1000, opts);
    expect(calls.some(bad)).toBe(true);
    expect(r.status).toBe('wolfe');
    expect(bad(r.t)).toBe(false);
    expect(Number.isFinite(r.cost) && Number.isFinite(r.gtd)).toBe(true);
    expect(r.cost).toBeLessThanOrEqual(start.cost + 1e-4 * r.t * start.gtd);
  });

  it('never spends more than maxEvals, and returns the best point with sufficient decrease', async () => {
    for (const maxEvals of [1, 2, 3]) {
      const { phi, start, calls } = line(mt2.f, mt2.df);
      const r = await wolfeLineSearch(phi, start, 1e-3, { ...opts, c2: 0.1, maxEvals });
      expect(calls.length).toBeLessThanOrEqual(maxEvals);
      expect(r.funEvals).toBe(calls.length);
      expect(r.status).toBe('maxEvals');
      expect(r.t === 0 || r.cost <= start.cost + 1e-4 * r.t * start.gtd).toBe(true);
    }
  });

  it('gives up with t = 0 when the gradient promises a decrease the cost never shows', async () => {
    // cost rises along the line but the reported slope says -1 everywhere (a wrong gradient)
    const { phi, start } = line((t) => t, () => -1);
    const r = await wolfeLineSearch(phi, start, 1, { ...opts, tTol: 1e-9 });
    expect(r.status).toBe('bracketTooSmall');
    expect(r.t).toBe(0);
    expect(r.cost).toBe(start.cost);
    expect(r.funEvals).toBeLessThan(opts.maxEvals);
  });

  it('ends within its budget on a cost that is pure float32-level noise', async () => {
    const random = seeded(3);
    const { phi, start } = line(() => 1 + 1e-7 * (random() - 0.5), () => -1e-6);
    start.cost = 1;
    const r = await wolfeLineSearch(phi, start, 1, opts);
    expect(r.funEvals).toBeLessThanOrEqual(opts.maxEvals);
    expect(r.cost).toBeLessThanOrEqual(start.cost);
  });
});

describe('armijoBacktrack', () => {
  it('backtracks until sufficient decrease', async () => {
    const { phi, start } = line(quad.f, quad.df);
    const r = await armijoBacktrack(phi, start, 100, opts);
    expect(r.status).toBe('armijo');
    expect(r.t).toBeLessThan(100);
    expect(r.cost).toBeLessThanOrEqual(start.cost + 1e-4 * r.t * start.gtd);
  });

  it('halves through NaN and returns t = 0 once the step is below tTol', async () => {
    const { phi, start, calls } = line(() => NaN, () => NaN);
    const r = await armijoBacktrack(phi, { ...start, cost: 1, gtd: -1 }, 1, { ...opts, maxEvals: 100, tTol: 1e-3 });
    expect(r.status).toBe('stepTooSmall');
    expect(r.t).toBe(0);
    expect(calls.length).toBe(10); // 1, 1/2, ..., 1/512; 1/1024 < 1e-3 is not evaluated
  });
});
