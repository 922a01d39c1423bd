/**
 * Convolution and pooling with learned features (UFLDL's "convolution and pooling", for
 * spectrograms and images). A sparse autoencoder learned on small patches is a bank of local
 * detectors; convolution applies every detector at every position of a whole input.
 *
 * The autoencoder sees preprocessed patches, z = A x + c (normalisation and whitening are affine),
 * and its hidden unit j computes sigmoid(W1_j . z + b1_j). Folding the preprocessing into the
 * filters gives one linear filter per unit on the raw patch:
 *
 *   F = W1 A            (hidden x d)      b = b1 + W1 c            (hidden)
 *
 * so the feature map of unit j over an input is sigmoid(conv(input, F_j) + b_j): tf.conv2d does all
 * positions at once, and its value at position p equals the autoencoder's activation for the patch
 * at p (a test checks this to float tolerance).
 *
 * Layouts. A patch vector reads as a kh x kw row-major picture (index y * kw + x), which is both the
 * image patch layout (rows of pixels) and the spectro-temporal window layout (features/sampler.ts:
 * index t * bands + b, frames down, bands across). Inputs are NHWC tensors with H = image rows or
 * spectrogram frames (time) and W = image columns or bands (frequency), so a filter's kernel is
 * kernel[y][x][0][j] = F[j][y * kw + x]. tf.conv2d is a cross-correlation (no flip), as wanted.
 */
import * as tf from '@tensorflow/tfjs';
import { matrix, type Matrix } from '../../compute/matrix.ts';
import { hiddenFromLength, unpackParams } from '../sae/sparse-autoencoder.ts';
import { SflError } from '../../util/errors.ts';
import { composedAffine, type AffineStage, type Preprocessor } from '../../features/preprocess.ts';
import type { RowRange } from '../../features/pooling.ts';

/**
 * The preprocessing's affine part: z = A x + c, with A row-major (out x in), composed from the
 * fitted stages in float64 (Preprocessor.stages). rescale01's clip is the one stage that is not
 * affine; it is left out, so for rescale01 this is the map on values inside the clip range.
 *
 * Why the clip may be left out of convolution features: the folded filters are the only way sfl
 * computes them, in training (mnist-conv.ts, recording-features.ts), in `sfl classify`
 * (trained-run.ts) and in both exports (tfjs-export.ts and onnx-export.ts take the same
 * pipeline-parts filters), so a conv run's classifier always sees the features it was trained on.
 * They differ from the autoencoder's own activations only where a patch value lies beyond
 * +-3 standard deviations (rescale01's clip): about 3 in a million values of MNIST's 8 x 8
 * patches. (This map was once read by probing transform with unit vectors: for MNIST's
 * patches the probe 1 - 1/64 itself lay beyond the clip, and the filters came out 0.8% off.)
 */
export function preprocessorAffine(p: Preprocessor): { A: Float64Array; c: Float64Array; inDim: number; outDim: number } {
  const d = p.inputDim_;
  if (d === undefined) throw new SflError('convolution: the autoencoder\'s preprocessing is not fitted');
  const affine = p.stages().filter((s): s is AffineStage => s.kind === 'affine');
  const { A, c, outDim } = composedAffine(affine, d);
  return { A, c, inDim: d, outDim };
}

/** Learned filters on raw patches, ready for tf.conv2d. */
export interface ConvFilters {
  /** Patch height (image rows, or frames K) and width (image columns, or bands). */
  kh: number;
  kw: number;
  hidden: number;
  /** hidden x (kh*kw), row-major: filter j on the raw patch (preprocessing folded in). */
  F: Float64Array;
  b: Float64Array;
}

/**
 * The autoencoder's encoder with its preprocessing folded in (F = W1 A, b = b1 + W1 c), for
 * patches of kh x kw. `preprocessor` and `theta` are a SaeModel's (models/sae/saved-model.ts).
 */
export function foldFilters(preprocessor: Preprocessor, theta: Float64Array, kh: number, kw: number): ConvFilters {
  const { A, c, inDim, outDim } = preprocessorAffine(preprocessor);
  if (inDim !== kh * kw) throw new SflError(`convolution: the autoencoder was trained on ${inDim} values per patch, not ${kh} x ${kw} = ${kh * kw}`);
  const hidden = hiddenFromLength(theta.length, outDim);
  const { W1, b1 } = unpackParams(theta, outDim, hidden);
  const F = new Float64Array(hidden * inDim);
  const b = Float64Array.from(b1);
  for (let j = 0; j < hidden; j++) {
    const w = j * outDim;
    const f = j * inDim;
    for (let r = 0; r < outDim; r++) {
      const wjr = W1[w + r];
      if (wjr === 0) continue;
      const a = r * inDim;
      for (let i = 0; i < inDim; i++) F[f + i] += wjr * A[a + i];
      b[j] += wjr * c[r];
    }
  }
  return { kh, kw, hidden, F, b };
}

