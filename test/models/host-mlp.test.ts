import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { netLayout } from './host-net-layout.ts';
import { loadBaselineData } from '../../src/models/mnist-baselines/data.ts';
import { trainWithEarlyStopping } from '../../src/models/mnist-baselines/train.ts';
import { gradientCheck } from '../../src/optim/gradient-check.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { mlp } from '../../src/models/mnist-baselines/mlp.ts';
import { mlpHostCost, mlpHostStep, mlpScratch, type HostMlp } from '../../src/models/mnist-baselines/host-mlp.ts';
import { hostLayer } from '../../src/models/mnist-baselines/host-sgd.ts';

beforeAll(async () => {
  await initBackend();
});

const SIZES = [11, 7, 5];
const CLASSES = 4;
const ROWS = 3;
// Inputs with zeros (the step skips their rows), values in (0, 1) like pixels.
const X = Float32Array.from({ length: ROWS * SIZES[0] }, (_, i) => (i % 3 === 0 ? 0 : 0.5 + 0.45 * Math.sin(2.1 * i)));
const LABELS = Uint8Array.from([2, 0, 3]);

const LAYOUT = netLayout(SIZES, CLASSES);
const { shapes: SHAPES, counts: COUNTS, offsets: OFFSETS, theta0: THETA0 } = LAYOUT;

function netOf(theta: Float64Array, weightDecay: number): HostMlp {
  const layers = LAYOUT.layersOf(theta);
  return { hidden: layers.slice(0, -1), out: layers[layers.length - 1], weightDecay };
}

function thetaOf(net: HostMlp): Float64Array {
  return LAYOUT.thetaOf([...net.hidden, net.out]);
}

/** The gradient the step applies: with lr = 1, theta - theta_after. */
function stepGradient(theta: Float64Array, weightDecay: number): { cost: number; grad: Float64Array } {
  const net = netOf(theta, weightDecay);
  const before = thetaOf(net);
  const cost = mlpHostStep(net, X, LABELS, 1, mlpScratch(net, ROWS));
  const after = thetaOf(net);
  return { cost, grad: before.map((v, i) => v - after[i]) };
}

describe('host SGD of the MLP (small minibatches)', () => {
  for (const weightDecay of [0, 1e-2]) {
    it(`the step follows the gradient of its cost (central differences, weightDecay ${weightDecay}), and the check catches a wrong one`, async () => {
      const f = async (theta: Float64Array) => ({ cost: mlpHostCost(netOf(theta, weightDecay), X, LABELS), grad: stepGradient(theta, weightDecay).grad });
      // Layer by layer, so that a mistake in a small gradient is not hidden by a large one.
      for (let k = 0; k < SHAPES.length; k++) {
        const indices = Array.from({ length: COUNTS[k] }, (_, i) => OFFSETS[k] + i);
        expect((await gradientCheck(f, THETA0, { epsilon: 1e-4, indices })).relativeError).toBeLessThan(1e-4);
      }
      expect(stepGradient(THETA0, weightDecay).cost).toBeCloseTo(mlpHostCost(netOf(THETA0, weightDecay), X, LABELS), 5);
      // A planted mistake: the first layer's weight gradient off by up to 50%, entry by entry.
      const bad = async (theta: Float64Array) => {
        const r = await f(theta);
        for (let k = 0; k < COUNTS[0]; k++) r.grad[k] *= 1 + 0.5 * Math.cos(k);
        return r;
      };
      const first = Array.from({ length: COUNTS[0] }, (_, i) => i);
      expect((await gradientCheck(bad, THETA0, { epsilon: 1e-4, indices: first })).relativeError).toBeGreaterThan(0.1);
    });
  }

  it('a step equals the device MLP step (hand-derived gradient on tfjs), and a minibatch smaller than the buffers works', () => {
    const weightDecay = 1e-2;
    const lr = 0.05;
    const dev = mlp(mulberry32(1), SIZES[0], SIZES.slice(1), CLASSES, weightDecay);
    dev.params.forEach((p, k) => p.assign(tf.tensor(Float32Array.from(THETA0.subarray(OFFSETS[k], OFFSETS[k] + COUNTS[k])), SHAPES[k])));
    const x = tf.tensor2d(X, [ROWS, SIZES[0]]);
    const y = tf.oneHot(tf.tensor1d(Array.from(LABELS), 'int32'), CLASSES).toFloat() as tf.Tensor2D;
    const devCost = dev.sgdStep!(x, y, lr);
    const net = netOf(THETA0, weightDecay);
    const hostCost = mlpHostStep(net, X, LABELS, lr, mlpScratch(net, ROWS + 2));
    expect(hostCost).toBeCloseTo(devCost.dataSync()[0], 5);
    const after = thetaOf(net);
    dev.params.forEach((p, k) => {
      const d = p.dataSync();
      for (let i = 0; i < d.length; i++) expect(after[OFFSETS[k] + i]).toBeCloseTo(d[i], 6);
    });
    // The step moved the weights by far more than the tolerance: the comparison is not vacuous.
    expect(Math.max(...after.map((v, i) => Math.abs(v - THETA0[i])))).toBeGreaterThan(1e-3);
    tf.dispose([x, y, devCost, ...dev.params]);
  });

  it('refuses a minibatch larger than its buffers', () => {
    const net = netOf(THETA0, 0);
    expect(() => mlpHostStep(net, X, LABELS, 0.1, mlpScratch(net, ROWS - 1))).toThrow(/does not fit/);
  });
});

