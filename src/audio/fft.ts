import FFT from 'fft.js';
import { matrix, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';

interface Plan {
  fft: FFT;
  /** Interleaved complex output buffer (re, im, ...), reused across frames. */
  out: number[];
}

// Building an FFT plan computes its twiddle table; one plan per size serves every frame and file.
const plans = new Map<number, Plan>();

/**
 * The cached FFT plan for `size` points (power of two, >= 2).
 * Callers must finish using `out` before the next transform of the same size (single-threaded).
 */
export function fftPlan(size: number): Plan {
  let p = plans.get(size);
  if (!p) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new SflError(`frame size must be a power of two >= 2 for the FFT, got ${size}`);
    }
    const fft = new FFT(size);
    p = { fft, out: fft.createComplexArray() as number[] };
    plans.set(size, p);
  }
  return p;
}

/** Number of one-sided frequency bins for a frame of `frameSize` samples: frameSize / 2 + 1. */
export function binCount(frameSize: number): number {
  return frameSize / 2 + 1;
}

/** Centre frequency (Hz) of one-sided bin k: k * sampleRate / frameSize. */
export function binFrequency(k: number, sampleRate: number, frameSize: number): number {
  return (k * sampleRate) / frameSize;
}

/**
 * One-sided spectrum of each (already windowed) frame, via a real FFT (fft.js).
 *
 * Bins k = 0 .. N/2 (N = frames.cols), DC and Nyquist included; bin k is at k * sampleRate / N Hz.
 * Values are unnormalised DFT magnitudes |X_k| (or |X_k|^2), X_k = sum_n x[n] e^{-2 pi i k n / N},
 * like numpy.fft.rfft / librosa.stft, so Parseval reads
 * sum_n x[n]^2 = (|X_0|^2 + 2 sum_{0<k<N/2} |X_k|^2 + |X_{N/2}|^2) / N.
 *
 * @param frames (frames, N) windowed frames from frameSignal; N a power of two >= 2.
 * @param power  true (default) for the power |X_k|^2, false for the magnitude |X_k|.
 * @param into   where to write the result (its data must hold frames x (N/2 + 1) values); default a new matrix.
 * @returns Matrix (frames, N/2 + 1).
 */
export function spectrum(frames: Matrix, power = true, into?: Float32Array): Matrix {
  const n = frames.cols;
  const { fft, out } = fftPlan(n);
  const bins = binCount(n);
  const result = into ? matrix(frames.rows, bins, into.subarray(0, frames.rows * bins)) : matrix(frames.rows, bins);
  const r = result.data;
  const x = frames.data;
  for (let t = 0; t < frames.rows; t++) {
    // realTransform fills bins 0..N/2 (indices 0..N+1) only, which is all we read.
    fft.realTransform(out, x.subarray(t * n, (t + 1) * n));
    const base = t * bins;
    if (power) {
      for (let k = 0; k < bins; k++) r[base + k] = out[2 * k] * out[2 * k] + out[2 * k + 1] * out[2 * k + 1];
    } else {
      for (let k = 0; k < bins; k++) r[base + k] = Math.sqrt(out[2 * k] * out[2 * k] + out[2 * k + 1] * out[2 * k + 1]);
    }
  }
  return result;
}
