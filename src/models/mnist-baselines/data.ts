/**
 * The tutorials' MNIST protocol on the device: the first `trainCount` training images for
 * training, the next `validCount` (the last 10,000 of the 60,000) for validation, and the test
 * file for the reported error.
 *
 * Minibatches and evaluation blocks are uploaded once as separate tensors, cut from the host
 * arrays, and then stay on the device for the whole run. Cutting them on the device would cost
 * more than the training: the wasm backend's Slice kernel copies the WHOLE source tensor out of
 * wasm memory on every call (0.34 s for 600 rows of the training set), and its Gather moves
 * one element at a time (0.5 s for 10,000 rows).
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../../data/mnist.ts';
import { SflError } from '../../util/errors.ts';
import type { BaselinesConfig } from './settings.ts';

export const CLASSES = 10;

/** One part of the data on the host: n rows of `cols` pixels and n labels. */
export interface HostPart {
  x: Float32Array;
  y: Uint8Array;
  n: number;
  cols: number;
}

export interface Block {
  x: tf.Tensor2D;
  /** Class ids (for error rates). */
  labels: tf.Tensor1D;
  /** One-hot float labels (for the cost). */
  y: tf.Tensor2D;
}

export class BaselineData {
  private cache = new Map<string, Block[]>();

  constructor(
    readonly train: HostPart,
    readonly valid: HostPart,
    readonly test: HostPart,
  ) {}

  /**
   * `part` cut into consecutive blocks of `size` rows, uploaded on first use and kept. With
   * `dropLast` (minibatches, as the tutorials' n // batch_size) a short last block is left out.
   */
  blocks(part: 'train' | 'valid' | 'test', size: number, dropLast = false): Block[] {
    const key = `${part}:${size}:${dropLast}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const p = this[part];
    const count = dropLast ? Math.floor(p.n / size) : Math.ceil(p.n / size);
    const out: Block[] = [];
    for (let i = 0; i < count; i++) {
      const from = i * size;
      const m = Math.min(size, p.n - from);
      const labels = tf.tensor1d(Int32Array.from(p.y.subarray(from, from + m)), 'int32');
      out.push({
        x: tf.tensor2d(p.x.subarray(from * p.cols, (from + m) * p.cols), [m, p.cols]),
        labels,
        y: tf.tidy(() => tf.cast(tf.oneHot(labels, CLASSES), 'float32') as tf.Tensor2D),
      });
    }
    this.cache.set(key, out);
    return out;
  }

  /** Frees the blocks of one size (e.g. training minibatches when a phase ends). */
  release(part: 'train' | 'valid' | 'test', size: number, dropLast = false): void {
    const key = `${part}:${size}:${dropLast}`;
    for (const b of this.cache.get(key) ?? []) tf.dispose([b.x, b.labels, b.y]);
    this.cache.delete(key);
  }

  dispose(): void {
    for (const blocks of this.cache.values()) for (const b of blocks) tf.dispose([b.x, b.labels, b.y]);
    this.cache.clear();
  }
}

export function loadBaselineData(dir: string, c: Pick<BaselinesConfig, 'trainCount' | 'validCount' | 'testCount'>): BaselineData {
  const need = c.trainCount + c.validCount;
  const train = loadMnist(dir, 'train', { limit: need });
  if (train.images.rows < need) {
    throw new SflError(
      `the MNIST training file holds ${train.images.rows} images, fewer than baselines.trainCount + baselines.validCount = ${need}`,
      dir,
    );
  }
  const test = loadMnist(dir, 'test', c.testCount === null ? {} : { limit: c.testCount });
  const cols = train.images.cols;
  const part = (x: Float32Array, y: Uint8Array, from: number, n: number): HostPart => ({
    x: x.subarray(from * cols, (from + n) * cols),
    y: y.subarray(from, from + n),
    n,
    cols,
  });
  return new BaselineData(
    part(train.images.data, train.labels, 0, c.trainCount),
    part(train.images.data, train.labels, c.trainCount, c.validCount),
    part(test.images.data, test.labels, 0, test.images.rows),
  );
}
