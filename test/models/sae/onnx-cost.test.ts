import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/compute/backend.ts';
import { createSession, loadOnnxRuntime } from '../../../src/compute/onnx/runtime.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { gradientCheck } from '../../../src/optim/gradient-check.ts';
import { saeCostFromSession, saeCostGraph, sparseAutoencoderCostOnnx } from '../../../src/models/sae/onnx-cost.ts';
import { packParams, sparseAutoencoderCost, type SaeOptions } from '../../../src/models/sae/sparse-autoencoder.ts';
import { referenceSaeCost } from './sae-float64-reference.ts';
import { relDiff } from '../relative-difference.ts';
import { randomData, randomTheta } from './random-problem.ts';

const ort = await loadOnnxRuntime();
if (!ort) console.warn('skipped: onnxruntime-node cannot load here; the onnx engine is not tested');

beforeAll(async () => {
  await initBackend();
});

describe.skipIf(!ort)('sparse autoencoder cost as an ONNX graph', () => {
  for (const decoder of ['sigmoid', 'linear'] as const) {
    it(`${decoder} decoder: cost to 1e-6 and gradient to 1e-5 relative of the float64 reference, and equal to the wasm engine's`, async () => {
      const opts: SaeOptions = { visible: 20, hidden: 7, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder };
      const X = randomData(57, 20, decoder, 3);
      const onnx = await sparseAutoencoderCostOnnx(X, opts, 1);
      const wasm = sparseAutoencoderCost(X, opts);
      try {
        for (const seed of [1, 2]) {
          const theta = randomTheta(20, 7, seed);
          const ours = await onnx(theta);
          const ref = referenceSaeCost(X, opts)(theta);
          expect(Math.abs(ours.cost - ref.cost) / ref.cost).toBeLessThan(1e-6);
          expect(relDiff(ours.grad, ref.grad)).toBeLessThan(1e-5);
          const other = await wasm(theta);
          expect(Math.abs(ours.cost - other.cost) / other.cost).toBeLessThan(1e-6);
          expect(relDiff(ours.grad, other.grad)).toBeLessThan(1e-5);
        }
      } finally {
        await onnx.dispose();
        wasm.dispose();
      }
    });
  }

  it('in row blocks (forced small: 57 rows in 6 blocks), cost and gradient still match the float64 reference', async () => {
    for (const decoder of ['sigmoid', 'linear'] as const) {
      const opts: SaeOptions = { visible: 20, hidden: 7, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder };
      const X = randomData(57, 20, decoder, 3);
      const f = saeCostFromSession(ort!, await createSession(ort!, saeCostGraph(X, opts, 'float32', 10), 1), X.rows, opts);
      try {
        const theta = randomTheta(20, 7, 5);
        const ours = await f(theta);
        const ref = referenceSaeCost(X, opts)(theta);
        expect(Math.abs(ours.cost - ref.cost) / ref.cost).toBeLessThan(1e-6);
        expect(relDiff(ours.grad, ref.grad)).toBeLessThan(1e-5);
      } finally {
        await f.dispose();
      }
    }
  });

  it('beta = 0 drops the sparsity term; weightDecay = 0 drops the weight decay', async () => {
    const X = randomData(30, 12, 'sigmoid', 5);
    for (const [beta, weightDecay] of [[0, 3e-3], [3, 0], [0, 0]]) {
      const opts: SaeOptions = { visible: 12, hidden: 5, weightDecay, beta, rho: 0.1, decoder: 'sigmoid' };
      const f = await sparseAutoencoderCostOnnx(X, opts, 1);
      const theta = randomTheta(12, 5, 4);
      const ours = await f(theta);
      const ref = referenceSaeCost(X, opts)(theta);
      expect(Math.abs(ours.cost - ref.cost) / ref.cost).toBeLessThan(1e-6);
      expect(relDiff(ours.grad, ref.grad)).toBeLessThan(1e-5);
      await f.dispose();
    }
  });

  for (const decoder of ['sigmoid', 'linear'] as const) {
    it(`${decoder} decoder: the graph's hand-derived gradient (in 4 row blocks) passes a float64 gradient check; a graph without the sparsity term's gradient fails it`, async () => {
      const v = 10, h = 4;
      const opts: SaeOptions = { visible: v, hidden: h, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder };
      const X = randomData(25, v, decoder, 7);
      const theta = randomTheta(v, h, 3);
      const right = saeCostFromSession(ort!, await createSession(ort!, saeCostGraph(X, opts, 'float64', 7), 1), X.rows, opts, 'float64');
      const r = await gradientCheck(right, theta, { epsilon: 1e-5 });
      expect(r.relativeError).toBeLessThan(1e-8); // measured 4e-11 and 6e-11
      await right.dispose();
      // Planted mistake: the graph is built without the sparsity term (beta 0) while the cost still
      // includes the KL penalty (it is added outside the graph), so the gradient lacks its derivative.
      const wrong = saeCostFromSession(ort!, await createSession(ort!, saeCostGraph(X, { ...opts, beta: 0 }, 'float64', 7), 1), X.rows, opts, 'float64');
      const w = await gradientCheck(wrong, theta, { epsilon: 1e-5 });
      expect(w.relativeError).toBeGreaterThan(1e-2); // measured 0.98 and 0.40
      await wrong.dispose();
    });
  }

  it('rejects a theta of the wrong length and X of the wrong width', async () => {
    const opts: SaeOptions = { visible: 6, hidden: 2, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'sigmoid' };
    await expect(sparseAutoencoderCostOnnx(randomData(4, 5, 'sigmoid', 1), opts)).rejects.toThrow(/5 columns, expected 6/);
    const f = await sparseAutoencoderCostOnnx(randomData(4, 6, 'sigmoid', 1), opts, 1);
    await expect(Promise.resolve().then(() => f(new Float64Array(3)))).rejects.toThrow(/3 values, expected 32/);
    await f.dispose();
  });
});

describe.skipIf(!ort)('cross-check with the numpy peer on MNIST (onnx engine)', () => {
  /** The numpy peer's cost_at_fixed_point, float64 (as in sparse-autoencoder.test.ts). */
  const PEER_COST_AT_FIXED_POINT = 310.8742432;
  const given = process.env.SFL_MNIST_DIR;
  const dir = given && existsSync(given) ? given : undefined;
  if (!dir) console.warn('skipped: set SFL_MNIST_DIR to the MNIST folder to cross-check the onnx engine with the numpy peer');

  it.skipIf(!dir)('our cost at the peer\'s fixed point equals the peer\'s to 1e-6 relative', async () => {
    const { images } = loadMnist(dir!, 'train', { limit: 10000 });
    const v = 784, h = 196;
    const W1 = Float64Array.from({ length: h * v }, (_, k) => 0.1 * Math.sin(0.37 * k));
    const W2 = Float64Array.from({ length: v * h }, (_, k) => 0.1 * Math.cos(0.23 * k));
    const b1 = Float64Array.from({ length: h }, (_, j) => (0.01 * j) / h);
    const b2 = Float64Array.from({ length: v }, (_, i) => (-0.01 * i) / v);
    const f = await sparseAutoencoderCostOnnx(images, { visible: v, hidden: h, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'sigmoid' });
    try {
      const r = await f(packParams({ visible: v, hidden: h, W1, W2, b1, b2 }));
      expect(Math.abs(r.cost - PEER_COST_AT_FIXED_POINT) / PEER_COST_AT_FIXED_POINT).toBeLessThan(1e-6); // measured 8e-8
      expect(r.grad.every(Number.isFinite)).toBe(true);
    } finally {
      await f.dispose();
    }
  });
});
