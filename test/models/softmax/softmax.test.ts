import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/compute/backend.ts';
import { matrix, type Matrix } from '../../../src/compute/matrix.ts';
import { softmaxParamCount } from '../../../src/models/softmax/cost-parts.ts';
import { softmaxCost, softmaxInitParams, softmaxPredict, softmaxTrain, SoftmaxModel } from '../../../src/models/softmax/softmax.ts';
import { accuracy } from '../../../src/models/metrics.ts';
import { gradientCheck } from '../../../src/optim/gradient-check.ts';
import type { CostFunction } from '../../../src/optim/types.ts';
import { fillNormal, mulberry32 } from '../../../src/util/random.ts';
import { SflError } from '../../../src/util/errors.ts';

beforeAll(async () => {
  await initBackend();
});

/**
 * Relative error ||num - grad|| / ||num + grad|| of the central differences of `costOf` at theta
 * against a given gradient `grad` (so a deliberately wrong gradient, or the float32 model's
 * gradient against a float64 reference cost, can be checked).
 */
async function gradientError(costOf: CostFunction, theta: Float64Array, grad: Float64Array, epsilon: number): Promise<number> {
  const withGrad: CostFunction = async (t) => ({ cost: (await costOf(t)).cost, grad });
  return (await gradientCheck(withGrad, theta, { epsilon })).relativeError;
}

/** Float64 pure-TS reference of the same cost (test-only), same packing. */
function referenceCost(X: Matrix, labels: Int32Array, k: number, weightDecay: number, bias: boolean): CostFunction {
  const { rows: m, cols: n } = X;
  return (theta) => {
    let cost = 0;
    const s = new Float64Array(k);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < k; c++) {
        let v = bias ? theta[k * n + c] : 0;
        for (let j = 0; j < n; j++) v += theta[c * n + j] * X.data[i * n + j];
        s[c] = v;
      }
      const mx = Math.max(...s);
      let z = 0;
      for (let c = 0; c < k; c++) z += Math.exp(s[c] - mx);
      cost -= (s[labels[i]] - mx - Math.log(z)) / m;
    }
    for (let i = 0; i < k * n; i++) cost += (weightDecay / 2) * theta[i] * theta[i];
    return { cost, grad: new Float64Array(theta.length) };
  };
}

function randomProblem(m: number, n: number, k: number, seed: number): { X: Matrix; labels: Int32Array } {
  const rng = mulberry32(seed);
  const X = matrix(m, n, fillNormal(rng, new Float32Array(m * n)));
  const labels = Int32Array.from({ length: m }, () => Math.floor(rng() * k));
  return { X, labels };
}

/** Three Gaussian blobs far apart in 4 dimensions, not centred at the origin. */
function separable(perClass: number, seed: number): { X: Matrix; labels: Int32Array } {
  const rng = mulberry32(seed);
  const centres = [[4, 0, 1, 5], [0, 4, 1, 5], [4, 4, 6, 5]];
  const m = perClass * 3;
  const X = matrix(m, 4);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let j = 0; j < 4; j++) X.data[i * 4 + j] = centres[c][j] + 0.5 * fillNormal(rng, new Float64Array(1))[0];
  }
  return { X, labels };
}

