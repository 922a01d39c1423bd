/** Inputs of the experiments: MNIST images, and spectra and windows of audio files. */
import type { Matrix } from '../compute/matrix.ts';
import { columnFrequencies } from '../audio/axis.ts';
import { loadMnist } from '../data/mnist.ts';
import { sampleWindows } from '../features/sampler.ts';
import { SflError } from '../util/errors.ts';
import type { SpectraResult } from './spectra.ts';
import type { InputDescription } from '../features/input-description.ts';

/** MNIST images of the chosen digits (in file order), the first `count` of them. */
export function mnistImages(dir: string, opts: { split?: 'train' | 'test'; digits?: number[]; count?: number | null } = {}) {
  const set = loadMnist(dir, opts.split ?? 'train');
  const digits = new Set(opts.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const want = opts.count ?? Infinity;
  const rows: number[] = [];
  for (let i = 0; i < set.labels.length && rows.length < want; i++) if (digits.has(set.labels[i])) rows.push(i);
  if (rows.length === 0) throw new SflError(`no MNIST ${opts.split ?? 'train'} images of digits ${[...digits].join(',')}`);
  const d = set.images.cols;
  const data = new Float32Array(rows.length * d);
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    data.set(set.images.data.subarray(r * d, (r + 1) * d), i * d);
    labels[i] = set.labels[r];
  });
  const X: Matrix = { data, rows: rows.length, cols: d };
  const input: InputDescription = { kind: 'image', width: set.cols, height: set.rows };
  return { X, labels, input };
}

/** Random spectro-temporal windows (count x K*bands) from spectrograms, for unsupervised learning. */
export function audioWindows(res: Pick<SpectraResult, 'spectra' | 'params'>, opts: { frames: number; count: number; seed: number }) {
  const X = sampleWindows(res.spectra, { count: opts.count, frames: opts.frames, seed: opts.seed });
  const bands = res.spectra[0].cols;
  const input: InputDescription = {
    kind: 'spectro-temporal',
    frames: opts.frames,
    bands,
    spectrum: res.params,
    bandHz: columnFrequencies(res.params),
  };
  return { X, input };
}
