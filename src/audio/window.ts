import { SflError } from '../util/errors.ts';

/** Analysis window shapes. */
export type WindowType = 'hann' | 'hamming' | 'rect';

export const WINDOW_TYPES: readonly WindowType[] = ['hann', 'hamming', 'rect'];

const cache = new Map<string, Float32Array>();

/**
 * A periodic (DFT-even) analysis window of `size` points, cached and shared: do not modify it.
 *
 * Periodic rather than symmetric because the frames are fed to a DFT: the periodic Hann window
 * w[n] = 0.5 - 0.5 cos(2 pi n / size) sums to a constant at hop = size / 2 (and size / 4), so
 * overlapped frames weight every sample equally (scipy.signal.get_window and librosa do the same).
 * Hamming: 0.54 - 0.46 cos(2 pi n / size). 'rect': all ones.
 *
 * @param type window shape, default-free (callers pass SpectrumParams.window).
 * @param size number of points (= frame size), >= 1.
 */
export function getWindow(type: WindowType, size: number): Float32Array {
  const key = `${type}:${size}`;
  let w = cache.get(key);
  if (w) return w;
  if (!Number.isInteger(size) || size < 1) throw new SflError(`window size must be a positive integer, got ${size}`);
  w = new Float32Array(size);
  switch (type) {
    case 'hann':
      for (let n = 0; n < size; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size);
      break;
    case 'hamming':
      for (let n = 0; n < size; n++) w[n] = 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / size);
      break;
    case 'rect':
      w.fill(1);
      break;
    default:
      throw new SflError(`unknown window '${type as string}' (expected ${WINDOW_TYPES.join(', ')})`);
  }
  cache.set(key, w);
  return w;
}
