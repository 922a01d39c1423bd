/**
 * Where `sfl data mnist` keeps the MNIST files, so later runs find them without --mnist or
 * SFL_MNIST_DIR: $XDG_CACHE_HOME/sfl/mnist, else ~/.cache/sfl/mnist (the XDG default).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function mnistCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'sfl', 'mnist');
}

/**
 * The four gzipped file names, as the mirrors serve them (spelled out rather than taken from
 * mnist.ts, which imports this module).
 */
export const MNIST_GZ_FILES: readonly string[] = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];

/** The cache folder if a download has completed there (all four files present), else undefined. */
export function cachedMnistDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = mnistCacheDir(env);
  return MNIST_GZ_FILES.every((f) => existsSync(join(dir, f))) ? dir : undefined;
}
