import { describe, expect, it } from 'vitest';
import { LbfgsMemory } from '../../src/optim/lbfgs-memory.ts';
import { gaussian, maxAbsDiff, seeded } from './problems.ts';

/** -H g with H built densely by the BFGS inverse update from H0 = gamma I over the given pairs. */
function denseDirection(pairs: { s: Float64Array; y: Float64Array }[], g: Float64Array): Float64Array {
  const n = g.length;
  const last = pairs[pairs.length - 1];
  let ys = 0, yy = 0;
  for (let i = 0; i < n; i++) { ys += last.y[i] * last.s[i]; yy += last.y[i] * last.y[i]; }
  let H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = ys / yy;
  for (const { s, y } of pairs) {
    let sy = 0;
    for (let i = 0; i < n; i++) sy += s[i] * y[i];
    const rho = 1 / sy;
    // V = I - rho y s'; H <- V' H V + rho s s'
    const V = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) V[i * n + j] = (i === j ? 1 : 0) - rho * y[i] * s[j];
    const HV = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += H[i * n + k] * V[k * n + j];
      HV[i * n + j] = acc;
    }
    const next = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += V[k * n + i] * HV[k * n + j];
      next[i * n + j] = acc + rho * s[i] * s[j];
    }
    H = next;
  }
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += H[i * n + j] * g[j];
    d[i] = -acc;
  }
  return d;
}

/** Pairs with y = M s for a fixed SPD M, so y's > 0, as on a convex quadratic. */
function makePairs(n: number, count: number, seed: number) {
  const normal = gaussian(seeded(seed));
  const B = Float64Array.from({ length: n * n }, normal);
  const pairs: { s: Float64Array; y: Float64Array }[] = [];
  for (let p = 0; p < count; p++) {
    const s = Float64Array.from({ length: n }, normal);
    const Bs = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Bs[i] += B[j * n + i] * s[j]; // B' s
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) { for (let j = 0; j < n; j++) y[i] += B[i * n + j] * Bs[j]; y[i] += s[i]; } // (B B' + I) s
    pairs.push({ s, y });
  }
  return { pairs, g: Float64Array.from({ length: n }, normal) };
}

/** Feed a pair through the update's (step, d, gNew, gOld) form: s = 1 * s, y = y - 0. */
function push(mem: LbfgsMemory, s: Float64Array, y: Float64Array): boolean {
  return mem.update(1, s, y, new Float64Array(s.length));
}

describe('LbfgsMemory', () => {
  it('with no pairs gives steepest descent', () => {
    const mem = new LbfgsMemory(3, 5);
    const out = new Float64Array(3);
    mem.direction(Float64Array.of(1, -2, 3), out);
    expect(Array.from(out)).toEqual([-1, 2, -3]);
  });

  it('two-loop recursion equals the dense BFGS inverse-Hessian product', () => {
    const { pairs, g } = makePairs(6, 4, 11);
    const mem = new LbfgsMemory(6, 10);
    for (const { s, y } of pairs) expect(push(mem, s, y)).toBe(true);
    const out = new Float64Array(6);
    mem.direction(g, out);
    const ref = denseDirection(pairs, g);
    expect(maxAbsDiff(out, ref)).toBeLessThan(1e-10 * Math.max(1, ...Array.from(ref, Math.abs)));
  });

  it('keeps only the newest `capacity` pairs once the circular buffer wraps', () => {
    const { pairs, g } = makePairs(5, 7, 12);
    const mem = new LbfgsMemory(5, 3);
    for (const { s, y } of pairs) push(mem, s, y);
    expect(mem.size).toBe(3);
    const out = new Float64Array(5);
    mem.direction(g, out);
    const ref = denseDirection(pairs.slice(-3), g);
    expect(maxAbsDiff(out, ref)).toBeLessThan(1e-10 * Math.max(1, ...Array.from(ref, Math.abs)));
  });

  it('skips pairs without positive curvature and keeps the memory intact', () => {
    const { pairs, g } = makePairs(4, 2, 13);
    const mem = new LbfgsMemory(4, 2);
    for (const { s, y } of pairs) push(mem, s, y);
    const before = new Float64Array(4);
    mem.direction(g, before);
    const gammaBefore = mem.scale;
    // y = -s: negative curvature. The memory is full, so a careless update would evict a pair.
    expect(push(mem, pairs[0].s, pairs[0].s.map((v) => -v))).toBe(false);
    // y's = 0 exactly
    expect(push(mem, Float64Array.of(1, 0, 0, 0), Float64Array.of(0, 1, 0, 0))).toBe(false);
    const after = new Float64Array(4);
    mem.direction(g, after);
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(mem.scale).toBe(gammaBefore);
    expect(mem.size).toBe(2);
  });

  it('scales the initial inverse Hessian by s\'y / y\'y of the newest pair', () => {
    const mem = new LbfgsMemory(2, 3);
    // s = (1, 0), y = (4, 0): gamma = 4 / 16
    mem.update(2, Float64Array.of(0.5, 0), Float64Array.of(5, 1), Float64Array.of(1, 1));
    expect(mem.scale).toBe(0.25);
    // H g for g along s: exact inverse curvature 1/4
    const out = new Float64Array(2);
    mem.direction(Float64Array.of(1, 0), out);
    expect(out[0]).toBeCloseTo(-0.25, 14);
  });
});
