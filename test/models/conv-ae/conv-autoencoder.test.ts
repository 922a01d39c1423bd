import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/compute/backend.ts';
import {
  autoencoderSpecs, classifierCost, classifierSpecs, classifierTensors, convAePredict, costAndGradient, featureSize, firstLayerFilters,
  initAutoencoder, keepPoolMax, layerShapes, paramCount, reconstructionCost, trainConvAe, unpack, type ConvAeShape,
} from '../../../src/models/conv-ae/conv-autoencoder.ts';
import { conv2dValid, maxPool2d } from '../../../src/models/conv/conv2d.ts';
import { gradientCheck } from '../../../src/optim/gradient-check.ts';
import type { CostFunction } from '../../../src/optim/types.ts';
import { fillNormal, mulberry32 } from '../../../src/util/random.ts';

beforeAll(async () => {
  await initBackend();
});

function randomData(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(fillNormal(mulberry32(seed), new Float32Array(n)), shape);
}

function randomTheta(n: number, seed: number, scale = 0.3): Float64Array {
  return fillNormal(mulberry32(seed), new Float64Array(n), 0, scale);
}

describe('layer shapes', () => {
  const fsdd: ConvAeShape = { height: 48, width: 40, channels: 1, filters: [16, 32], kernel: [5, 5], pool: [2, 2], classes: 10 };

  it('follow valid convolution and non-overlapping pooling, layer by layer', () => {
    expect(layerShapes(fsdd)).toEqual([
      { inH: 48, inW: 40, inC: 1, convH: 44, convW: 36, outH: 22, outW: 18, filters: 16 },
      { inH: 22, inW: 18, inC: 16, convH: 18, convW: 14, outH: 9, outW: 7, filters: 32 },
    ]);
    expect(featureSize(fsdd)).toBe(9 * 7 * 32);
    expect(paramCount(classifierSpecs(fsdd))).toBe(5 * 5 * 16 + 16 + 5 * 5 * 16 * 32 + 32 + 2016 * 10 + 10);
    expect(paramCount(autoencoderSpecs(fsdd, 1, true))).toBe(5 * 5 * 16 * 32 + 32 + 16);
    expect(paramCount(autoencoderSpecs(fsdd, 1, false))).toBe(2 * 5 * 5 * 16 * 32 + 32 + 16);
  });

  it('an input too small for the kernels and pools is refused with a sentence naming the layer', () => {
    expect(() => layerShapes({ ...fsdd, height: 12 })).toThrow(/layer 2 does not fit: the 4 x 18 maps that layer 1 passes up leave 0 x 14 after a 5 x 5 kernel/);
    expect(() => layerShapes({ ...fsdd, height: 4 })).toThrow(/layer 1 does not fit: the 4 x 40 input leaves 0 x 36/);
    expect(() => layerShapes({ ...fsdd, filters: [] })).toThrow(/one per layer/);
  });
});

describe('pooling with a mask', () => {
  it('keepPoolMax keeps the maximum of each region and zeros the rest and the rows pooling drops', async () => {
    const x = tf.tensor4d([1, 5, 2, 0, 3, 4, 9, 8, 7, 7, 1, 6, 6, 6, 6], [1, 3, 5, 1]);
    const kept = await keepPoolMax(x, [2, 2]).data();
    // Regions (rows 0-1) x (columns 0-1, 2-3); row 2 and column 4 are dropped.
    expect(Array.from(kept)).toEqual([0, 0, 0, 0, 0, 0, 9, 8, 0, 0, 0, 0, 0, 0, 0]);
    x.dispose();
  });

  it('maxPool2d: the maximum of each region, and its gradient routed to where the maximum is', async () => {
    const [n, H, W, C] = [2, 7, 6, 3];
    const x = randomData([n, H, W, C], 4);
    const probe = randomData([n, 3, 3, C], 5);
    const xs = await x.data(), ps = await probe.data();
    const expectValue = new Float32Array(n * 9 * C), expectGrad = new Float32Array(n * H * W * C);
    const at = (i: number, r: number, c: number, ch: number) => ((i * H + r) * W + c) * C + ch;
    for (let i = 0; i < n; i++) for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let ch = 0; ch < C; ch++) {
      let best = at(i, 2 * r, 2 * c, ch);
      for (const [dr, dc] of [[0, 1], [1, 0], [1, 1]]) if (xs[at(i, 2 * r + dr, 2 * c + dc, ch)] > xs[best]) best = at(i, 2 * r + dr, 2 * c + dc, ch);
      const o = ((i * 3 + r) * 3 + c) * C + ch;
      expectValue[o] = xs[best];
      expectGrad[best] = ps[o];
    }
    expect(Array.from(await maxPool2d(x, [2, 2]).data())).toEqual(Array.from(expectValue));
    const grad = await tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2d(a as tf.Tensor4D, [2, 2]), probe)))(x).data();
    // (The wasm backend's own MaxPoolGrad gets this wrong where a region's maximum is negative.)
    expect(Array.from(grad, (v) => v + 0)).toEqual(Array.from(expectGrad, (v) => v + 0)); // -0 and 0 alike
    tf.dispose([x, probe]);
  });
});

