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
   * If true, pad floor(frameSize / 2) zeros before the signal and as many after it, so frame t
   * is centred on sample t * hop (librosa's center=True with pad_mode='constant'). Default false:
   * frame t starts at sample t * hop.
   */
  center?: boolean;
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
 * Padding rule (chosen so that no sample is ever dropped, and a short recording still yields
 * a spectrum instead of vanishing from a data set):
 *  - frames start at 0, hop, 2 hop, ... and continue until every sample is in some frame;
 *    the last frame, if it runs past the end, is zero-padded to frameSize (unlike librosa's
 *    center=False, which drops the tail);
 *  - a signal shorter than one frame gives exactly one zero-padded frame;
 *  - an empty signal gives a 0 x frameSize matrix.
 * So rows = frameCount(length, frameSize, hop), with length including the centring padding.
 * Windowing is applied after zero-padding (the padded zeros stay zero).
 *
 * @param x mono samples, any scale. Not modified.
 * @returns Matrix of shape (frames, frameSize), row t = window * x[t*hop .. t*hop + frameSize).
 */
export function frameSignal(x: Float32Array, options: FrameOptions = {}): Matrix {
  const { frameSize = 256, hop = 128, window = 'hann', center = false } = options;
  if (!Number.isInteger(frameSize) || frameSize < 1) throw new SflError(`frameSize must be a positive integer, got ${frameSize}`);
  if (!Number.isInteger(hop) || hop < 1) throw new SflError(`hop must be a positive integer, got ${hop}`);
  const w = getWindow(window, frameSize);
  const offset = center ? Math.floor(frameSize / 2) : 0; // leading zeros
  const length = x.length === 0 ? 0 : x.length + 2 * offset;
  const rows = frameCount(length, frameSize, hop);
  const out = matrix(rows, frameSize);
  const d = out.data;
  for (let t = 0; t < rows; t++) {
    // Frame t covers padded positions [t*hop, t*hop + frameSize), i.e. x[t*hop - offset + j].
    const start = t * hop - offset;
    const jFrom = Math.max(0, -start);
    const jTo = Math.min(frameSize, x.length - start);
    const base = t * frameSize;
    for (let j = jFrom; j < jTo; j++) d[base + j] = x[start + j] * w[j];
  }
  return out;
}
