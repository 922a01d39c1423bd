import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/compute/backend.ts';
import { matrix, type Matrix } from '../../../src/compute/matrix.ts';
import { loadOnnxRuntime } from '../../../src/compute/onnx/runtime.ts';
import { stackedCostOnnx } from '../../../src/models/stacked/onnx-cost.ts';
import { stackedParamCount, unpackStacked, type StackedOptions } from '../../../src/models/stacked/params.ts';
import { stackedCost } from '../../../src/models/stacked/stacked.ts';
import { gradientCheck } from '../../../src/optim/gradient-check.ts';
import type { CostFunction } from '../../../src/optim/types.ts';
import { fillNormal, mulberry32 } from '../../../src/util/random.ts';
import { relDiff } from '../relative-difference.ts';

const ort = await loadOnnxRuntime();
if (!ort) console.warn('skipped: onnxruntime-node cannot load here; the onnx fine-tuning graph is not tested');

beforeAll(async () => {
  await initBackend();
});

function problem(m: number, n: number, k: number, seed: number): { X: Matrix; labels: Int32Array } {
  const rng = mulberry32(seed);
  const X = matrix(m, n, Float32Array.from({ length: m * n }, () => rng()));
  return { X, labels: Int32Array.from({ length: m }, () => Math.floor(rng() * k)) };
}

describe.skipIf(!ort)('stacked fine-tuning cost as an ONNX graph', () => {
  for (const bias of [true, false]) {
    const opts: StackedOptions = { layerSizes: [8, 6, 5], numClasses: 3, weightDecay: 1e-2, bias };

    it(`two hidden layers: equals the wasm engine's cost and gradient, in one row block and in 5 (bias ${bias})`, async () => {
      const { X, labels } = problem(30, 8, 3, 1);
      const onnx = await stackedCostOnnx(X, labels, opts, 'float32', 1);
      const blocked = await stackedCostOnnx(X, labels, opts, 'float32', 1, 6);
      const wasm = stackedCost(X, labels, opts);
      try {
        const theta = fillNormal(mulberry32(2), new Float64Array(stackedParamCount(opts)), 0, 0.5);
        const b = await wasm(theta);
        for (const a of [await onnx(theta), await blocked(theta)]) {
          expect(Math.abs(a.cost - b.cost) / b.cost).toBeLessThan(1e-6);
          expect(relDiff(a.grad, b.grad)).toBeLessThan(1e-5);
        }
      } finally {
        onnx.dispose();
        blocked.dispose();
        wasm.dispose();
      }
    });

    it(`in float64 (4 row blocks) the gradient passes the gradient check; one without the first layer's term fails it (bias ${bias})`, async () => {
      const { X, labels } = problem(20, 8, 3, 3);
      const f = await stackedCostOnnx(X, labels, opts, 'float64', 1, 5);
      try {
        const theta = fillNormal(mulberry32(4), new Float64Array(stackedParamCount(opts)), 0, 0.5);
        expect((await gradientCheck(f, theta, { epsilon: 1e-5 })).relativeError).toBeLessThan(1e-8);
        // Planted mistake: backprop stopped before the first layer (its W gradient left at zero).
        const { grad } = await f(theta);
        const wrong = Float64Array.from(grad);
        unpackStacked(wrong, opts).layers[0].W.fill(0);
        const withWrong: CostFunction = async (t) => ({ cost: (await f(t)).cost, grad: wrong });
        expect((await gradientCheck(withWrong, theta, { epsilon: 1e-5 })).relativeError).toBeGreaterThan(1e-2);
      } finally {
        f.dispose();
      }
    });
  }

  it('refuses input of the wrong width, naming the first layer size', async () => {
    const { X, labels } = problem(5, 7, 2, 1);
    await expect(stackedCostOnnx(X, labels, { layerSizes: [8, 4], numClasses: 2, weightDecay: 0 })).rejects.toThrow(/first layer size/);
  });
});