// A tiny autoencoder layer: 3 examples of 8 x 7 x 2, a 3 x 2 kernel, 3 filters, 2 x 2 pooling.
const tiny: ConvAeShape = { height: 8, width: 7, channels: 2, filters: [3], kernel: [3, 2], pool: [2, 2], classes: 2 };

function autoencoderCost(tied: boolean, x: tf.Tensor4D, input: tf.Tensor4D, weightDecay: number): CostFunction {
  const specs = autoencoderSpecs(tiny, 0, tied);
  return (theta) => costAndGradient(theta, specs, ([W, b, c, V]) => reconstructionCost(x, input, { W, b, c, V }, tiny.pool, weightDecay));
}

/** Which hidden values the decoder sees (relu on and the maximum of their pooling region), at theta. */
function keptPattern(theta: Float64Array, tied: boolean, input: tf.Tensor4D): string {
  const p = unpack(Float32Array.from(theta), autoencoderSpecs(tiny, 0, tied));
  return tf.tidy(() => {
    const h = tf.relu(tf.add(conv2dValid(input, tf.tensor4d(p.W, [3, 2, 2, 3]), false), tf.tensor1d(p.b))) as tf.Tensor4D;
    return Array.from(keepPoolMax(h, tiny.pool).dataSync(), (v) => (v > 0 ? 1 : 0)).join('');
  });
}

/**
 * The coordinates where a step of +-eps leaves the kept pattern alone. Elsewhere the cost is not
 * differentiable: when the maximum of a pooling region moves to another position the decoder
 * reconstructs from a different place, so the cost jumps (Masci et al.'s max-only code does that).
 */
function smoothCoordinates(theta: Float64Array, tied: boolean, input: tf.Tensor4D, eps: number): number[] {
  const at = keptPattern(theta, tied, input);
  const out: number[] = [];
  const t = Float64Array.from(theta);
  for (let i = 0; i < theta.length; i++) {
    const same = [eps, -eps].every((d) => {
      t[i] = theta[i] + d;
      const ok = keptPattern(t, tied, input) === at;
      t[i] = theta[i];
      return ok;
    });
    if (same) out.push(i);
  }
  return out;
}

describe('the convolutional autoencoder cost', () => {
  const eps = 1e-3;
  for (const tied of [true, false]) {
    it(`${tied ? 'tied' : 'untied'} decoder, with denoising: passes a numerical gradient check wherever it is differentiable`, async () => {
      const x = randomData([3, 8, 7, 2], 1);
      const input = tf.mul(x, tf.step(tf.sub(tf.randomUniform(x.shape, 0, 1, 'float32', 7), 0.25))) as tf.Tensor4D;
      const theta = initAutoencoder(tiny, 0, tied, 3);
      // Nonzero biases, so the relu and the max switches are exercised.
      const p = unpack(theta, autoencoderSpecs(tiny, 0, tied));
      p.b.set([0.1, -0.2, 0.05]);
      p.c.set([0.3, -0.1]);
      const indices = smoothCoordinates(theta, tied, input, eps);
      // Most coordinates: every bias and decoder weight, and most encoder filter weights.
      expect(indices.length).toBeGreaterThan(0.8 * theta.length);
      const r = await gradientCheck(autoencoderCost(tied, x, input, 1e-2), theta, { epsilon: eps, indices });
      // float32 cost: measured 5e-4 (35 of 41 coordinates tied, 71 of 77 untied); wrong terms give 3e-2 and more (below).
      expect(r.relativeError).toBeLessThan(2e-3);
      tf.dispose([x, input]);
    });
  }

  it('the check fails a tied gradient that forgets the decoder\'s use of W, or the weight decay', async () => {
    const x = randomData([3, 8, 7, 2], 1);
    const theta = initAutoencoder(tiny, 0, true, 3);
    const f = autoencoderCost(true, x, x, 2);
    // The gradient of W taken as if the decoder had its own copy of it (V = W): encoder term only.
    const untied = autoencoderCost(false, x, x, 2);
    const nW = 3 * 2 * 2 * 3;
    const withV = new Float64Array(theta.length + nW);
    withV.set(theta);
    withV.set(theta.subarray(0, nW), theta.length);
    const encoderOnly = (await untied(withV)).grad.slice(0, theta.length);
    // The gradient without the weight decay.
    const noDecay = (await autoencoderCost(true, x, x, 0)(theta)).grad;
    const indices = smoothCoordinates(theta, true, x, eps);
    for (const [name, grad] of [['decoder term missing', encoderOnly], ['weight decay missing', noDecay]] as const) {
      const r = await gradientCheck(async (t) => ({ cost: (await f(t)).cost, grad }), theta, { epsilon: eps, indices });
      expect(r.relativeError, name).toBeGreaterThan(1e-2);
    }
    x.dispose();
  });
});

