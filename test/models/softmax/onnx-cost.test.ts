import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/compute/backend.ts';
import { matrix, type Matrix } from '../../../src/compute/matrix.ts';
import { loadOnnxRuntime } from '../../../src/compute/onnx/runtime.ts';
import { softmaxCostOnnx } from '../../../src/models/softmax/onnx-cost.ts';
import { softmaxParamCount } from '../../../src/models/softmax/cost-parts.ts';
import { softmaxCost } from '../../../src/models/softmax/softmax.ts';
import { gradientCheck } from '../../../src/optim/gradient-check.ts';
import type { CostFunction } from '../../../src/optim/types.ts';
import { fillNormal, mulberry32 } from '../../../src/util/random.ts';
import { relDiff } from '../relative-difference.ts';

const ort = await loadOnnxRuntime();
if (!ort) console.warn('skipped: onnxruntime-node cannot load here; the onnx softmax graph is not tested');

beforeAll(async () => {
  await initBackend();
});

function randomProblem(m: number, n: number, k: number, seed: number): { X: Matrix; labels: Int32Array } {
  const rng = mulberry32(seed);
  const X = matrix(m, n, fillNormal(rng, new Float32Array(m * n)));
  const labels = Int32Array.from({ length: m }, () => Math.floor(rng() * k));
  return { X, labels };
}

describe.skipIf(!ort)('softmax cost as an ONNX graph', () => {
  for (const bias of [false, true]) {
    it(`equals the wasm engine's cost and gradient (bias ${bias})`, async () => {
      const { X, labels } = randomProblem(40, 6, 4, 1);
      const opts = { numClasses: 4, weightDecay: 0.1, bias };
      const onnx = await softmaxCostOnnx(X, labels, opts, 'float32', 1);
      const wasm = softmaxCost(X, labels, opts);
      try {
        for (const seed of [2, 3]) {
          const theta = fillNormal(mulberry32(seed), new Float64Array(softmaxParamCount(6, 4, bias)), 0, 0.3);
          const a = await onnx(theta), b = await wasm(theta);
          expect(Math.abs(a.cost - b.cost) / b.cost).toBeLessThan(1e-6);
          expect(relDiff(a.grad, b.grad)).toBeLessThan(1e-5);
        }
      } finally {
        onnx.dispose();
        wasm.dispose();
      }
    });

    it(`in float64 the graph's gradient passes the gradient check, and a gradient without the weight decay fails it (bias ${bias})`, async () => {
      const { X, labels } = randomProblem(30, 5, 3, 4);
      const weightDecay = 0.1;
      const f = await softmaxCostOnnx(X, labels, { numClasses: 3, weightDecay, bias }, 'float64', 1);
      try {
        const theta = fillNormal(mulberry32(5), new Float64Array(softmaxParamCount(5, 3, bias)), 0, 0.3);
        const right = await gradientCheck(f, theta, { epsilon: 1e-5 });
        expect(right.relativeError).toBeLessThan(1e-8);
        const { grad } = await f(theta);
        const wrong = Float64Array.from(grad);
        for (let i = 0; i < 3 * 5; i++) wrong[i] -= weightDecay * theta[i];
        const withWrong: CostFunction = async (t) => ({ cost: (await f(t)).cost, grad: wrong });
        expect((await gradientCheck(withWrong, theta, { epsilon: 1e-5 })).relativeError).toBeGreaterThan(1e-2);
      } finally {
        f.dispose();
      }
    });
  }

  it('stays finite with huge inputs (x * 1e4): LogSoftmax shifts by the row maximum', async () => {
    const { X, labels } = randomProblem(20, 5, 3, 3);
    const big = matrix(20, 5, X.data.map((v) => v * 1e4));
    const f = await softmaxCostOnnx(big, labels, { numClasses: 3, weightDecay: 1e-4 }, 'float32', 1);
    try {
      const { cost, grad } = await f(fillNormal(mulberry32(4), new Float64Array(softmaxParamCount(5, 3)), 0, 1));
      expect(Number.isFinite(cost)).toBe(true);
      expect(grad.every(Number.isFinite)).toBe(true);
    } finally {
      f.dispose();
    }
  });

  it('refuses labels out of range and the wrong number of parameters, naming them', async () => {
    const { X, labels } = randomProblem(6, 3, 2, 1);
    await expect(softmaxCostOnnx(X, Int32Array.from(labels, () => 5), { numClasses: 2, weightDecay: 0 })).rejects.toThrow(/label 0 \(0-based\) is 5/);
    const f = await softmaxCostOnnx(X, labels, { numClasses: 2, weightDecay: 0 }, 'float32', 1);
    await expect(f(new Float64Array(3))).rejects.toThrow(/expected 8 parameters, got 3/);
    f.dispose();
  });
});
