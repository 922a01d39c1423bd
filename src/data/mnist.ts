import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SflError } from '../util/errors.ts';
import type { Matrix } from '../compute/matrix.ts';
import { IDX_MAGIC_IMAGES, IDX_MAGIC_LABELS, readIdx } from './idx.ts';
import { cachedMnistDir } from './mnist-cache.ts';

export type MnistPart = 'train' | 'test';

/** MNIST images as one row of 784 pixels per image. */
export interface MnistSet {
  /** n x 784, row-major 28 x 28 pixels per row, float32 scaled to [0, 1] (byte / 255). */
  images: Matrix;
  /** n class ids 0..9, aligned with the rows of `images`. */
  labels: Uint8Array;
  rows: 28;
  cols: 28;
}

export interface MnistLoadOptions {
  /** First image to take (default 0). */
  offset?: number;
  /** Most images to take (default: all from `offset` on). */
  limit?: number;
}

/** The official file names, without .gz. */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/**
 * The path of one MNIST file in `dir`: the .gz file if present, else the uncompressed one (also
 * under the 'train-images.idx3-ubyte' spelling some mirrors use). SflError if none exists.
 */
export function mnistFile(dir: string, base: string): string {
  const candidates = [`${base}.gz`, base, base.replace(/-idx/, '.idx')];
  for (const name of candidates) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new SflError(`MNIST file ${base}.gz not found (nor an uncompressed ${base})`, dir);
}

/**
 * Loads the MNIST training or test images with their labels from `dir` (the four idx files,
 * gzipped or not). Checks magic numbers, sizes, and that images and labels agree in count.
 */
export function loadMnist(dir: string, part: MnistPart, opts: MnistLoadOptions = {}): MnistSet {
  const names = MNIST_FILES[part];
  const imagesPath = mnistFile(dir, names.images);
  const labelsPath = mnistFile(dir, names.labels);
  const images = readIdx(imagesPath, IDX_MAGIC_IMAGES);
  const labels = readIdx(labelsPath, IDX_MAGIC_LABELS);
  const [n, rows, cols] = images.dims;
  if (rows !== 28 || cols !== 28) throw new SflError(`expected 28 x 28 images, found ${rows} x ${cols}`, imagesPath);
  if (labels.dims[0] !== n) {
    throw new SflError(`${labels.dims[0]} labels for ${n} images in ${imagesPath}`, labelsPath);
  }

  const offset = opts.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > n) {
    throw new SflError(`offset ${offset} is outside 0..${n}`, imagesPath);
  }
  const limit = opts.limit ?? n - offset;
  if (!Number.isInteger(limit) || limit < 0) throw new SflError(`limit must be a whole number >= 0, got ${limit}`);
  const count = Math.min(limit, n - offset);

  const pixels = 28 * 28;
  const src = images.data.subarray(offset * pixels, (offset + count) * pixels);
  const data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = src[i] / 255;

  const labelData = labels.data.slice(offset, offset + count);
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i] > 9) throw new SflError(`label ${labelData[i]} at position ${offset + i} is not a digit 0-9`, labelsPath);
  }
  return { images: { data, rows: count, cols: pixels }, labels: labelData, rows: 28, cols: 28 };
}

/**
 * The MNIST folder to use: `flag` (from --mnist DIR) if given, else $SFL_MNIST_DIR, else the
 * download cache of `sfl data mnist` when it holds the files; SflError if none applies or the
 * folder does not exist.
 */
export function resolveMnistDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromFlag = flag !== undefined && flag !== '';
  const dir = fromFlag ? flag : env.SFL_MNIST_DIR;
  if (!dir) {
    const cached = cachedMnistDir(env);
    if (cached) return cached;
    throw new SflError(
      'no MNIST folder given: pass --mnist DIR or set SFL_MNIST_DIR to a folder holding ' +
        'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz, ' +
        'or download them with `sfl data mnist`',
    );
  }
  const source = fromFlag ? '--mnist' : 'SFL_MNIST_DIR';
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new SflError(`MNIST folder not found (from ${source})`, dir);
  if (!stat.isDirectory()) throw new SflError(`not a folder (from ${source})`, dir);
  return dir;
}
