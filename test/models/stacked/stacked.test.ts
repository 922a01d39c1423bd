import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/compute/backend.ts';
import { matrix, type Matrix } from '../../../src/compute/matrix.ts';
import { packStacked, stackedParamCount, unpackStacked, type StackedShape } from '../../../src/models/stacked/params.ts';
import { stackedCost, stackedFeatures, stackedPredict, StackedModel, trainStacked } from '../../../src/models/stacked/stacked.ts';
import { softmaxCost } from '../../../src/models/softmax/softmax.ts';
import { accuracy } from '../../../src/models/metrics.ts';
import { gradientCheck } from '../../../src/optim/gradient-check.ts';
import type { CostFunction } from '../../../src/optim/types.ts';
import { fillNormal, fillUniform, mulberry32 } from '../../../src/util/random.ts';
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

/** Float64 pure-TS forward pass of the same network and cost (test-only); cost only. */
function referenceCost(X: Matrix, labels: Int32Array, shape: StackedShape, weightDecay: number): CostFunction {
  const s = shape.layerSizes;
  const k = shape.numClasses;
  const bias = shape.bias ?? true;
  return (theta) => {
    const P = unpackStacked(theta, shape);
    const hL = s[s.length - 1];
    let cost = 0;
    for (let i = 0; i < X.rows; i++) {
      let a = Array.from(X.data.subarray(i * s[0], (i + 1) * s[0]));
      P.layers.forEach(({ W, b }, l) => {
        const next: number[] = [];
        for (let o = 0; o < s[l + 1]; o++) {
          let z = b[o];
          for (let j = 0; j < s[l]; j++) z += W[o * s[l] + j] * a[j];
          next.push(1 / (1 + Math.exp(-z)));
        }
        a = next;
      });
      const scores: number[] = [];
      for (let c = 0; c < k; c++) {
        let z = bias ? P.softmax[k * hL + c] : 0;
        for (let j = 0; j < hL; j++) z += P.softmax[c * hL + j] * a[j];
        scores.push(z);
      }
      const mx = Math.max(...scores);
      const lse = mx + Math.log(scores.reduce((acc, z) => acc + Math.exp(z - mx), 0));
      cost -= (scores[labels[i]] - lse) / X.rows;
    }
    for (let i = 0; i < k * hL; i++) cost += (weightDecay / 2) * theta[i] * theta[i];
    return { cost, grad: new Float64Array(theta.length) };
  };
}

function problem(m: number, n: number, k: number, seed: number): { X: Matrix; labels: Int32Array } {
  const rng = mulberry32(seed);
  const X = matrix(m, n, fillUniform(rng, new Float32Array(m * n)));
  const labels = Int32Array.from({ length: m }, () => Math.floor(rng() * k));
  return { X, labels };
}

