import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadMnist, resolveMnistDir } from '../../src/data/mnist.ts';
import { readIdx, writeIdx } from '../../src/data/idx.ts';
import { SflError } from '../../src/util/errors.ts';
import { MNIST_FIXTURE_DIR, tempDir } from './helpers.ts';

describe('MNIST fixture', () => {
  it('loads 1,000 training images of 784 pixels in [0, 1], labels 0-9, first label 5', () => {
    const set = loadMnist(MNIST_FIXTURE_DIR, 'train');
    expect(set.images.rows).toBe(1000);
    expect(set.images.cols).toBe(784);
    expect(set.images.data).toBeInstanceOf(Float32Array);
    expect(set.images.data.length).toBe(1000 * 784);
    expect([set.rows, set.cols]).toEqual([28, 28]);
    expect(set.labels).toHaveLength(1000);
    expect(set.labels[0]).toBe(5);
    expect(new Set(set.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    let min = Infinity;
    let max = -Infinity;
    for (const v of set.images.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it('loads the 200 test images (first test label is 7)', () => {
    const set = loadMnist(MNIST_FIXTURE_DIR, 'test');
    expect(set.images.rows).toBe(200);
    expect(set.labels[0]).toBe(7);
  });

  it('takes a window with offset and limit', () => {
    const all = loadMnist(MNIST_FIXTURE_DIR, 'train');
    const part = loadMnist(MNIST_FIXTURE_DIR, 'train', { offset: 10, limit: 5 });
    expect(part.images.rows).toBe(5);
    expect(Array.from(part.labels)).toEqual(Array.from(all.labels.slice(10, 15)));
    expect(part.images.data).toEqual(all.images.data.slice(10 * 784, 15 * 784));
    expect(loadMnist(MNIST_FIXTURE_DIR, 'train', { offset: 990, limit: 50 }).images.rows).toBe(10);
    expect(() => loadMnist(MNIST_FIXTURE_DIR, 'train', { offset: 1001 })).toThrow(/offset 1001 is outside 0\.\.1000/);
  });

  it('reads uncompressed idx files too', () => {
    const dir = tempDir();
    for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(join(dir, name), gunzipSync(readFileSync(join(MNIST_FIXTURE_DIR, `${name}.gz`))));
    }
    const set = loadMnist(dir, 'test', { limit: 3 });
    expect(set.images.data).toEqual(loadMnist(MNIST_FIXTURE_DIR, 'test', { limit: 3 }).images.data);
  });
});

describe('MNIST errors name the file', () => {
  it('wrong magic', () => {
    const dir = tempDir();
    copyFileSync(join(MNIST_FIXTURE_DIR, 'train-labels-idx1-ubyte.gz'), join(dir, 'train-labels-idx1-ubyte.gz'));
    // A labels file where the images file should be: magic 2049 instead of 2051.
    copyFileSync(join(MNIST_FIXTURE_DIR, 'train-labels-idx1-ubyte.gz'), join(dir, 'train-images-idx3-ubyte.gz'));
    const path = join(dir, 'train-images-idx3-ubyte.gz');
    expect(() => loadMnist(dir, 'train')).toThrow(SflError);
    expect(() => loadMnist(dir, 'train')).toThrow(`${path}: bad magic 0x00000801 expected 2051 (idx3 images)`);
  });

  it('truncated data', () => {
    const dir = tempDir();
    const path = join(dir, 'x.gz');
    writeIdx(path, [3], new Uint8Array([1, 2, 3]));
    expect(readIdx(path, 2049).dims).toEqual([3]);
    const bytes = gunzipSync(readFileSync(path));
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    expect(() => readIdx(path, 2049)).toThrow(`${path}: header says 3 = 3 bytes of data but the file holds 2 (truncated?)`);
  });

  it('missing files and counts that disagree', () => {
    const dir = tempDir();
    expect(() => loadMnist(dir, 'test')).toThrow(/t10k-images-idx3-ubyte\.gz not found/);
    writeIdx(join(dir, 't10k-images-idx3-ubyte.gz'), [2, 28, 28], new Uint8Array(2 * 784));
    writeIdx(join(dir, 't10k-labels-idx1-ubyte.gz'), [3], new Uint8Array(3));
    expect(() => loadMnist(dir, 'test')).toThrow(/t10k-labels-idx1-ubyte\.gz: 3 labels for 2 images/);
  });
});

describe('resolveMnistDir', () => {
  it('prefers the flag, then SFL_MNIST_DIR, else tells the user what to do', () => {
    expect(resolveMnistDir(MNIST_FIXTURE_DIR, { SFL_MNIST_DIR: '/elsewhere' })).toBe(MNIST_FIXTURE_DIR);
    expect(resolveMnistDir(undefined, { SFL_MNIST_DIR: MNIST_FIXTURE_DIR })).toBe(MNIST_FIXTURE_DIR);
    expect(() => resolveMnistDir(undefined, {})).toThrow(/pass --mnist DIR or set SFL_MNIST_DIR/);
    expect(() => resolveMnistDir('no/such/dir', {})).toThrow('no/such/dir: MNIST folder not found (from --mnist)');
  });
});

// The full set is reached only through SFL_MNIST_DIR (CI sets it); without it these tests skip, loudly.
const fullDir = process.env.SFL_MNIST_DIR;
const haveFull = !!fullDir && existsSync(fullDir);
if (!haveFull) {
  console.warn(`skipping full-MNIST tests: ${fullDir ? `SFL_MNIST_DIR=${fullDir} does not exist` : 'SFL_MNIST_DIR is not set'}`);
}

describe.skipIf(!haveFull)('full MNIST (SFL_MNIST_DIR)', () => {
  it('has 60,000 training images with mean pixel 0.1307 and 10,000 test images', () => {
    const train = loadMnist(fullDir!, 'train');
    expect(train.images.rows).toBe(60000);
    expect(train.labels).toHaveLength(60000);
    const pixels = train.images.data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i++) sum += pixels[i];
    expect(sum / pixels.length).toBeCloseTo(0.1307, 4);
    const test = loadMnist(fullDir!, 'test');
    expect(test.images.rows).toBe(10000);
    expect(test.labels[0]).toBe(7);
  });

  it('starts with the same images as the committed fixture', () => {
    const full = loadMnist(fullDir!, 'test', { limit: 200 });
    const fixture = loadMnist(MNIST_FIXTURE_DIR, 'test');
    // Byte comparison: toEqual walks 156,800 floats one by one, which takes a second.
    expect(Buffer.from(full.images.data.buffer).equals(Buffer.from(fixture.images.data.buffer))).toBe(true);
    expect(Buffer.from(full.labels).equals(Buffer.from(fixture.labels))).toBe(true);
  });
});
