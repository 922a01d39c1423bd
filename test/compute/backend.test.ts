import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, selectBackend } from '../../src/compute/backend.ts';
import { SflError } from '../../src/util/errors.ts';

describe('backend choice', () => {
  it('loads one of the known backends', async () => {
    const name = await initBackend();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(name);
    expect(tf.getBackend()).toBe(name);
  });

  it('rejects an unknown forced backend with a sentence', async () => {
    await expect(selectBackend('gpu')).rejects.toThrow(SflError);
    await expect(selectBackend('gpu')).rejects.toThrow(/SFL_BACKEND=gpu is not one of/);
  });

  it('a forced backend that cannot load is an error, not a silent fallback', async (ctx) => {
    let nativeAvailable = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      nativeAvailable = false;
    }
    if (nativeAvailable) {
      console.warn('skipped: @tensorflow/tfjs-node loads on this machine, so forcing it cannot fail');
      ctx.skip();
    }
    await expect(selectBackend('tensorflow')).rejects.toThrow(/cannot load/);
  });
});

describe('matMul with transpose flags (the wasm override)', () => {
  it('gives the same products and gradients as explicit transposes', async () => {
    await initBackend();
    const a = tf.randomNormal([37, 23], 0, 1, 'float32', 1);
    const b = tf.randomNormal([23, 11], 0, 1, 'float32', 2);
    const ref = tf.matMul(a, b);
    const cases: [tf.Tensor, tf.Tensor, boolean, boolean][] = [
      [a, b.transpose(), false, true],
      [a.transpose(), b, true, false],
      [a.transpose(), b.transpose(), true, true],
    ];
    for (const [x, y, ta, tb] of cases) {
      const diff = tf.max(tf.abs(tf.sub(tf.matMul(x, y, ta, tb), ref))).dataSync()[0];
      expect(diff).toBeLessThan(1e-4);
    }
    // Autodiff's matMul gradient uses the transposed forms: d/da sum(a b) = 1 b'.
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.matMul(x, b)))(a);
    const expected = tf.matMul(tf.ones([37, 11]), b.transpose());
    expect(tf.max(tf.abs(tf.sub(g, expected))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('does not leak tensors', async () => {
    await initBackend();
    const a = tf.randomNormal([20, 30]);
    const b = tf.randomNormal([20, 30]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.matMul(a, b, false, true).dataSync());
    expect(tf.memory().numTensors).toBe(before);
  });
});
