import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { netLayout } from './host-net-layout.ts';
import { loadBaselineData } from '../../src/models/mnist-baselines/data.ts';
import { trainWithEarlyStopping } from '../../src/models/mnist-baselines/train.ts';
import { gradientCheck } from '../../src/optim/gradient-check.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { denoisingCost, denoisingLayer, stackedDenoising } from '../../src/models/mnist-baselines/denoising.ts';
import { daCost, daStep, fineTuneCost, fineTuneStep, hostDa, hostLayer, layerFromDevice, type HostDa, type HostNet } from '../../src/models/mnist-baselines/host-sgd.ts';
import type { HostKernelKind } from '../../src/compute/row-kernels.ts';

beforeAll(async () => {
  await initBackend();
});

const SIZES = [12, 7, 5];
const CLASSES = 4;
// An input with zeros (the step skips their rows) and values in (0, 1) like pixels.
const X = Float32Array.from({ length: SIZES[0] }, (_, i) => (i % 3 === 0 ? 0 : 0.5 + 0.45 * Math.sin(2.1 * i)));
const LABEL = 2;

const LAYOUT = netLayout(SIZES, CLASSES);
const { shapes: SHAPES, counts: COUNTS, offsets: OFFSETS, total: TOTAL, theta0: THETA0 } = LAYOUT;

function netOf(theta: Float64Array, weightDecay: number): HostNet {
  const layers = LAYOUT.layersOf(theta);
  return { hidden: layers.slice(0, -1), out: layers[layers.length - 1], weightDecay };
}

function thetaOf(net: HostNet): Float64Array {
  return LAYOUT.thetaOf([...net.hidden, net.out]);
}

/** The gradient the step applies: with lr = 1, theta - theta_after. */
function stepGradient(theta: Float64Array, weightDecay: number): { cost: number; grad: Float64Array } {
  const net = netOf(theta, weightDecay);
  const before = thetaOf(net);
  const cost = fineTuneStep(net, X, LABEL, 1);
  const after = thetaOf(net);
  return { cost, grad: before.map((v, i) => v - after[i]) };
}

