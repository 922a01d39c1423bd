import { matrix, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { getWindow, type WindowType } from './window.ts';

export interface FrameOptions {
  /** Samples per frame, >= 1. Default 256 (32 ms at 8 kHz). */
  frameSize?: number;
  /** Samples between the starts of consecutive frames, >= 1. Default 128 (half overlap). */
  hop?: number;
  /** Window applied to each frame. Default 'hann' (periodic). */
  window?: WindowType;
  /**
   * If true, pad floor(frameSize / 2) samples before the signal and as many after it, so frame t
   * is centred on sample t * hop, and keep librosa's frame count: 1 + floor((length + 2 *
   * floor(frameSize / 2) - frameSize) / hop), i.e. 1 + floor(length / hop) for an even frameSize
   * (librosa.stft(center=True)). Default false: frame t starts at sample t * hop.
   */
  center?: boolean;
  /**
   * With center: what the padding holds. 'constant' = zeros (librosa.stft's default since 0.10),
   * 'reflect' = the signal mirrored about its first and last sample, without repeating them
   * (numpy.pad mode 'reflect', librosa's default before 0.10). Default 'constant'.
   */
  padMode?: PadMode;
}

export type PadMode = 'constant' | 'reflect';
export const PAD_MODES: readonly PadMode[] = ['constant', 'reflect'];

/**
 * Rows of frameSignal for a signal of `length` samples: frameCount(length, ...) without centring;
 * with centring, librosa's count (see FrameOptions.center).
 */
export function frameRows(length: number, frameSize: number, hop: number, center: boolean): number {
  if (length === 0) return 0;
  if (!center) return frameCount(length, frameSize, hop);
  const padded = length + 2 * Math.floor(frameSize / 2);
  return padded < frameSize ? 1 : 1 + Math.floor((padded - frameSize) / hop);
}

/**
 * numpy.pad(..., mode='reflect') index: position i (may be < 0 or >= n) of the signal mirrored
 * about its end samples, repeatedly for pads longer than the signal (period 2(n - 1)).
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/**
 * Number of frames for a signal of `length` samples (after centring padding, if any):
 * 0 if length = 0, else 1 + ceil(max(0, length - frameSize) / hop).
 */
export function frameCount(length: number, frameSize: number, hop: number): number {
  if (length === 0) return 0;
  return 1 + Math.ceil(Math.max(0, length - frameSize) / hop);
}

/**
 * Cut a signal into overlapping windowed frames.
 *
 * Without centring, the padding rule (chosen so that no sample is ever dropped, and a short
 * recording still yields a spectrum instead of vanishing from a data set):
 *  - frames start at 0, hop, 2 hop, ... and continue until every sample is in some frame;
 *    the last frame, if it runs past the end, is zero-padded to frameSize (unlike librosa's
 *    center=False, which drops the tail);
 *  - a signal shorter than one frame gives exactly one zero-padded frame;
 *  - an empty signal gives a 0 x frameSize matrix.
 * So rows = frameCount(length, frameSize, hop). With centring, librosa's rule instead: the signal
 * padded by floor(frameSize / 2) at each end (zeros or its reflection, FrameOptions.padMode), and
 * rows = frameRows(length, frameSize, hop, true) = 1 + floor(length / hop) for an even frameSize;
 * the last frame still reaches the end whenever hop <= frameSize / 2.
 * Windowing is applied after padding.
 *
 * @param x mono samples, any scale. Not modified.
 * @returns Matrix of shape (frames, frameSize), row t = window * x[t*hop .. t*hop + frameSize).
 */
export function frameSignal(x: Float32Array, options: FrameOptions = {}): Matrix {
  const { frameSize = 256, hop = 128, window = 'hann', center = false, padMode = 'constant' } = options;
  if (!Number.isInteger(frameSize) || frameSize < 1) throw new SflError(`frameSize must be a positive integer, got ${frameSize}`);
  if (!Number.isInteger(hop) || hop < 1) throw new SflError(`hop must be a positive integer, got ${hop}`);
  const w = getWindow(window, frameSize);
  if (!PAD_MODES.includes(padMode)) throw new SflError(`padMode must be ${PAD_MODES.join(' or ')}, got ${padMode}`);
  const offset = center ? Math.floor(frameSize / 2) : 0; // leading padding
  const rows = frameRows(x.length, frameSize, hop, center);
  const out = matrix(rows, frameSize);
  const d = out.data;
  const n = x.length;
  for (let t = 0; t < rows; t++) {
    // Frame t covers padded positions [t*hop, t*hop + frameSize), i.e. x[t*hop - offset + j].
    const start = t * hop - offset;
    const base = t * frameSize;
    const jFrom = Math.max(0, -start);
    const jTo = Math.min(frameSize, n - start);
    for (let j = jFrom; j < jTo; j++) d[base + j] = x[start + j] * w[j];
    if (center && padMode === 'reflect') {
      for (let j = 0; j < jFrom; j++) d[base + j] = x[reflectIndex(start + j, n)] * w[j];
      for (let j = Math.max(jTo, 0); j < frameSize; j++) d[base + j] = x[reflectIndex(start + j, n)] * w[j];
    }
  }
  return out;
}
