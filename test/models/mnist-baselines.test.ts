import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { initBackend } from '../../src/compute/backend.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { gradientCheck } from '../../src/optim/gradient-check.ts';
import { loadBaselineData, type BaselineData } from '../../src/models/mnist-baselines/data.ts';
import { logisticRegression, logregGradient } from '../../src/models/mnist-baselines/logreg.ts';
import { mlp, mlpGradient } from '../../src/models/mnist-baselines/mlp.ts';
import { lenet } from '../../src/models/mnist-baselines/lenet.ts';
import { denoisingCost, denoisingLayer, stackedDenoising } from '../../src/models/mnist-baselines/denoising.ts';
import { errorRate, type Classifier } from '../../src/models/mnist-baselines/model.ts';
import { sgdStep } from '../../src/models/mnist-baselines/train.ts';
import { readCheckpoint, writeCheckpoint } from '../../src/models/mnist-baselines/checkpoint.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/mnist');
let data: BaselineData;

beforeAll(async () => {
  await initBackend();
  data = loadBaselineData(FIXTURE, { trainCount: 800, validCount: 200, testCount: null });
});

const scalar = async (t: tf.Scalar) => {
  const v = (await t.data())[0];
  t.dispose();
  return v;
};

/** The cost on one minibatch before and after `steps` SGD steps on it. */
async function lossDrop(model: Classifier, lr: number, steps = 10): Promise<[number, number]> {
  const { x, y } = data.blocks('train', 50, true)[0];
  const before = await scalar(model.loss(x, y));
  for (let i = 0; i < steps; i++) {
    const c = model.sgdStep ? model.sgdStep(x, y, lr) : sgdStep(model.params, () => model.loss(x, y), lr);
    c.dispose();
  }
  const after = await scalar(model.loss(x, y));
  tf.dispose(model.params);
  return [before, after];
}