/** The filters as a conv2d kernel [kh, kw, 1, hidden] and a bias [hidden]. */
function filterTensors(f: ConvFilters): { kernel: tf.Tensor4D; bias: tf.Tensor1D } {
  const d = f.kh * f.kw;
  const k = new Float32Array(d * f.hidden);
  for (let j = 0; j < f.hidden; j++) for (let i = 0; i < d; i++) k[i * f.hidden + j] = f.F[j * d + i];
  return { kernel: tf.tensor4d(k, [f.kh, f.kw, 1, f.hidden]), bias: tf.tensor1d(Float32Array.from(f.b)) };
}

/** sigmoid(conv(x, F) + b): x is [N, H, W, 1]; the result [N, H-kh+1, W-kw+1, hidden]. */
function featureMaps(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => tf.sigmoid(tf.add(tf.conv2d(x, kernel, 1, 'valid'), bias)) as tf.Tensor4D);
}

export type PoolKind = 'mean' | 'max' | 'meanmax';

/**
 * Pools feature maps [N, H, W, C] over regions of size x size with the given stride ('valid':
 * positions past the last whole region are dropped). 'meanmax' concatenates the mean and the max
 * pools along the channels ([..., 2C]: C means, then C maxima).
 */
export function poolMaps(maps: tf.Tensor4D, size: [number, number], stride: [number, number], kind: PoolKind): tf.Tensor4D {
  const [, H, W] = maps.shape;
  if (size[0] > H || size[1] > W) {
    throw new SflError(`pooling: a ${size[0]} x ${size[1]} region does not fit in ${H} x ${W} feature maps`);
  }
  return tf.tidy(() => {
    if (kind === 'mean') return tf.avgPool(maps, size, stride, 'valid');
    if (kind === 'max') return tf.maxPool(maps, size, stride, 'valid');
    return tf.concat([tf.avgPool(maps, size, stride, 'valid'), tf.maxPool(maps, size, stride, 'valid')], 3);
  });
}

/** Number of pooling regions along a side of n positions. */
export function pooledSide(n: number, size: number, stride: number): number {
  return n < size ? 0 : Math.floor((n - size) / stride) + 1;
}

export interface ImagePoolOptions {
  size: number;
  stride: number;
  kind: PoolKind;
  /** Images per conv2d call (bounds the memory of the maps); default 250. */
  batch?: number;
  /** Called after each batch with the number of images done. */
  onProgress?: (done: number) => void;
}

/**
 * Convolved and pooled features of images (rows of X, each height x width, row-major): one row
 * per image of pooledRows * pooledCols * channels values, in NHWC order (region row, region
 * column, then unit; 'meanmax' gives 2 * hidden channels).
 */
export function convolvePoolImages(X: Matrix, height: number, width: number, f: ConvFilters, pool: ImagePoolOptions): Matrix {
  if (X.cols !== height * width) throw new SflError(`convolution: images have ${X.cols} values, not ${height} x ${width}`);
  if (f.kh > height || f.kw > width) throw new SflError(`convolution: ${f.kh} x ${f.kw} filters do not fit in ${height} x ${width} images`);
  const mh = height - f.kh + 1, mw = width - f.kw + 1;
  const ph = pooledSide(mh, pool.size, pool.stride), pw = pooledSide(mw, pool.size, pool.stride);
  if (ph < 1 || pw < 1) throw new SflError(`pooling: a ${pool.size} x ${pool.size} region does not fit in the ${mh} x ${mw} feature maps`);
  const channels = pool.kind === 'meanmax' ? 2 * f.hidden : f.hidden;
  const width_ = ph * pw * channels;
  const out = matrix(X.rows, width_);
  const batch = Math.max(1, pool.batch ?? 250);
  const { kernel, bias } = filterTensors(f);
  try {
    for (let s = 0; s < X.rows; s += batch) {
      const e = Math.min(X.rows, s + batch);
      const pooled = tf.tidy(() => {
        const x = tf.tensor4d(X.data.subarray(s * X.cols, e * X.cols), [e - s, height, width, 1]);
        return poolMaps(featureMaps(x, kernel, bias), [pool.size, pool.size], [pool.stride, pool.stride], pool.kind);
      });
      out.data.set(pooled.dataSync() as Float32Array, s * width_);
      pooled.dispose();
      pool.onProgress?.(e);
    }
  } finally {
    kernel.dispose();
    bias.dispose();
  }
  return out;
}