// A tiny classifier: 12 x 10 pictures, 2 and 3 filters of 3 x 3, 2 x 2 pooling -> 1 x 2 x 3 features, 3 classes.
const net: ConvAeShape = { height: 12, width: 10, channels: 1, filters: [2, 3], kernel: [3, 3], pool: [2, 2], classes: 3 };

describe('the fine-tuning cost', () => {
  const specs = classifierSpecs(net);
  const cost = (x: tf.Tensor4D, y: tf.Tensor2D, weightDecay: number): CostFunction => (theta) =>
    costAndGradient(theta, specs, (p) => classifierCost(x, y, classifierTensors(p), net.pool, weightDecay));

  it('passes a numerical gradient check through both convolution layers, pooling and the softmax', async () => {
    const x = randomData([4, 12, 10, 1], 2);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3).toFloat() as tf.Tensor2D;
    const theta = randomTheta(paramCount(specs), 9);
    // epsilon 1e-3: large enough for the float32 cost, small enough to cross few relu and max kinks.
    const r = await gradientCheck(cost(x, y, 1e-2), theta, { epsilon: 1e-3 });
    expect(r.relativeError).toBeLessThan(2e-3); // measured 2e-4
    // ... and fails a gradient without the first layer's filter term.
    const wrong = (await cost(x, y, 1e-2)(theta)).grad;
    wrong.fill(0, 0, 3 * 3 * 1 * 2);
    const r2 = await gradientCheck(async (t) => ({ cost: (await cost(x, y, 1e-2)(t)).cost, grad: wrong }), theta, { epsilon: 1e-3 });
    expect(r2.relativeError).toBeGreaterThan(1e-2);
    tf.dispose([x, y]);
  });
});

/** Two classes of 12 x 10 pictures: horizontal or vertical bars at random places, plus noise. */
function bars(n: number, seed: number): { x: tf.Tensor4D; y: Int32Array } {
  const rng = mulberry32(seed);
  const data = fillNormal(rng, new Float32Array(n * 120), 0, 0.3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    const at = 1 + Math.floor(rng() * 8);
    for (let k = 0; k < 10; k++) {
      const [r, c] = y[i] === 0 ? [at, k] : [k + 1, at];
      data[i * 120 + r * 10 + c] += 2;
    }
  }
  return { x: tf.tensor4d(data, [n, 12, 10, 1]), y };
}

describe('training', () => {
  it('lowers every stage\'s cost, classifies the bars, and leaves no tensors behind', async () => {
    const { x, y } = bars(128, 1);
    const { x: xt, y: yt } = bars(32, 2);
    const before = tf.memory().numTensors;
    const counts = new Set<number>();
    const shape: ConvAeShape = { ...net, classes: 2 };
    const r = await trainConvAe(x, y, {
      shape,
      pretrainEpochs: 8,
      fineTuneEpochs: 8,
      batchSize: 16,
      learningRate: 1e-2,
      corruption: 0.2,
      weightDecay: 1e-4,
      tied: true,
      softmax: { weightDecay: 1e-4, maxIter: 50 },
      seed: 1,
      onStep: () => counts.add(tf.memory().numTensors),
    });
    expect(tf.memory().numTensors).toBe(before);
    // Between steps of any stage the count is one of a few constants (the frozen layers, the labels), never growing.
    expect(counts.size).toBeLessThanOrEqual(4);
    for (const stage of ['layer 1', 'layer 2', 'fine-tune']) {
      const h = r.history[stage];
      expect(h.length, stage).toBe(8);
      expect(h[h.length - 1], stage).toBeLessThan(0.8 * h[0]);
    }
    expect(r.model).not.toBe(r.pretrained);
    const acc = (m: typeof r.model) => convAePredict(m, xt).reduce((a, p, i) => a + (p === yt[i] ? 1 : 0), 0) / yt.length;
    expect(acc(r.model)).toBeGreaterThan(0.9);
    // Bars give bar-like first-layer filters: 2 filters of 3 x 3.
    const F = firstLayerFilters(r.model);
    expect([F.rows, F.cols]).toEqual([2, 9]);
    tf.dispose([x, xt]);
  }, 60_000);

  it('is reproducible from its seed', async () => {
    const { x, y } = bars(32, 3);
    const opts = {
      shape: { ...net, classes: 2 }, pretrainEpochs: 1, fineTuneEpochs: 1, batchSize: 16, learningRate: 1e-2, corruption: 0.3, weightDecay: 0, tied: false,
      softmax: { weightDecay: 1e-4, maxIter: 10 }, seed: 5,
    };
    const a = await trainConvAe(x, y, opts);
    const b = await trainConvAe(x, y, opts);
    expect(Array.from(a.model.theta)).toEqual(Array.from(b.model.theta));
    x.dispose();
  }, 30_000);
});