describe('the MLP trained on the host', () => {
  it('SIMD and JavaScript kernels take the same step', () => {
    const make = (kind: 'js' | 'simd'): HostMlp => {
      const net = netOf(THETA0, 1e-2);
      const copy = (L: HostMlp['out']) => hostLayer(L.W, L.b, kind);
      return { hidden: net.hidden.map(copy), out: copy(net.out), weightDecay: net.weightDecay };
    };
    const [js, simd] = [make('js'), make('simd')];
    const costs = [js, simd].map((net) => mlpHostStep(net, X, LABELS, 0.1, mlpScratch(net, ROWS)));
    expect(costs[1]).toBeCloseTo(costs[0], 6);
    const [a, b] = [thetaOf(js), thetaOf(simd)];
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 6));
    expect(js.out.arena.kind).toBe('js');
    expect(simd.out.arena.kind).toBe('simd');
  });

  it('an epoch on the host ends where the device loop does (minibatches of 20)', async () => {
    const data = loadBaselineData(join(import.meta.dirname, '../fixtures/mnist'), { trainCount: 300, validCount: 100, testCount: 100 });
    const make = () => mlp(mulberry32(3), 784, [16], 10, 1e-4);
    const onHost = make();
    const onDevice = { ...make(), host: undefined };
    expect(onHost.host?.takes(20)).toBe(true);
    const opts = { batchSize: 20, learningRate: 0.1, epochs: 2, stopping: { patience: null, patienceIncrease: 2, improvementThreshold: 0.995, validationFrequency: null }, label: 't', log: () => {} };
    const a = await trainWithEarlyStopping(onHost, data, opts, undefined);
    const b = await trainWithEarlyStopping(onDevice, data, opts, undefined);
    a.state.epochs.forEach((e, i) => expect(e.cost).toBeCloseTo(b.state.epochs[i].cost, 5));
    expect(a.state.validations).toEqual(b.state.validations);
    onHost.params.forEach((p, i) => {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(p, onDevice.params[i]))).dataSync()[0]);
      expect(d).toBeLessThan(1e-5);
    });
    // Training moved the weights far more than that: the comparison is not vacuous.
    const start = make();
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(start.params[0], onHost.params[0]))).dataSync()[0])).toBeGreaterThan(1e-3);
    tf.dispose([...onHost.params, ...onDevice.params, ...start.params, ...a.best, ...b.best]);
    data.dispose();
  });
});
