import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/compute/backend.ts';
import { matrix } from '../../../src/compute/matrix.ts';
import { shardRanges, ShardPool } from '../../../src/compute/parallel.ts';
import { workerCount } from '../../../src/compute/engine.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import {
  decode, encode, initParams, oneAtATime, packParams, paramCount, sparseAutoencoderCost, sparseAutoencoderCostParallel,
  SAE_SHARD_MODEL, unpackParams, type SaeOptions,
} from '../../../src/models/sae/sparse-autoencoder.ts';
import { nonZeroColumns } from '../../../src/models/sae/shard.ts';
import { referenceSaeCost } from './sae-float64-reference.ts';
import { relDiff } from '../relative-difference.ts';
import { randomData, randomTheta } from './random-problem.ts';

beforeAll(async () => {
  await initBackend();
});

/** The numpy peer's deterministic parameter point (its fixed_point(v, h)). */
function peerFixedPoint(v: number, h: number): Float64Array {
  const W1 = Float64Array.from({ length: h * v }, (_, k) => 0.1 * Math.sin(0.37 * k)); // W1[j,i], k = j*v + i
  const W2 = Float64Array.from({ length: v * h }, (_, k) => 0.1 * Math.cos(0.23 * k)); // W2[i,j], k = i*h + j
  const b1 = Float64Array.from({ length: h }, (_, j) => (0.01 * j) / h);
  const b2 = Float64Array.from({ length: v }, (_, i) => (-0.01 * i) / v);
  return packParams({ visible: v, hidden: h, W1, W2, b1, b2 });
}

