import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/compute/backend.ts';
import { conv2dFull, conv2dValid, filterGradient, maxPool2d } from '../../../src/models/conv/conv2d.ts';
import { gradientCheck } from '../../../src/optim/gradient-check.ts';
import type { CostFunction } from '../../../src/optim/types.ts';
import { mulberry32 } from '../../../src/util/random.ts';

beforeAll(async () => {
  await initBackend();
});

function randomTensor(shape: number[], seed: number): tf.Tensor4D {
  const rng = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: n }, () => rng() - 0.5), shape as [number, number, number, number]);
}

async function close(a: tf.Tensor, b: tf.Tensor, digits = 4): Promise<void> {
  expect(a.shape).toEqual(b.shape);
  const [u, v] = [await a.data(), await b.data()];
  for (let i = 0; i < u.length; i++) expect(u[i]).toBeCloseTo(v[i], digits);
}

type Grads = (x: tf.Tensor4D, W: tf.Tensor4D, probe: tf.Tensor4D) => [tf.Tensor, tf.Tensor];

/**
 * J(x, W) = sum(op(x, W) * probe) as a cost of theta = [x; W], with the gradient from `grads`
 * (our customGrad through tf.grads, or a deliberately wrong formula).
 */
function probeCost(op: (x: tf.Tensor4D, W: tf.Tensor4D) => tf.Tensor4D, xShape: number[], wShape: number[], probe: tf.Tensor4D, grads: Grads): CostFunction {
  const nx = xShape.reduce((a, b) => a * b, 1);
  return (theta) => {
    const t = Float32Array.from(theta);
    const x = tf.tensor4d(t.subarray(0, nx), xShape as [number, number, number, number]);
    const W = tf.tensor4d(t.subarray(nx), wShape as [number, number, number, number]);
    const cost = tf.tidy(() => tf.sum(tf.mul(op(x, W), probe)));
    const [dx, dW] = grads(x, W, probe);
    const grad = new Float64Array(theta.length);
    grad.set(dx.dataSync(), 0);
    grad.set(dW.dataSync(), nx);
    const c = cost.dataSync()[0];
    tf.dispose([x, W, cost, dx, dW]);
    return { cost: c, grad };
  };
}

const autodiff = (op: (x: tf.Tensor4D, W: tf.Tensor4D) => tf.Tensor4D): Grads => (x, W, probe) =>
  tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor4D, w as tf.Tensor4D), probe)))([x, W]) as [tf.Tensor, tf.Tensor];

function theta(xShape: number[], wShape: number[], seed: number): Float64Array {
  const rng = mulberry32(seed);
  const n = xShape.reduce((a, b) => a * b, 1) + wShape.reduce((a, b) => a * b, 1);
  return Float64Array.from({ length: n }, () => rng() - 0.5);
}

// Small, non-square shapes (kernel 3 x 2, two in and three out channels) so a swapped axis shows.
const X = [2, 6, 5, 2];
const K = [3, 2, 2, 3];
const Y = [2, 4, 4, 3]; // valid output of X with K
const H = [2, 4, 3, 3]; // feature maps fed to the full convolution
const R = [2, 6, 4, 2]; // its output: 4 + 3 - 1 by 3 + 2 - 1, two channels