export interface SpectrogramConvOptions {
  /**
   * Pooling over frequency offsets, used when the filters span fewer bands than the spectrogram
   * (omit for full-band filters, which have one offset).
   */
  frequencyPool?: { size: number; stride: number; kind: 'mean' | 'max' };
  /** Frames per conv2d call (recordings are laid end to end); default about 4M map values. */
  chunkFrames?: number;
}

/**
 * Feature maps of many spectrograms (frames x bands each, at least kh frames), as one Matrix with a
 * row per time position t (the window of frames t..t+kh-1) and the row range of each recording,
 * ready for features/pooling.ts poolRecordings. A row holds, for each (pooled) frequency offset,
 * the hidden units' activations: offset-major, [offset 0: units 0..h-1, offset 1: ...].
 *
 * Recordings are laid end to end along time and convolved in a few big conv2d calls; the positions
 * whose window would straddle two recordings are dropped, so each recording gets exactly its own
 * frames - kh + 1 positions.
 */
export function convolveSpectrograms(spectra: readonly Matrix[], f: ConvFilters, o: SpectrogramConvOptions = {}): { H: Matrix; ranges: RowRange[] } {
  if (spectra.length === 0) throw new SflError('convolution: no spectrograms were given');
  const bands = spectra[0].cols;
  spectra.forEach((S, i) => {
    if (S.cols !== bands) throw new SflError(`convolution: spectrogram ${i} has ${S.cols} bands but spectrogram 0 has ${bands}`);
    if (S.rows < f.kh) throw new SflError(`convolution: spectrogram ${i} has ${S.rows} frames, fewer than the filters' ${f.kh}`);
  });
  if (f.kw > bands) throw new SflError(`convolution: filters span ${f.kw} bands but the spectrograms have ${bands}`);
  const offsets = bands - f.kw + 1;
  const fp = o.frequencyPool;
  if (offsets > 1 && !fp) throw new SflError(`convolution: filters of ${f.kw} of ${bands} bands need a frequency pool (frequencyPool)`);
  const pooledOffsets = offsets === 1 ? 1 : pooledSide(offsets, fp!.size, fp!.stride);
  if (pooledOffsets < 1) throw new SflError(`pooling: a frequency region of ${fp!.size} does not fit in the ${offsets} frequency offsets`);
  const rowWidth = pooledOffsets * f.hidden;

  const counts = spectra.map((S) => S.rows - f.kh + 1);
  const total = counts.reduce((a, b) => a + b, 0);
  const H = matrix(total, rowWidth);
  const ranges: RowRange[] = [];
  const chunkFrames = Math.max(f.kh, o.chunkFrames ?? Math.floor(4_000_000 / (offsets * f.hidden)));
  const { kernel, bias } = filterTensors(f);
  try {
    let row = 0;
    for (let first = 0; first < spectra.length; ) {
      // A chunk of whole recordings (at least one, even if longer than chunkFrames).
      let last = first, frames = spectra[first].rows;
      while (last + 1 < spectra.length && frames + spectra[last + 1].rows <= chunkFrames) frames += spectra[++last].rows;
      const buf = new Float32Array(frames * bands);
      for (let i = first, off = 0; i <= last; off += spectra[i].data.length, i++) buf.set(spectra[i].data, off);
      const maps = tf.tidy(() => {
        const m = featureMaps(tf.tensor4d(buf, [1, frames, bands, 1]), kernel, bias); // [1, frames-kh+1, offsets, h]
        return offsets === 1 ? m : poolMaps(m, [1, fp!.size], [1, fp!.stride], fp!.kind);
      });
      const v = maps.dataSync() as Float32Array;
      maps.dispose();
      for (let i = first, t0 = 0; i <= last; t0 += spectra[i].rows, i++) {
        const n = counts[i];
        H.data.set(v.subarray(t0 * rowWidth, (t0 + n) * rowWidth), row * rowWidth);
        ranges.push({ start: row, end: row + n });
        row += n;
      }
      first = last + 1;
    }
  } finally {
    kernel.dispose();
    bias.dispose();
  }
  return { H, ranges };
}