describe('parameter packing and initialisation', () => {
  it('packs W1, W2, b1, b2 in that order and unpacks views of the same vector', () => {
    const v = 3, h = 2;
    const p = {
      visible: v, hidden: h,
      W1: Float64Array.from([1, 2, 3, 4, 5, 6]), W2: Float64Array.from([7, 8, 9, 10, 11, 12]),
      b1: Float64Array.from([13, 14]), b2: Float64Array.from([15, 16, 17]),
    };
    const theta = packParams(p);
    expect(Array.from(theta)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(paramCount(v, h)).toBe(17);
    const q = unpackParams(theta, v, h);
    expect(Array.from(q.W2)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(Array.from(q.b2)).toEqual([15, 16, 17]);
    q.b1[0] = -1;
    expect(theta[12]).toBe(-1);
    expect(() => unpackParams(theta, 3, 3)).toThrow(/expected/);
  });

  it('initParams: uniform(-r, r) weights, r = sqrt(6/(v+h+1)), zero biases, deterministic in the seed', () => {
    const v = 64, h = 25;
    const r = Math.sqrt(6 / (v + h + 1));
    const a = initParams(v, h, 7);
    const P = unpackParams(a, v, h);
    let lo = Infinity, hi = -Infinity, mean = 0;
    for (const w of [...P.W1, ...P.W2]) {
      lo = Math.min(lo, w);
      hi = Math.max(hi, w);
      mean += w / (2 * v * h);
    }
    expect(lo).toBeGreaterThanOrEqual(-r);
    expect(hi).toBeLessThan(r);
    expect(lo).toBeLessThan(-0.95 * r);
    expect(hi).toBeGreaterThan(0.95 * r);
    expect(Math.abs(mean)).toBeLessThan(0.05 * r);
    expect([...P.b1, ...P.b2].every((b) => b === 0)).toBe(true);
    expect(initParams(v, h, 7)).toEqual(a);
    expect(initParams(v, h, 8)).not.toEqual(a);
  });
});

describe('sparse autoencoder cost (tfjs) against the float64 reference', () => {
  for (const decoder of ['sigmoid', 'linear'] as const) {
    it(`${decoder} decoder: cost to 1e-6 and gradient to 1e-5 relative`, async () => {
      const opts: SaeOptions = { visible: 20, hidden: 7, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder };
      const X = randomData(57, 20, decoder, 3);
      const f = sparseAutoencoderCost(X, opts);
      try {
        for (const seed of [1, 2]) {
          const theta = randomTheta(20, 7, seed);
          const ours = await f(theta);
          const ref = referenceSaeCost(X, opts)(theta);
          expect(Math.abs(ours.cost - ref.cost) / ref.cost).toBeLessThan(1e-6);
          expect(relDiff(ours.grad, ref.grad)).toBeLessThan(1e-5);
        }
      } finally {
        f.dispose();
      }
    });
  }

  it('input columns that are zero in every example are left out of the products, and cost and gradient stay exact', async () => {
    const opts: SaeOptions = { visible: 20, hidden: 7, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'sigmoid' };
    const X = randomData(60, 20, 'sigmoid', 8);
    // Columns 0, 5 and 19 are zero everywhere (like MNIST's border); column 9 only in the first
    // 30 rows, so with 2 workers one shard leaves it out and the other keeps it.
    for (let r = 0; r < X.rows; r++) {
      for (const c of [0, 5, 19]) X.data[r * 20 + c] = 0;
      if (r < 30) X.data[r * 20 + 9] = 0;
    }
    expect(Array.from(nonZeroColumns(X))).toEqual([...Array(20).keys()].filter((c) => ![0, 5, 19].includes(c)));
    const theta = randomTheta(20, 7, 9);
    const ref = referenceSaeCost(X, opts)(theta);
    const single = sparseAutoencoderCost(X, opts);
    const par = await sparseAutoencoderCostParallel(X, opts, { workers: 2 });
    try {
      for (const ours of [await single(theta), await par(theta)]) {
        expect(Math.abs(ours.cost - ref.cost) / ref.cost).toBeLessThan(1e-6);
        expect(relDiff(ours.grad, ref.grad)).toBeLessThan(1e-5);
        // dJ/dW1 at a left-out column is the weight decay alone
        expect(ours.grad[3 * 20 + 5]).toBeCloseTo(opts.weightDecay * theta[3 * 20 + 5], 12);
      }
    } finally {
      single.dispose();
      await par.dispose();
    }
  });

  it('beta = 0 drops the sparsity term; weightDecay = 0 drops the weight decay', async () => {
    const X = randomData(30, 10, 'sigmoid', 4);
    const theta = randomTheta(10, 4, 5);
    for (const [weightDecay, beta] of [[0, 3], [1e-2, 0], [0, 0]]) {
      const opts: SaeOptions = { visible: 10, hidden: 4, weightDecay, beta, rho: 0.05, decoder: 'sigmoid' };
      const f = sparseAutoencoderCost(X, opts);
      const ours = await f(theta);
      f.dispose();
      const ref = referenceSaeCost(X, opts)(theta);
      expect(Math.abs(ours.cost - ref.cost) / ref.cost).toBeLessThan(1e-6);
      expect(relDiff(ours.grad, ref.grad)).toBeLessThan(1e-5);
    }
  });

  it('does not leak tensors across evaluations, encode and decode; dispose frees X', async () => {
    const X = randomData(40, 12, 'sigmoid', 6);
    const before = tf.memory().numTensors;
    const f = sparseAutoencoderCost(X, { visible: 12, hidden: 5, weightDecay: 1e-3, beta: 3, rho: 0.1, decoder: 'sigmoid' });
    const theta = randomTheta(12, 5, 1);
    await f(theta);
    const afterOne = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await f(theta);
    encode(X, theta, { batch: 7 });
    decode(matrix(3, 5), theta, { visible: 12, decoder: 'linear' });
    expect(tf.memory().numTensors).toBe(afterOne);
    f.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a theta of the wrong length and X of the wrong width', async () => {
    const X = randomData(5, 6, 'sigmoid', 1);
    expect(() => sparseAutoencoderCost(X, { visible: 7, hidden: 2, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'sigmoid' })).toThrow(/columns/);
    const f = sparseAutoencoderCost(X, { visible: 6, hidden: 2, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'sigmoid' });
    try {
      expect(() => f(new Float64Array(3))).toThrow(/expected/);
    } finally {
      f.dispose();
    }
  });
});

describe('encode and decode', () => {
  it('encode = sigmoid(X W1\' + b1) row by row, whatever the batch size; decode inverts the layout', () => {
    const v = 9, h = 4;
    const X = randomData(23, v, 'sigmoid', 8);
    const theta = randomTheta(v, h, 9);
    const P = unpackParams(theta, v, h);
    const H = encode(X, theta);
    expect([H.rows, H.cols]).toEqual([23, h]);
    for (let k = 0; k < X.rows; k++) {
      for (let j = 0; j < h; j++) {
        let z = P.b1[j];
        for (let i = 0; i < v; i++) z += P.W1[j * v + i] * X.data[k * v + i];
        expect(H.data[k * h + j]).toBeCloseTo(1 / (1 + Math.exp(-z)), 5);
      }
    }
    expect(encode(X, theta, { batch: 5 }).data).toEqual(H.data);
    for (const decoder of ['sigmoid', 'linear'] as const) {
      const R = decode(H, theta, { visible: v, decoder, batch: 6 });
      expect([R.rows, R.cols]).toEqual([23, v]);
      for (const k of [0, 22]) {
        for (let i = 0; i < v; i++) {
          let z = P.b2[i];
          for (let j = 0; j < h; j++) z += P.W2[i * h + j] * H.data[k * h + j];
          expect(R.data[k * v + i]).toBeCloseTo(decoder === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : z, 5);
        }
      }
    }
  });
});

describe('oneAtATime, the guard of the asynchronous costs (parallel, onnx)', () => {
  it('refuses a theta of another length and a call before the last one finished, and frees itself after a failure', async () => {
    let release = (): void => undefined;
    const calls: number[] = [];
    const f = oneAtATime('test', 2, async (theta) => {
      calls.push(theta[0]);
      if (theta[0] < 0) throw new Error('evaluation failed');
      await new Promise<void>((r) => (release = r));
      return { cost: theta[0], grad: new Float64Array(2) };
    });
    await expect(f(new Float64Array(3))).rejects.toThrow('theta has 3 values, expected 2');
    const first = f(Float64Array.of(1, 0));
    await expect(f(Float64Array.of(2, 0))).rejects.toThrow('sparse autoencoder (test): evaluations must not overlap');
    release();
    expect((await first).cost).toBe(1);
    await expect(f(Float64Array.of(-1, 0))).rejects.toThrow('evaluation failed');
    const again = f(Float64Array.of(3, 0));
    release();
    expect((await again).cost).toBe(3);
    expect(calls).toEqual([1, -1, 3]);
  });
});

describe('data-parallel evaluation across worker threads', () => {
  it('splits rows into nearly equal contiguous shards', () => {
    expect(shardRanges(10, 3)).toEqual([{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 10 }]);
    expect(shardRanges(2, 5)).toEqual([{ start: 0, end: 1 }, { start: 1, end: 2 }]);
    expect(workerCount(3)).toBe(3);
    expect(workerCount(undefined, { SFL_WORKERS: '1' })).toBe(1);
    expect(workerCount(0)).toBe(1);
  });

  for (const [decoder, workers] of [['sigmoid', 2], ['linear', 3]] as const) {
    it(`${decoder} decoder, ${workers} workers: equals the single-process cost and gradient`, async () => {
      const opts: SaeOptions = { visible: 30, hidden: 11, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder };
      const X = randomData(301, 30, decoder, 10);
      const single = sparseAutoencoderCost(X, opts);
      const par = await sparseAutoencoderCostParallel(X, opts, { workers });
      try {
        expect(par.workers).toBe(workers);
        for (const seed of [1, 2, 3]) {
          const theta = randomTheta(30, 11, seed);
          const a = await single(theta);
          const b = await par(theta);
          expect(Math.abs(a.cost - b.cost) / a.cost).toBeLessThan(1e-6);
          expect(relDiff(b.grad, a.grad)).toBeLessThan(1e-5);
        }
      } finally {
        single.dispose();
        await par.dispose();
      }
    });
  }

  it('worker errors reject instead of hanging; a disposed evaluator rejects', async () => {
    const X = randomData(20, 5, 'sigmoid', 1);
    await expect(ShardPool.open({ ...SAE_SHARD_MODEL, factory: 'noSuchModel' }, X, {}, { workers: 1 })).rejects.toThrow(/unknown model/);
    const par = await sparseAutoencoderCostParallel(X, { visible: 5, hidden: 2, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'sigmoid' }, { workers: 2 });
    await expect(par(new Float64Array(4))).rejects.toThrow(/expected/);
    const ok = await par(randomTheta(5, 2, 1));
    expect(Number.isFinite(ok.cost)).toBe(true);
    await par.dispose();
    await expect(par(randomTheta(5, 2, 1))).rejects.toThrow(/dispose/);
  });

  it('a method a worker does not know rejects with the worker\'s message, and the pool stays usable', async () => {
    const X = randomData(20, 5, 'sigmoid', 1);
    const theta = new Float32Array(new SharedArrayBuffer(paramCount(5, 2) * 4));
    const pool = await ShardPool.open(SAE_SHARD_MODEL, X, { visible: 5, hidden: 2, decoder: 'sigmoid', theta: theta.buffer }, { workers: 2 });
    try {
      await expect(pool.call('nope')).rejects.toThrow(/unknown method nope/);
      const r = await pool.call<{ m: number }>('phase1');
      expect(r.map((p) => p.m)).toEqual([10, 10]);
    } finally {
      await pool.dispose();
    }
  });
});

describe('cross-check with the numpy peer on MNIST', () => {
  /**
   * Printed by the numpy peer (../shared/peers/sae_numpy.py) as cost_at_fixed_point, with
   * `python3 ../shared/peers/sae_numpy.py --iters 0 --evals 1` (float64, first 10,000 training
   * images, 196 hidden, weightDecay 3e-3, beta 3, rho 0.1).
   */
  const PEER_COST_AT_FIXED_POINT = 310.8742432;

  const given = process.env.SFL_MNIST_DIR;
  const dir = given && existsSync(given) ? given : undefined;
  if (!dir) {
    console.warn(
      `skipped: ${given ? `SFL_MNIST_DIR=${given} does not exist` : 'set SFL_MNIST_DIR to the MNIST folder'}; ` +
        'it is needed to cross-check the sparse autoencoder with the numpy peer',
    );
  }

  it.skipIf(!dir)('our cost at the peer\'s fixed point equals the peer\'s to 1e-4 relative, in this thread and across 2 workers', async () => {
    if (!dir) return;
    const { images } = loadMnist(dir, 'train', { limit: 10000 });
    expect(images.rows).toBe(10000);
    const v = 784, h = 196;
    const f = sparseAutoencoderCost(images, { visible: v, hidden: h, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'sigmoid' });
    const theta = peerFixedPoint(v, h);
    let single: Awaited<ReturnType<typeof f>>;
    try {
      single = await f(theta);
      expect(Math.abs(single.cost - PEER_COST_AT_FIXED_POINT) / PEER_COST_AT_FIXED_POINT).toBeLessThan(1e-4);
      expect(single.grad.every(Number.isFinite)).toBe(true);
    } finally {
      f.dispose();
    }
    // The data-parallel evaluator at full size: same cost, same gradient.
    const par = await sparseAutoencoderCostParallel(images, { visible: v, hidden: h, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'sigmoid' }, { workers: 2 });
    try {
      const r = await par(theta);
      expect(Math.abs(r.cost - PEER_COST_AT_FIXED_POINT) / PEER_COST_AT_FIXED_POINT).toBeLessThan(1e-4);
      expect(Math.abs(r.cost - single.cost) / single.cost).toBeLessThan(1e-6);
      expect(relDiff(r.grad, single.grad)).toBeLessThan(1e-5);
    } finally {
      await par.dispose();
    }
  });
});