describe('conv2dValid', () => {
  it('value and both gradients match the backend\'s own 3-D convolution', async () => {
    const x = randomTensor([2, 9, 9, 3], 3);
    const W = randomTensor([4, 4, 3, 5], 4);
    const probe = randomTensor([2, 6, 6, 5], 5);
    const [dx, dW] = autodiff(conv2dValid)(x, W, probe);
    const [rx, rW] = autodiff((a, w) =>
      tf.reshape(tf.conv3d(tf.expandDims(a, 1) as tf.Tensor5D, tf.expandDims(w, 0) as tf.Tensor5D, 1, 'valid'), [2, 6, 6, 5]) as tf.Tensor4D,
    )(x, W, probe);
    await close(conv2dValid(x, W), tf.conv2d(x, W, 1, 'valid'));
    await close(dx, rx);
    await close(dW, rW);
    tf.dispose([x, W, probe, dx, dW, rx, rW]);
  });

  it('passes a numerical gradient check in x and W (non-square kernel, several channels)', async () => {
    const probe = randomTensor(Y, 7);
    const r = await gradientCheck(probeCost(conv2dValid, X, K, probe, autodiff(conv2dValid)), theta(X, K, 8), { epsilon: 1e-2 });
    // J is linear in each argument, so central differences are exact up to float32 rounding.
    expect(r.relativeError).toBeLessThan(1e-4);
    probe.dispose();
  });

  it('the check fails a gradient with the kernel not flipped, and one with the filter gradient flipped', async () => {
    const probe = randomTensor(Y, 7);
    const noFlip: Grads = (x, W, p) => [
      tf.conv2d(tf.pad(p, [[0, 0], [2, 2], [1, 1], [0, 0]]), tf.transpose(W, [0, 1, 3, 2]) as tf.Tensor4D, 1, 'valid'),
      filterGradient(x, p),
    ];
    const flippedFilter: Grads = (x, W, p) => {
      const [dx, dW] = autodiff(conv2dValid)(x, W, p);
      const wrong = tf.reverse(dW, [0, 1]);
      dW.dispose();
      return [dx, wrong];
    };
    for (const [name, g] of [['no flip', noFlip], ['flipped dW', flippedFilter]] as const) {
      const r = await gradientCheck(probeCost(conv2dValid, X, K, probe, g), theta(X, K, 8), { epsilon: 1e-2 });
      expect(r.relativeError, name).toBeGreaterThan(1e-2);
    }
    probe.dispose();
  });

  it('without an input gradient, dx is zero and dW unchanged', async () => {
    const x = randomTensor(X, 1), W = randomTensor(K, 2), probe = randomTensor(Y, 3);
    const [dx, dW] = autodiff((a, w) => conv2dValid(a, w, false))(x, W, probe);
    const [, ref] = autodiff(conv2dValid)(x, W, probe);
    expect(Math.max(...(await tf.abs(dx).data()))).toBe(0);
    await close(dW, ref, 5);
    tf.dispose([x, W, probe, dx, dW, ref]);
  });

  it('says which shapes do not fit', () => {
    const x = randomTensor([1, 2, 5, 1], 1), W = randomTensor([3, 3, 1, 2], 2);
    expect(() => conv2dValid(x, W)).toThrow(/2x5 input is smaller than the 3x3 filters/);
    const W2 = randomTensor([1, 1, 2, 2], 3);
    expect(() => conv2dValid(x, W2)).toThrow(/1 channels, the filters expect 2/);
    tf.dispose([x, W, W2]);
  });
});

describe('conv2dFull (transposed convolution)', () => {
  it('is the adjoint of conv2dValid: <valid(x, W), z> = <x, full(z, W)>, with the expected shape', async () => {
    const x = randomTensor(R, 1), W = randomTensor(K, 2), z = randomTensor(H, 3);
    const full = conv2dFull(z, W);
    expect(full.shape).toEqual(R);
    const a = tf.sum(tf.mul(conv2dValid(x, W), z)).dataSync()[0];
    const b = tf.sum(tf.mul(x, full)).dataSync()[0];
    expect(a).toBeCloseTo(b, 4);
    tf.dispose([x, W, z, full]);
  });

  it('passes a numerical gradient check in the feature maps and W', async () => {
    const probe = randomTensor(R, 9);
    const r = await gradientCheck(probeCost(conv2dFull, H, K, probe, autodiff(conv2dFull)), theta(H, K, 10), { epsilon: 1e-2 });
    expect(r.relativeError).toBeLessThan(1e-4);
    probe.dispose();
  });

  it('the check fails a gradient that forgets the decoder\'s kernel flip, or swaps the filter-gradient arguments\' roles', async () => {
    const probe = randomTensor(R, 9);
    const unflippedInput: Grads = (h, W, p) => [tf.conv2d(p, tf.reverse(W, [0, 1]) as tf.Tensor4D, 1, 'valid'), filterGradient(p, h)];
    const flippedFilter: Grads = (h, W, p) => [tf.conv2d(p, W, 1, 'valid'), tf.reverse(filterGradient(p, h), [0, 1])];
    for (const [name, g] of [['dh with a flipped kernel', unflippedInput], ['flipped dW', flippedFilter]] as const) {
      const r = await gradientCheck(probeCost(conv2dFull, H, K, probe, g), theta(H, K, 10), { epsilon: 1e-2 });
      expect(r.relativeError, name).toBeGreaterThan(1e-2);
    }
    probe.dispose();
  });

  it('leaves no tensors behind across forward and backward passes', () => {
    const h = randomTensor(H, 1), W = randomTensor(K, 2), probe = randomTensor(R, 3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const g = tf.tidy(() => tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(conv2dFull(a as tf.Tensor4D, w as tf.Tensor4D), probe)))([h, W]));
      tf.dispose(g);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([h, W, probe]);
  });
});

describe('maxPool2d', () => {
  it('sends the gradient to the maximum even when a whole region is negative (the wasm MaxPoolGrad sends it to the first element)', async () => {
    const x = tf.tensor4d([-3, -1, -2, -4, 5, 1, 2, 0], [2, 2, 2, 1]);
    const g = await tf.grad((a: tf.Tensor) => tf.sum(maxPool2d(a as tf.Tensor4D, [2, 2])))(x).data();
    expect(Array.from(g)).toEqual([0, 1, 0, 0, 1, 0, 0, 0]);
    x.dispose();
  });
});
