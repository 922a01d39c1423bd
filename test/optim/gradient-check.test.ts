import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/compute/backend.ts';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { initParams, sparseAutoencoderCost, type Decoder } from '../../src/models/sae/sparse-autoencoder.ts';
import { gradientCheck, randomSubset } from '../../src/optim/gradient-check.ts';
import type { CostFunction } from '../../src/optim/types.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { referenceSaeCost } from '../models/sae/sae-float64-reference.ts';

/** 10 examples of 8 values: in [0, 1] for the sigmoid decoder, zero-mean "whitened-like" for the linear one. */
function smallData(decoder: Decoder, seed: number): Matrix {
  const rng = mulberry32(seed);
  const X = matrix(10, 8);
  for (let n = 0; n < X.data.length; n++) X.data[n] = decoder === 'sigmoid' ? rng() : 2 * rng() - 1;
  return X;
}

/** A point away from the symmetric start: random weights and nonzero biases. */
function smallTheta(seed: number): Float64Array {
  const theta = initParams(8, 5, seed);
  const rng = mulberry32(seed + 100);
  for (let n = 2 * 8 * 5; n < theta.length; n++) theta[n] = 0.2 * (rng() - 0.5);
  return theta;
}

const hyper = { visible: 8, hidden: 5, weightDecay: 1e-2, beta: 3, rho: 0.1 };

describe('gradientCheck on simple functions', () => {
  it('is ~0 for the exact gradient of a quadratic and reports every coordinate', async () => {
    const f: CostFunction = (t) => ({ cost: t.reduce((a, x, i) => a + (i + 1) * x * x, 0), grad: t.map((x, i) => 2 * (i + 1) * x) });
    const r = await gradientCheck(f, Float64Array.from([0.5, -1, 2, 0.25]));
    expect(r.relativeError).toBeLessThan(1e-10);
    expect(Array.from(r.indices)).toEqual([0, 1, 2, 3]);
    expect(r.cost).toBeCloseTo(0.25 + 2 + 12 + 0.25, 12);
  });

  it('finds the wrong coordinate', async () => {
    const f: CostFunction = (t) => {
      const grad = t.map((x) => 2 * x);
      grad[2] += 1; // wrong on purpose
      return { cost: t.reduce((a, x) => a + x * x, 0), grad };
    };
    const r = await gradientCheck(f, Float64Array.from([1, 2, 3, 4]));
    expect(r.worst.index).toBe(2);
    expect(r.worst.absError).toBeCloseTo(1, 6);
    expect(r.relativeError).toBeGreaterThan(1e-2);
  });

  it('checks a deterministic random subset and leaves theta alone', async () => {
    const f: CostFunction = (t) => ({ cost: t.reduce((a, x) => a + x * x * x, 0), grad: t.map((x) => 3 * x * x) });
    const theta = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const copy = Float64Array.from(theta);
    const r = await gradientCheck(f, theta, { coordinates: 7, seed: 3 });
    expect(r.indices.length).toBe(7);
    expect(new Set(r.indices).size).toBe(7);
    expect(Array.from(r.indices)).toEqual(Array.from(randomSubset(50, 7, 3)));
    expect(r.relativeError).toBeLessThan(1e-8);
    expect(theta).toEqual(copy);
  });
});

describe('the sparse autoencoder gradient', () => {
  beforeAll(async () => {
    await initBackend();
  });

  for (const decoder of ['sigmoid', 'linear'] as const) {
    it(`${decoder} decoder: the float64 reference gradient passes a float64 check (< 1e-8)`, async () => {
      const f = referenceSaeCost(smallData(decoder, 1), { ...hyper, decoder });
      const r = await gradientCheck(f, smallTheta(2), { epsilon: 1e-4 });
      expect(r.relativeError).toBeLessThan(1e-8);
    });

    it(`${decoder} decoder: the checker fails a sign flipped in the sparsity delta and a missing weight decay`, async () => {
      const X = smallData(decoder, 1);
      for (const mistake of ['sparsity-sign', 'no-weight-decay'] as const) {
        const r = await gradientCheck(referenceSaeCost(X, { ...hyper, decoder, mistake }), smallTheta(2));
        // A correct gradient checks below 1e-8 here (test above): 1e-4 and up is a failed check.
        // (The missing weight decay is the subtle one: ~3e-3 at weightDecay = 1e-2.)
        expect(r.relativeError, mistake).toBeGreaterThan(1e-4);
      }
    });

    it(`${decoder} decoder: the tfjs (float32) model's gradient equals the checked float64 one and passes a float32 check`, async () => {
      const X = smallData(decoder, 1);
      const theta = smallTheta(2);
      const f = sparseAutoencoderCost(X, { ...hyper, decoder });
      try {
        const ours = await f(theta);
        const ref = referenceSaeCost(X, { ...hyper, decoder })(theta);
        expect(Math.abs(ours.cost - ref.cost) / ref.cost).toBeLessThan(1e-6);
        let d2 = 0, n2 = 0;
        for (let i = 0; i < theta.length; i++) {
          d2 += (ours.grad[i] - ref.grad[i]) ** 2;
          n2 += ref.grad[i] ** 2;
        }
        expect(Math.sqrt(d2 / n2)).toBeLessThan(1e-5);
        // Central differences on the float32 cost itself: a larger step (the cost is only good to
        // ~1e-7 relative). Measured ~2e-6 (sigmoid) and ~4e-6 (linear) at epsilon 1e-2.
        const r = await gradientCheck(f, theta, { epsilon: 1e-2 });
        expect(r.relativeError).toBeLessThan(1e-4);
        // ... and the same float32 check fails both planted mistakes (~3e-3 and ~1 and up).
        for (const mistake of ['sparsity-sign', 'no-weight-decay'] as const) {
          const wrong = referenceSaeCost(X, { ...hyper, decoder, mistake })(theta).grad;
          const r2 = await gradientCheck(async (t) => ({ cost: (await f(t)).cost, grad: wrong }), theta, { epsilon: 1e-2 });
          expect(r2.relativeError, mistake).toBeGreaterThan(1e-3);
        }
      } finally {
        f.dispose();
      }
    });
  }
});