describe('host SGD (batch of one image)', () => {
  for (const weightDecay of [0, 1e-2]) {
    it(`the fine-tuning step follows the gradient of its cost (central differences, weightDecay ${weightDecay})`, async () => {
      const f = async (theta: Float64Array) => ({ cost: fineTuneCost(netOf(theta, weightDecay), X, LABEL), grad: stepGradient(theta, weightDecay).grad });
      // Layer by layer: the lower layers' gradients are much smaller than the output layer's,
      // and one norm over all of them would hide a mistake there.
      for (let k = 0; k < SHAPES.length; k++) {
        const indices = Array.from({ length: COUNTS[k] }, (_, i) => OFFSETS[k] + i);
        expect((await gradientCheck(f, THETA0, { epsilon: 1e-4, indices })).relativeError).toBeLessThan(1e-4);
      }
      expect(stepGradient(THETA0, weightDecay).cost).toBeCloseTo(fineTuneCost(netOf(THETA0, weightDecay), X, LABEL), 5);
      // The check catches a planted mistake: the first layer's bias gradient doubled.
      const bad = async (theta: Float64Array) => {
        const r = await f(theta);
        for (let k = 0; k < COUNTS[1]; k++) r.grad[OFFSETS[1] + k] *= 2;
        return r;
      };
      const firstBias = Array.from({ length: COUNTS[1] }, (_, i) => OFFSETS[1] + i);
      expect((await gradientCheck(bad, THETA0, { epsilon: 1e-4, indices: firstBias })).relativeError).toBeGreaterThan(0.1);
    });
  }

  it('the fine-tuning step equals tfjs autodiff of the device SdA loss', async () => {
    const weightDecay = 1e-2;
    const dev = stackedDenoising(mulberry32(1), SIZES[0], SIZES.slice(1), CLASSES, weightDecay);
    dev.params.forEach((p, k) => p.assign(tf.tensor(Float32Array.from(THETA0.subarray(OFFSETS[k], OFFSETS[k] + COUNTS[k])), SHAPES[k])));
    const x = tf.tensor2d(X, [1, SIZES[0]]);
    const y = tf.oneHot(tf.tensor1d([LABEL], 'int32'), CLASSES).toFloat() as tf.Tensor2D;
    const { value, grads } = tf.variableGrads(() => dev.loss(x, y), dev.params);
    const auto = new Float64Array(TOTAL);
    dev.params.forEach((p, k) => auto.set(grads[p.name].dataSync(), OFFSETS[k]));
    const host = stepGradient(THETA0, weightDecay);
    expect(host.cost).toBeCloseTo(value.dataSync()[0], 4);
    let num = 0;
    let den = 0;
    host.grad.forEach((g, i) => {
      num += (g - auto[i]) ** 2;
      den += auto[i] ** 2;
    });
    expect(Math.sqrt(num / den)).toBeLessThan(1e-5);
    tf.dispose([x, y, value, ...Object.values(grads), ...dev.allParams]);
  });

  describe('dA step', () => {
    const NV = 10;
    const NH = 6;
    const x = Float32Array.from({ length: NV }, (_, i) => (i % 4 === 1 ? 0 : 0.5 + 0.45 * Math.cos(1.3 * i)));
    const mask = (i: number) => i % 3 !== 2; // pixels 2, 5, 8 corrupted
    const theta0 = Float64Array.from({ length: NV * NH + NH + NV }, (_, i) => Math.sin(0.9 * i + 1) * 0.5);
    const daOf = (theta: Float64Array): HostDa => ({
      ...hostLayer(Float32Array.from(theta.subarray(0, NV * NH)), Float32Array.from(theta.subarray(NV * NH, NV * NH + NH))),
      bVisible: Float32Array.from(theta.subarray(NV * NH + NH)),
    });
    const flat = (L: HostDa) => {
      const t = new Float64Array(theta0.length);
      t.set(L.W);
      t.set(L.b, NV * NH);
      t.set(L.bVisible, NV * NH + NH);
      return t;
    };
    const step = (theta: Float64Array, keep: (i: number) => boolean) => {
      const L = daOf(theta);
      const before = flat(L);
      const cost = daStep(L, x, keep, 1);
      const after = flat(L);
      return { cost, grad: before.map((v, i) => v - after[i]) };
    };

    it('follows the gradient of the corrupted-input cost (central differences), and the check catches a wrong one', async () => {
      const f = async (theta: Float64Array) => ({ cost: daCost(daOf(theta), x, mask), grad: step(theta, mask).grad });
      expect((await gradientCheck(f, theta0, { epsilon: 1e-4 })).relativeError).toBeLessThan(1e-4);
      expect(step(theta0, mask).cost).toBeCloseTo(daCost(daOf(theta0), x, mask), 4);
      // Planted mistake: the decoder's share of the tied weights' gradient left out.
      const bad = async (theta: Float64Array) => {
        const r = await f(theta);
        const L = daOf(theta);
        const h = new Float32Array(NH);
        const noisy = x.map((v, i) => (mask(i) ? v : 0));
        for (let j = 0; j < NH; j++) {
          let z = L.b[j];
          for (let i = 0; i < NV; i++) z += noisy[i] * L.W[i * NH + j];
          h[j] = 1 / (1 + Math.exp(-z));
        }
        for (let i = 0; i < NV; i++) {
          let a = L.bVisible[i];
          for (let j = 0; j < NH; j++) a += h[j] * L.W[i * NH + j];
          const d = 1 / (1 + Math.exp(-a)) - x[i];
          for (let j = 0; j < NH; j++) r.grad[i * NH + j] -= d * h[j];
        }
        return r;
      };
      expect((await gradientCheck(bad, theta0, { epsilon: 1e-4 })).relativeError).toBeGreaterThan(0.1);
    });

    it('without corruption equals tfjs autodiff of the device dA cost', () => {
      const dev = denoisingLayer(mulberry32(1), NV, NH);
      dev.W.assign(tf.tensor2d(Float32Array.from(theta0.subarray(0, NV * NH)), [NV, NH]));
      dev.bHidden.assign(tf.tensor1d(Float32Array.from(theta0.subarray(NV * NH, NV * NH + NH))));
      dev.bVisible.assign(tf.tensor1d(Float32Array.from(theta0.subarray(NV * NH + NH))));
      const xt = tf.tensor2d(x, [1, NV]);
      const { value, grads } = tf.variableGrads(() => denoisingCost(dev, xt, 0, 0), dev.params);
      const auto = new Float64Array(theta0.length);
      auto.set(grads[dev.W.name].dataSync());
      auto.set(grads[dev.bHidden.name].dataSync(), NV * NH);
      auto.set(grads[dev.bVisible.name].dataSync(), NV * NH + NH);
      const host = step(theta0, () => true);
      expect(host.cost).toBeCloseTo(value.dataSync()[0], 4);
      host.grad.forEach((g, i) => expect(g).toBeCloseTo(auto[i], 5));
      tf.dispose([xt, value, ...Object.values(grads), ...dev.params]);
    });
  });

  it('an epoch of fine-tuning on the host ends where the device loop does, step for step', async () => {
    const data = loadBaselineData(join(import.meta.dirname, '../fixtures/mnist'), { trainCount: 300, validCount: 100, testCount: 100 });
    const make = () => stackedDenoising(mulberry32(3), 784, [16, 8], 10, 1e-4);
    const onHost = make();
    const onDevice = { ...make(), host: undefined };
    const opts = { batchSize: 1, learningRate: 0.1, epochs: 1, stopping: { patience: null, patienceIncrease: 2, improvementThreshold: 0.995, validationFrequency: null }, label: 't', log: () => {} };
    const a = await trainWithEarlyStopping(onHost, data, opts, undefined);
    const b = await trainWithEarlyStopping(onDevice, data, opts, undefined);
    expect(a.state.epochs[0].cost).toBeCloseTo(b.state.epochs[0].cost, 4);
    expect(a.state.validations).toEqual(b.state.validations);
    onHost.params.forEach((p, i) => {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(p, onDevice.params[i]))).dataSync()[0]);
      expect(d).toBeLessThan(1e-4);
    });
    // Two different starts differ by far more: the comparison is not vacuous.
    const other = stackedDenoising(mulberry32(4), 784, [16, 8], 10);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(other.params[0], onHost.params[0]))).dataSync()[0])).toBeGreaterThan(1e-2);
    tf.dispose([...onHost.allParams, ...onDevice.allParams, ...other.allParams, ...a.best, ...b.best]);
    data.dispose();
  });

  describe('WebAssembly SIMD kernels against the JavaScript ones', () => {
    const KINDS: HostKernelKind[] = ['js', 'simd'];
    const uniform = (seed: number, n: number, r: number) => {
      const rng = mulberry32(seed);
      return Float32Array.from({ length: n }, () => (2 * rng() - 1) * r);
    };
    /** Pixels in [0, 1) with about a third exactly zero (sizes not multiples of four). */
    const inputs = Array.from({ length: 6 }, (_, t) => uniform(100 + t, 61, 1).map((v) => (v < -0.3 ? 0 : Math.abs(v))));
    const expectNear = (a: Float32Array, b: Float32Array) => a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5));

    it('the tests above run the SIMD kernels (unless SFL_HOST_KERNELS=js)', () => {
      expect(hostLayer(new Float32Array(6), new Float32Array(3)).arena.kind).toBe(process.env.SFL_HOST_KERNELS === 'js' ? 'js' : 'simd');
    });

    for (const weightDecay of [0, 1e-3]) {
      it(`fine-tuning steps give the same costs and weights (61-37-29-10, weightDecay ${weightDecay})`, () => {
        const sizes = [61, 37, 29, 10];
        const nets = KINDS.map((kind): HostNet => {
          const layers = sizes.slice(1).map((n, i) => hostLayer(uniform(i, sizes[i] * n, 0.5), uniform(10 + i, n, 0.1), kind));
          return { hidden: layers.slice(0, -1), out: layers[layers.length - 1], weightDecay };
        });
        expect(nets.map((n) => n.out.arena.kind)).toEqual(KINDS);
        inputs.forEach((x, t) => {
          const [js, simd] = nets.map((net) => fineTuneStep(net, x, t % 10, 0.1));
          expect(Math.abs(simd - js)).toBeLessThan(1e-5 * Math.max(1, js));
        });
        nets[0].hidden.forEach((L, i) => {
          expectNear(nets[1].hidden[i].W, L.W);
          expectNear(nets[1].hidden[i].b, L.b);
        });
        expectNear(nets[1].out.W, nets[0].out.W);
        expectNear(nets[1].out.b, nets[0].out.b);
      });
    }

    it('dA steps give the same costs and weights (61 x 37, corruption 0.3), visible bias in the arena or not', () => {
      const das = KINDS.flatMap((kind) => [false, true].map((inArena) => {
        const L = hostLayer(uniform(1, 61 * 37, 0.5), uniform(2, 37, 0.1), kind);
        const bVisible = uniform(3, 61, 0.1);
        return inArena ? hostDa(L, bVisible) : { ...L, bVisible };
      }));
      const masks = das.map(() => mulberry32(7));
      for (const x of inputs) {
        const costs = das.map((L, k) => daStep(L, x, () => masks[k]() >= 0.3, 0.1));
        costs.forEach((c) => expect(Math.abs(c - costs[0])).toBeLessThan(1e-5 * Math.max(1, costs[0])));
      }
      for (const L of das.slice(1)) {
        expectNear(L.W, das[0].W);
        expectNear(L.b, das[0].b);
        expectNear(L.bVisible, das[0].bVisible);
      }
      // The two copies of each kind, staged or not, are the same computation exactly.
      expect(das[1].W).toEqual(das[0].W);
      expect(das[3].W).toEqual(das[2].W);
    });

    it('SFL_HOST_KERNELS=js makes the layers the trainers pull run the JavaScript kernels', () => {
      const saved = process.env.SFL_HOST_KERNELS;
      const W = tf.zeros([5, 3]);
      const b = tf.zeros([3]);
      try {
        process.env.SFL_HOST_KERNELS = 'js';
        expect(layerFromDevice(W, b).arena.kind).toBe('js');
        delete process.env.SFL_HOST_KERNELS;
        expect(layerFromDevice(W, b).arena.kind).toBe('simd');
      } finally {
        if (saved === undefined) delete process.env.SFL_HOST_KERNELS;
        else process.env.SFL_HOST_KERNELS = saved;
        tf.dispose([W, b]);
      }
    });
  });
});
