/**
 * Writes the small MNIST fixture committed under test/fixtures/mnist: the first --train (1000)
 * training and first --test (200) test images and labels, as gzip idx files with the official
 * names, so the same reader (src/data/mnist.ts) loads the fixture and the full set.
 *
 *   npx tsx scripts/make-mnist-fixture.ts --mnist DIR [--out test/fixtures/mnist] [--train 1000] [--test 200]
 *
 * DIR defaults to $SFL_MNIST_DIR. The output is byte-for-byte reproducible.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { IDX_MAGIC_IMAGES, IDX_MAGIC_LABELS, readIdx, writeIdx } from '../src/data/idx.ts';
import { MNIST_FILES, mnistFile, resolveMnistDir } from '../src/data/mnist.ts';
import { SflError } from '../src/util/errors.ts';

const { values } = parseArgs({
  options: {
    mnist: { type: 'string' },
    out: { type: 'string', default: 'test/fixtures/mnist' },
    train: { type: 'string', default: '1000' },
    test: { type: 'string', default: '200' },
  },
});

try {
  const src = resolveMnistDir(values.mnist);
  const counts = { train: Number(values.train), test: Number(values.test) };
  for (const part of ['train', 'test'] as const) {
    const n = counts[part];
    if (!Number.isInteger(n) || n <= 0) throw new SflError(`--${part} must be a positive whole number, got ${values[part]}`);
    const names = MNIST_FILES[part];
    // Raw bytes are copied (not the float images of loadMnist), so the fixture is exact.
    const images = readIdx(mnistFile(src, names.images), IDX_MAGIC_IMAGES);
    const labels = readIdx(mnistFile(src, names.labels), IDX_MAGIC_LABELS);
    const [, rows, cols] = images.dims;
    const take = Math.min(n, images.dims[0]);
    const imagesOut = join(values.out, `${names.images}.gz`);
    const labelsOut = join(values.out, `${names.labels}.gz`);
    writeIdx(imagesOut, [take, rows, cols], images.data.subarray(0, take * rows * cols));
    writeIdx(labelsOut, [take], labels.data.subarray(0, take));
    for (const path of [imagesOut, labelsOut]) console.log(`${path}: ${statSync(path).size} bytes`);
  }
} catch (err) {
  if (err instanceof SflError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