describe('MNIST baselines: models', () => {
  it('logistic regression starts at log(10) (zero weights) and its SGD step lowers the cost', async () => {
    const [before, after] = await lossDrop(logisticRegression(784, 10), 0.13);
    expect(before).toBeCloseTo(Math.log(10), 5);
    expect(after).toBeLessThan(before * 0.8);
  });

  it('the MLP step lowers the cost (with its L2 term)', async () => {
    const [before, after] = await lossDrop(mlp(mulberry32(1), 784, [50], 10, 1e-4), 0.1);
    // The output layer starts at zero, so the first steps move slowly; a clear drop is enough.
    expect(after).toBeLessThan(before - 0.05);
  });

  it('the LeNet step lowers the cost', async () => {
    const [before, after] = await lossDrop(lenet(mulberry32(1), { side: 28, kernels: [4, 6], filterSize: 5, pool: 2, hidden: 20, classes: 10 }), 0.1);
    expect(after).toBeLessThan(before - 0.02);
  });

  it('the SdA fine-tuning step lowers the cost', async () => {
    const [before, after] = await lossDrop(stackedDenoising(mulberry32(1), 784, [40, 30], 10), 0.1);
    expect(after).toBeLessThan(before);
  });

  it('the dA step lowers the reconstruction cross-entropy', async () => {
    const layer = denoisingLayer(mulberry32(1), 784, 30);
    const { x } = data.blocks('train', 50, true)[0];
    const before = await scalar(denoisingCost(layer, x, 0, 0));
    for (let i = 0; i < 10; i++) sgdStep(layer.params, () => denoisingCost(layer, x, 0.3, i), 0.1).dispose();
    const after = await scalar(denoisingCost(layer, x, 0, 0));
    expect(after).toBeLessThan(before * 0.9);
    // The same seed gives the same corruption, another seed another.
    const a = await scalar(denoisingCost(layer, x, 0.3, 7));
    expect(await scalar(denoisingCost(layer, x, 0.3, 7))).toBe(a);
    expect(await scalar(denoisingCost(layer, x, 0.3, 8))).not.toBe(a);
    tf.dispose(layer.params);
  });

  it('the hand-derived logistic-regression gradient agrees with central differences', async () => {
    const { x, y } = data.blocks('train', 20, true)[0];
    const nW = 784 * 10;
    const weightDecay = 1e-2;
    const theta0 = Float64Array.from({ length: nW + 10 }, (_, i) => Math.sin(i) * 0.01);
    const f = async (theta: Float64Array) => {
      const W = tf.tensor2d(Float32Array.from(theta.subarray(0, nW)), [784, 10]);
      const b = tf.tensor1d(Float32Array.from(theta.subarray(nW)));
      const { cost, dW, db } = logregGradient(W, b, x, y, weightDecay);
      const grad = new Float64Array(theta.length);
      grad.set(await dW.data());
      grad.set(await db.data(), nW);
      const c = (await cost.data())[0];
      tf.dispose([W, b, cost, dW, db]);
      return { cost: c, grad };
    };
    // float32 cost: a large epsilon, and coordinates where the gradient is not tiny (pixels of the
    // image centre and all biases).
    const indices = [...Array.from({ length: 40 }, (_, k) => (300 + k * 3) * 10 + (k % 10)), ...Array.from({ length: 10 }, (_, k) => nW + k)];
    const res = await gradientCheck(f, theta0, { epsilon: 1e-2, indices });
    expect(res.relativeError).toBeLessThan(2e-3);
  });

  it('the hand-derived MLP gradient (two tanh layers, L2) agrees with central differences, and a wrong one is caught', async () => {
    const { x, y } = data.blocks('train', 20, true)[0];
    const sizes = [784, 6, 5, 10];
    const shapes: number[][] = [];
    for (let l = 0; l + 1 < sizes.length; l++) shapes.push([sizes[l], sizes[l + 1]], [sizes[l + 1]]);
    const counts = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    const offsets = counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));
    const total = counts.reduce((a, b) => a + b, 0);
    const theta0 = Float64Array.from({ length: total }, (_, i) => Math.sin(1.3 * i) * 0.2);
    const gradOf = (wrong: boolean) => async (theta: Float64Array) => {
      const t = shapes.map((s, i) => tf.tensor(Float32Array.from(theta.subarray(offsets[i], offsets[i] + counts[i])), s));
      const { cost, grads } = mlpGradient({ layers: [{ W: t[0], b: t[1] }, { W: t[2], b: t[3] }], Wout: t[4], bout: t[5] }, x, y, 1e-2);
      const grad = new Float64Array(total);
      for (let i = 0; i < grads.length; i++) grad.set(await grads[i].data(), offsets[i]);
      // A planted mistake: the second layer's bias gradient doubled.
      if (wrong) for (let k = 0; k < counts[3]; k++) grad[offsets[3] + k] *= 2;
      const c = (await cost.data())[0];
      tf.dispose([...t, cost, ...grads]);
      return { cost: c, grad };
    };
    // Pixels of the image centre for W_1, then every other parameter.
    const indices = [...Array.from({ length: 30 }, (_, k) => (350 + k * 7) * 6 + (k % 6)), ...Array.from({ length: total - offsets[1] }, (_, k) => offsets[1] + k)];
    const ok = await gradientCheck(gradOf(false), theta0, { epsilon: 1e-2, indices });
    expect(ok.relativeError).toBeLessThan(2e-3);
    const bad = await gradientCheck(gradOf(true), theta0, { epsilon: 1e-2, indices });
    expect(bad.relativeError).toBeGreaterThan(1e-2);
  });

  it('errorRate counts misclassified images over blocks', async () => {
    const model = logisticRegression(784, 10);
    // Zero weights: every score ties, argMax picks class 0.
    const zerosLabelled = Array.from(data.valid.y).filter((v) => v === 0).length;
    expect(await errorRate(model, data.blocks('valid', 64))).toBeCloseTo(1 - zerosLabelled / data.valid.n, 10);
    tf.dispose(model.params);
  });

  it('checkpoints round-trip header and tensors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfl-ckpt-'));
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor1d([7]);
    await writeCheckpoint(dir, { epoch: 3, note: 'é' }, { params: [a, b], best: [] });
    const r = readCheckpoint<{ epoch: number; note: string }>(dir);
    expect(r.header).toEqual({ epoch: 3, note: 'é' });
    expect(r.groups.params.map((t) => t.shape)).toEqual([[2, 3], [1]]);
    expect(Array.from(r.groups.params[0].data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(r.groups.params[1].data)).toEqual([7]);
    expect(r.groups.best).toEqual([]);
    tf.dispose([a, b]);
  });
});