describe('softmaxCost', () => {
  for (const bias of [false, true]) {
    it(`matches a float64 reference and passes the gradient check (bias ${bias})`, async () => {
      const { X, labels } = randomProblem(30, 6, 4, 1);
      const weightDecay = 0.1;
      const f = softmaxCost(X, labels, { numClasses: 4, weightDecay, bias });
      const ref = referenceCost(X, labels, 4, weightDecay, bias);
      try {
        const theta = fillNormal(mulberry32(2), new Float64Array(softmaxParamCount(6, 4, bias)), 0, 0.3);
        const { cost, grad } = await f(theta);
        expect(Math.abs(cost - (ref(theta) as { cost: number }).cost)).toBeLessThan(1e-6 * Math.abs(cost));
        // (a) The float32 cost itself, differenced: cost rounding ~1e-7 over 2*eps=2e-2 is ~1e-5 per
        //     component; the O(eps^2) truncation is similar. Honest tolerance 1e-4.
        const err32 = await gradientError(f, theta, grad, 1e-2);
        expect(err32).toBeLessThan(1e-4);
        // (b) The float64 reference differenced with a small eps: limited by the float32 gradient.
        const err64 = await gradientError(ref, theta, grad, 1e-5);
        expect(err64).toBeLessThan(1e-5);
        // A plausible bug, forgetting the weight-decay term of the gradient, must fail both checks.
        const wrong = Float64Array.from(grad);
        for (let i = 0; i < 4 * 6; i++) wrong[i] -= weightDecay * theta[i];
        expect(await gradientError(f, theta, wrong, 1e-2)).toBeGreaterThan(1e-2);
        expect(await gradientError(ref, theta, wrong, 1e-5)).toBeGreaterThan(1e-2);
        // So must a wrong sign on one component.
        const flipped = Float64Array.from(grad);
        flipped[grad.length - 1] *= -1;
        expect(await gradientError(ref, theta, flipped, 1e-5)).toBeGreaterThan(1e-3);
      } finally {
        f.dispose();
      }
    });
  }

  it('stays finite with huge inputs (x * 1e4)', async () => {
    const { X, labels } = randomProblem(20, 5, 3, 3);
    const big = matrix(20, 5, X.data.map((v) => v * 1e4));
    const f = softmaxCost(big, labels, { numClasses: 3, weightDecay: 1e-4 });
    try {
      const theta = fillNormal(mulberry32(4), new Float64Array(softmaxParamCount(5, 3)), 0, 1);
      const { cost, grad } = await f(theta);
      expect(Number.isFinite(cost)).toBe(true);
      expect(cost).toBeGreaterThan(0);
      expect(grad.every(Number.isFinite)).toBe(true);
      // and it agrees with the float64 log-sum-exp reference to float32 accuracy
      const ref = (referenceCost(big, labels, 3, 1e-4, true)(theta) as { cost: number }).cost;
      expect(Math.abs(cost - ref) / ref).toBeLessThan(1e-5);
    } finally {
      f.dispose();
    }
  });

  it('does not grow the number of tensors across evaluations, and dispose frees its data', async () => {
    const { X, labels } = randomProblem(10, 3, 3, 5);
    const start = tf.memory().numTensors;
    const f = softmaxCost(X, labels, { numClasses: 3, weightDecay: 0.01 });
    const theta = softmaxInitParams(3, 3, true, 1);
    await f(theta);
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await f(theta);
    expect(tf.memory().numTensors).toBe(after1);
    f.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('explains bad input in sentences', () => {
    const { X, labels } = randomProblem(10, 3, 3, 6);
    expect(() => softmaxCost(X, Int32Array.from(labels, (y, i) => (i === 7 ? 3 : y)), { numClasses: 3, weightDecay: 0 }))
      .toThrow(/label 7 \(0-based\) is 3/);
    expect(() => softmaxCost(X, labels.subarray(0, 9), { numClasses: 3, weightDecay: 0 })).toThrow(/10 examples .* but 9 labels/);
    const bad = matrix(10, 3, X.data.slice());
    bad.data[4] = NaN;
    expect(() => softmaxCost(bad, labels, { numClasses: 3, weightDecay: 0 })).toThrow(SflError);
    expect(() => softmaxCost(X, labels, { numClasses: 3, weightDecay: -1 })).toThrow(/weight decay must be a finite number >= 0/);
    expect(() => softmaxCost(X, Float64Array.from(labels) as never, { numClasses: 3, weightDecay: 0 })).toThrow(/Int32Array or Uint8Array/);
    expect(() => softmaxCost(X, labels, { numClasses: 1, weightDecay: 0 })).toThrow(/at least 2/);
    // Uint8Array labels are accepted
    softmaxCost(X, Uint8Array.from(labels), { numClasses: 3, weightDecay: 0 }).dispose();
  });

  it('rejects parameters of the wrong length or with NaN', async () => {
    const { X, labels } = randomProblem(10, 3, 3, 7);
    const f = softmaxCost(X, labels, { numClasses: 3, weightDecay: 0, bias: false });
    try {
      await expect(f(new Float64Array(12))).rejects.toThrow(/expected 9 parameters, got 12/);
      const t = new Float64Array(9);
      t[2] = NaN;
      await expect(f(t)).rejects.toThrow(/parameter 2/);
    } finally {
      f.dispose();
    }
  });
});

describe('softmaxTrain and softmaxPredict', () => {
  it('reaches 100% training accuracy on a separable 3-class problem', async () => {
    const { X, labels } = separable(30, 8);
    const before = tf.memory().numTensors;
    const model = await softmaxTrain(X, labels, { numClasses: 3, weightDecay: 1e-4 }, { maxIter: 100 });
    const { labels: pred, probs } = softmaxPredict(model, X);
    expect(tf.memory().numTensors).toBe(before);
    expect(accuracy(labels, pred)).toBe(1);
    expect(probs.rows).toBe(90);
    expect(probs.cols).toBe(3);
    for (let i = 0; i < 90; i++) {
      const s = probs.data[i * 3] + probs.data[i * 3 + 1] + probs.data[i * 3 + 2];
      expect(s).toBeCloseTo(1, 5);
    }
    expect(model.training?.iterations).toBeGreaterThan(0);

    // Saved state round-trips through JSON and predicts the same.
    const copy = SoftmaxModel.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(copy.theta).toEqual(model.theta);
    expect(softmaxPredict(copy, X).labels).toEqual(pred);
    expect(() => SoftmaxModel.fromJSON({ type: 'Other' })).toThrow(SflError);
    expect(() => softmaxPredict(model, matrix(2, 5))).toThrow(/expected 4 columns/);
    const none = softmaxPredict(model, matrix(0, 4));
    expect(none.labels.length).toBe(0);
    expect(none.probs.rows).toBe(0);
  });
});
