import { describe, expect, it } from 'vitest';
import { adam, cosineSchedule } from '../../src/optim/adam.ts';
import { lbfgs } from '../../src/optim/lbfgs.ts';
import { sgd } from '../../src/optim/sgd.ts';
import type { CostAndGradient } from '../../src/optim/types.ts';
import { gaussian, maxAbsDiff, seeded } from './problems.ts';

/**
 * Noisy least squares: y = X w* + 0.1 noise, 2000 rows, 10 columns, in batches of 50.
 * Cost of a batch: 0.5 mean (X_b w - y_b)^2.
 */
function leastSquares() {
  const rows = 2000, cols = 10, batchSize = 50;
  const normal = gaussian(seeded(21));
  const wTrue = Float64Array.from({ length: cols }, normal);
  const X = Float64Array.from({ length: rows * cols }, normal);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += X[r * cols + c] * wTrue[c];
    y[r] = s + 0.1 * normal();
  }
  const costOfRows = (w: Float64Array, start: number, end: number): CostAndGradient => {
    const grad = new Float64Array(cols);
    let cost = 0;
    for (let r = start; r < end; r++) {
      let e = -y[r];
      for (let c = 0; c < cols; c++) e += X[r * cols + c] * w[c];
      cost += 0.5 * e * e;
      for (let c = 0; c < cols; c++) grad[c] += e * X[r * cols + c];
    }
    const m = end - start;
    for (let c = 0; c < cols; c++) grad[c] /= m;
    return { cost: cost / m, grad };
  };
  return {
    cols,
    batchesPerEpoch: rows / batchSize,
    batch: (w: Float64Array, b: number) => costOfRows(w, b * batchSize, (b + 1) * batchSize),
    full: (w: Float64Array) => costOfRows(w, 0, rows),
  };
}

describe('adam', () => {
  const p = leastSquares();

  it('minimises a noisy least-squares problem to near the exact solution', async () => {
    // the exact minimiser of the full cost, by L-BFGS
    const exact = await lbfgs(p.full, new Float64Array(p.cols), { optTol: 1e-10 });
    const r = await adam(p.batch, new Float64Array(p.cols), {
      batchesPerEpoch: p.batchesPerEpoch,
      epochs: 30,
      learningRate: 0.01,
    });
    expect(r.stopReason).toBe('epochs');
    expect(r.epochs).toBe(30);
    expect(r.history).toHaveLength(30);
    expect(r.history[29].meanCost).toBeLessThan(r.history[0].meanCost);
    // constant-step Adam hovers around the minimiser at roughly the step size
    expect(maxAbsDiff(r.theta, exact.theta)).toBeLessThan(0.02);
    expect(p.full(r.theta).cost).toBeLessThan(exact.cost * 1.01);
  });

  it('with a cosine schedule the step anneals to 0, and the end point sits closer to the minimiser', async () => {
    expect(cosineSchedule(1, 100)).toBe(1);
    expect(cosineSchedule(51, 100)).toBeCloseTo(0.5, 12);
    expect(cosineSchedule(100, 100)).toBeLessThan(1e-3);
    const exact = await lbfgs(p.full, new Float64Array(p.cols), { optTol: 1e-10 });
    const opts = { batchesPerEpoch: p.batchesPerEpoch, epochs: 30, learningRate: 0.01 };
    const constant = await adam(p.batch, new Float64Array(p.cols), opts);
    const steps: number[] = [];
    const annealed = await adam(p.batch, new Float64Array(p.cols), { ...opts, schedule: (k, total) => (steps.push(total), cosineSchedule(k, total)) });
    expect(new Set(steps)).toEqual(new Set([30 * p.batchesPerEpoch]));
    expect(maxAbsDiff(annealed.theta, exact.theta)).toBeLessThan(maxAbsDiff(constant.theta, exact.theta) / 2);
  });

  it('visits every batch exactly once per epoch, in a seeded order', async () => {
    const order = async (seed: number, shuffle = true) => {
      const seen: number[] = [];
      await adam((w, b) => { seen.push(b); return p.batch(w, b); }, new Float64Array(p.cols), {
        batchesPerEpoch: 8, epochs: 2, seed, shuffle,
      });
      return seen;
    };
    const a = await order(1);
    expect(a.slice(0, 8).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(a.slice(8).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await order(1)).toEqual(a);
    expect(await order(2)).not.toEqual(a);
    expect(await order(1, false)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('stops when onEpoch returns false', async () => {
    const epochs: number[] = [];
    const r = await adam(p.batch, new Float64Array(p.cols), {
      batchesPerEpoch: p.batchesPerEpoch,
      epochs: 10,
      onEpoch: (i) => { epochs.push(i.epoch); return i.epoch < 2; },
    });
    expect(r.stopReason).toBe('callback');
    expect(epochs).toEqual([1, 2]);
    expect(r.epochs).toBe(2);
  });

  it('stops on a non-finite cost and returns the last parameters that evaluated cleanly', async () => {
    let calls = 0;
    const thetas: Float64Array[] = [];
    const r = await adam(
      (w, b) => {
        thetas.push(Float64Array.from(w));
        return ++calls === 5 ? { cost: NaN, grad: new Float64Array(p.cols) } : p.batch(w, b);
      },
      new Float64Array(p.cols),
      { batchesPerEpoch: p.batchesPerEpoch, learningRate: 0.1 },
    );
    expect(r.stopReason).toBe('nonFinite');
    expect(r.epochs).toBe(0);
    expect(Array.from(r.theta)).toEqual(Array.from(thetas[3]));
  });

  it('leaves theta0 alone', async () => {
    const theta0 = new Float64Array(p.cols);
    await adam(p.batch, theta0, { batchesPerEpoch: 4, epochs: 1, learningRate: 0.1 });
    expect(theta0.every((v) => v === 0)).toBe(true);
  });
});

describe('sgd with momentum', () => {
  const p = leastSquares();

  for (const nesterov of [false, true]) {
    it(`minimises the same problem${nesterov ? ' (Nesterov)' : ''}`, async () => {
      const exact = await lbfgs(p.full, new Float64Array(p.cols), { optTol: 1e-10 });
      const r = await sgd(p.batch, new Float64Array(p.cols), {
        batchesPerEpoch: p.batchesPerEpoch,
        epochs: 20,
        learningRate: 0.01,
        momentum: 0.9,
        nesterov,
      });
      expect(r.stopReason).toBe('epochs');
      expect(maxAbsDiff(r.theta, exact.theta)).toBeLessThan(0.02);
    });
  }
});