describe('stacked autoencoder packing', () => {
  it('softmax first, then W and b of each layer, bottom first', () => {
    const shape = { layerSizes: [5, 4, 3], numClasses: 2, bias: true };
    expect(stackedParamCount(shape)).toBe(2 * 3 + 2 + (4 * 5 + 4) + (3 * 4 + 3));
    const theta = Float64Array.from({ length: stackedParamCount(shape) }, (_, i) => i);
    const P = unpackStacked(theta, shape);
    expect([...P.softmax]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(P.layers[0].W[0]).toBe(8);
    expect(P.layers[0].b[0]).toBe(28);
    expect(P.layers[1].W[0]).toBe(32);
    expect(P.layers[1].b[2]).toBe(46);
    expect(packStacked(P, shape)).toEqual(theta);
    expect(stackedParamCount({ layerSizes: [5, 4, 3], numClasses: 2, bias: false })).toBe(45);
    expect(() => stackedParamCount({ layerSizes: [5], numClasses: 2 })).toThrow(/at least one hidden layer/);
  });
});

describe('stackedCost', () => {
  for (const bias of [true, false]) {
    it(`passes the gradient check for two hidden layers and fails on wrong gradients (bias ${bias})`, async () => {
      const shape: StackedShape = { layerSizes: [6, 5, 4], numClasses: 3, bias };
      const weightDecay = 0.1;
      const { X, labels } = problem(15, 6, 3, 1);
      const f = stackedCost(X, labels, { ...shape, weightDecay });
      const ref = referenceCost(X, labels, shape, weightDecay);
      try {
        const theta = fillNormal(mulberry32(2), new Float64Array(stackedParamCount(shape)), 0, 0.5);
        const { cost, grad } = await f(theta);
        expect(Math.abs(cost - (ref(theta) as { cost: number }).cost)).toBeLessThan(1e-6 * cost);
        // The float32 cost differenced with eps 1e-2 (rounding ~1e-7 / 2e-2 against O(eps^2) truncation).
        const err32 = await gradientError(f, theta, grad, 1e-2);
        expect(err32).toBeLessThan(1e-4);
        // The float64 reference differenced with eps 1e-5: limited only by the float32 analytic gradient.
        const err64 = await gradientError(ref, theta, grad, 1e-5);
        expect(err64).toBeLessThan(2e-5);

        const P = unpackStacked(theta, shape);
        // Wrong 1: weight decay on the autoencoder layers too (their cost has none).
        const wrong1 = Float64Array.from(grad);
        const G1 = unpackStacked(wrong1, shape);
        G1.layers.forEach((L, l) => { for (let i = 0; i < L.W.length; i++) L.W[i] += weightDecay * P.layers[l].W[i]; });
        expect(await gradientError(ref, theta, wrong1, 1e-5)).toBeGreaterThan(1e-2);
        expect(await gradientError(f, theta, wrong1, 1e-2)).toBeGreaterThan(1e-2);
        // Wrong 2: the first layer's W gradient read in the transposed layout (in x out).
        const wrong2 = Float64Array.from(grad);
        const W1g = unpackStacked(wrong2, shape).layers[0].W;
        const orig = Float64Array.from(W1g);
        for (let o = 0; o < 5; o++) for (let j = 0; j < 6; j++) W1g[j * 5 + o] = orig[o * 6 + j];
        expect(await gradientError(ref, theta, wrong2, 1e-5)).toBeGreaterThan(1e-2);
        // Wrong 3: one bias gradient component off by 10% is still caught by the float64 check.
        const wrong3 = Float64Array.from(grad);
        const b2 = unpackStacked(wrong3, shape).layers[1].b;
        const big = b2.reduce((best, v, i) => (Math.abs(v) > Math.abs(b2[best]) ? i : best), 0);
        b2[big] *= 1.1;
        expect(await gradientError(ref, theta, wrong3, 1e-5)).toBeGreaterThan(10 * err64);
      } finally {
        f.dispose();
      }
    });
  }

  it('with the layers frozen, its softmax part is exactly softmaxCost on the top activations', async () => {
    const shape: StackedShape = { layerSizes: [6, 4], numClasses: 3, bias: true };
    const { X, labels } = problem(12, 6, 3, 3);
    const theta = fillNormal(mulberry32(4), new Float64Array(stackedParamCount(shape)), 0, 0.5);
    const model = new StackedModel(shape.layerSizes, 3, true, theta);
    const H = stackedFeatures(model, X);
    const fs = stackedCost(X, labels, { ...shape, weightDecay: 0.01 });
    const fsm = softmaxCost(H, labels, { numClasses: 3, weightDecay: 0.01, bias: true });
    try {
      const a = await fs(theta);
      const P = unpackStacked(theta, shape);
      const b = await fsm(Float64Array.from(P.softmax));
      expect(a.cost).toBeCloseTo(b.cost, 6);
      for (let i = 0; i < P.softmax.length; i++) expect(a.grad[i]).toBeCloseTo(b.grad[i], 6);
    } finally {
      fs.dispose();
      fsm.dispose();
    }
  });

  it('does not grow the number of tensors across evaluations, and dispose frees its data', async () => {
    const shape: StackedShape = { layerSizes: [6, 5, 4], numClasses: 3 };
    const { X, labels } = problem(10, 6, 3, 5);
    const start = tf.memory().numTensors;
    const f = stackedCost(X, labels, { ...shape, weightDecay: 1e-3 });
    const theta = fillNormal(mulberry32(6), new Float64Array(stackedParamCount(shape)), 0, 0.1);
    await f(theta);
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await f(theta);
    expect(tf.memory().numTensors).toBe(after1);
    f.dispose();
    const model = new StackedModel(shape.layerSizes, 3, true, theta);
    stackedPredict(model, X);
    stackedFeatures(model, X);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('explains bad input in sentences', async () => {
    const { X, labels } = problem(10, 6, 3, 7);
    expect(() => stackedCost(X, labels, { layerSizes: [5, 4], numClasses: 3, weightDecay: 0 })).toThrow(/expected 5 columns/);
    expect(() => stackedCost(X, labels, { layerSizes: [6, 4], numClasses: 2, weightDecay: 0 })).toThrow(/label \d+ \(0-based\) is 2/);
    const f = stackedCost(X, labels, { layerSizes: [6, 4], numClasses: 3, weightDecay: 0 });
    try {
      await expect(f(new Float64Array(3))).rejects.toThrow(SflError);
    } finally {
      f.dispose();
    }
    expect(() => StackedModel.fromJSON({ type: 'SoftmaxModel' })).toThrow(/not a StackedModel/);
  });
});

/** Three classes of 12-dimensional inputs in [0, 1]: each class lights up its own block of 4 inputs. */
function blocks(perClass: number, seed: number): { X: Matrix; labels: Int32Array } {
  const rng = mulberry32(seed);
  const m = 3 * perClass;
  const X = matrix(m, 12);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let j = 0; j < 12; j++) {
      const on = Math.floor(j / 4) === c;
      X.data[i * 12 + j] = Math.min(1, Math.max(0, (on ? 0.8 : 0.2) + 0.15 * (rng() - 0.5) * 2));
    }
  }
  return { X, labels };
}

describe('trainStacked (sparse autoencoders + softmax + fine-tuning)', () => {
  it('pretrains two layers, trains the softmax, fine-tunes, and classifies a simple problem', async () => {
    const { X, labels } = blocks(20, 9);
    const test = blocks(10, 10);
    const events: string[] = [];
    const before = tf.memory().numTensors;
    const r = await trainStacked(X, labels, {
      hiddenSizes: [8, 6],
      numClasses: 3,
      sae: { weightDecay: 1e-4, beta: 3, rho: 0.1, maxIter: 40 },
      softmax: { weightDecay: 1e-4, maxIter: 50 },
      fineTune: { maxIter: 50 },
      evalSet: test,
      onStage: (e) => events.push(`${e.stage}${e.layer ?? ''}:${e.phase}`),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(events).toEqual([
      'pretrain1:start', 'pretrain1:end', 'pretrain2:start', 'pretrain2:end',
      'softmax:start', 'softmax:end', 'finetune:start', 'finetune:end',
    ]);
    expect(r.stages.map((s) => s.iterations! > 0)).toEqual([true, true, true, true]);
    expect(r.model.layerSizes).toEqual([12, 8, 6]);
    expect(r.accuracyOn).toBe('evaluation set');
    expect(r.accuracyAfterFineTune).toBe(1);
    expect(r.accuracyAfterFineTune).toBeGreaterThanOrEqual(r.accuracyBeforeFineTune);
    expect(accuracy(test.labels, stackedPredict(r.model, test.X).labels)).toBe(r.accuracyAfterFineTune);
    // The fine-tuned network has a lower fine-tuning cost than the pretrained one.
    const f = stackedCost(X, labels, { ...r.model.shape, weightDecay: 1e-4 });
    try {
      expect((await f(r.model.theta)).cost).toBeLessThan((await f(r.pretrained.theta)).cost);
    } finally {
      f.dispose();
    }
    // Saved state round-trips.
    const copy = StackedModel.fromJSON(JSON.parse(JSON.stringify(r.model)));
    expect(stackedPredict(copy, test.X).labels).toEqual(stackedPredict(r.model, test.X).labels);
  });
});
