import { matrix, type Matrix } from '../compute/matrix.ts';

/**
 * A bank of filters over one-sided FFT bins, stored sparsely: filter b has non-zero weights only
 * on bins [start[b], start[b] + weights[b].length). Mel triangles span a few bins each, so this
 * does ~2 multiply-adds per bin per frame instead of bands x bins.
 */
export interface SparseFilterbank {
  /** Number of filters (output bands). */
  bands: number;
  /** Number of input bins (frameSize / 2 + 1). */
  bins: number;
  /** First bin of each filter. */
  start: Int32Array;
  /** Weights of each filter from its first bin on. */
  weights: Float32Array[];
}

/**
 * Build a sparse filterbank from a dense weight function, keeping each filter's non-zero run.
 * @param weight weight(b, k) of filter b on bin k (zero outside the filter).
 */
export function sparseFilterbank(bands: number, bins: number, weight: (b: number, k: number) => number): SparseFilterbank {
  const start = new Int32Array(bands);
  const weights: Float32Array[] = [];
  for (let b = 0; b < bands; b++) {
    let first = -1;
    let last = -1;
    for (let k = 0; k < bins; k++) {
      if (weight(b, k) !== 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    start[b] = Math.max(first, 0);
    weights.push(first < 0 ? new Float32Array(0) : Float32Array.from({ length: last - first + 1 }, (_, i) => weight(b, first + i)));
  }
  return { bands, bins, start, weights };
}

/**
 * Apply a filterbank to every row of a spectrum: out[t, b] = sum_k W[b, k] * spec[t, k].
 * @param spec (frames, bins) power or magnitude spectrum.
 * @param into where to write the result (its data must hold frames x bands values); default a new matrix.
 * @returns (frames, bands).
 */
export function applyFilterbank(spec: Matrix, fb: SparseFilterbank, into?: Float32Array): Matrix {
  if (spec.cols !== fb.bins) throw new Error(`applyFilterbank: spectrum has ${spec.cols} bins, filterbank expects ${fb.bins}`);
  const bands = fb.bands;
  const out = into ? matrix(spec.rows, bands, into.subarray(0, spec.rows * bands)) : matrix(spec.rows, bands);
  const s = spec.data;
  const o = out.data;
  const { start, weights } = fb;
  for (let t = 0; t < spec.rows; t++) {
    const row = t * spec.cols;
    for (let b = 0; b < bands; b++) {
      const w = weights[b];
      const from = row + start[b];
      let acc = 0;
      for (let i = 0; i < w.length; i++) acc += w[i] * s[from + i];
      o[t * bands + b] = acc;
    }
  }
  return out;
}

/** Dense (bands, bins) copy of a filterbank, for inspection and tests. */
export function denseFilterbank(fb: SparseFilterbank): Matrix {
  const m = matrix(fb.bands, fb.bins);
  for (let b = 0; b < fb.bands; b++) m.data.set(fb.weights[b], b * fb.bins + fb.start[b]);
  return m;
}
