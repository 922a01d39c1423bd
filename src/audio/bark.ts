import type { Matrix } from '../compute/matrix.ts';
import { binCount, binFrequency } from './fft.ts';
import { sparseFilterbank, type SparseFilterbank } from './filterbank.ts';
import { checkBandEdges, type MelOptions } from './mel.ts';

/**
 * Traunmüller's (1990) Bark scale: z = 26.81 f / (1960 + f) - 0.53, with his end corrections
 * z + 0.15 (2 - z) below 2 Bark and z + 0.22 (z - 20.1) above 20.1 Bark; f in Hz.
 * Chosen over Zwicker & Terhardt's arctan formula because it is monotonic, has a closed-form
 * inverse, and Traunmüller fitted it (with the corrections) to Zwicker's critical-band table.
 */
export function hzToBark(f: number): number {
  const z = (26.81 * f) / (1960 + f) - 0.53;
  if (z < 2) return z + 0.15 * (2 - z);
  if (z > 20.1) return z + 0.22 * (z - 20.1);
  return z;
}

/** Options are those of the mel filterbank: sampleRate, frameSize, bands, fMin, fMax. */
export type BarkOptions = MelOptions;

const cache = new Map<string, SparseFilterbank>();

/**
 * Rectangular Bark-band filterbank: [hzToBark(fMin), hzToBark(fMax)] is cut into `bands` bands
 * of equal width in Bark, and each FFT bin whose frequency lies in [fMin, fMax] belongs (weight 1)
 * to the band containing its Bark value (a bin exactly on a boundary goes to the upper band,
 * fMax itself to the last band). Every bin in range is counted exactly once, so the band
 * energies of a power spectrum add up to its energy in [fMin, fMax]. Bands narrower than the bin
 * spacing (low bands, small frames, many bands) can be empty and read 0.
 *
 * Cached by its options; the returned object is shared, do not modify it.
 * @returns sparse filterbank of `bands` filters over frameSize / 2 + 1 bins.
 */
export function barkFilterbank(o: BarkOptions): SparseFilterbank {
  const key = `${o.sampleRate}|${o.frameSize}|${o.bands}|${o.fMin}|${o.fMax}`;
  let fb = cache.get(key);
  if (fb) return fb;
  checkBandEdges(o);
  const zMin = hzToBark(o.fMin);
  const zMax = hzToBark(o.fMax);
  const band = (k: number): number => {
    const f = binFrequency(k, o.sampleRate, o.frameSize);
    if (f < o.fMin || f > o.fMax) return -1;
    return Math.min(o.bands - 1, Math.floor(((hzToBark(f) - zMin) / (zMax - zMin)) * o.bands));
  };
  fb = sparseFilterbank(o.bands, binCount(o.frameSize), (b, k) => (band(k) === b ? 1 : 0));
  cache.set(key, fb);
  return fb;
}

/** Zwicker's exponent relating specific loudness to band intensity (loudness ~ intensity^0.23). */
export const LOUDNESS_EXPONENT = 0.23;

/**
 * Specific loudness per band, in place: m[i] = m[i]^0.23. On Bark band energies (power) this is
 * Zwicker's power law, without absolute calibration (no threshold in quiet, no masking spread),
 * so values are relative, in arbitrary "sone-like" units. meyda's loudness.specific applies the
 * same exponent but to summed magnitudes on a different Bark formula; we do not use it.
 * @param m non-negative band energies (frames, bands). Overwritten.
 * @returns m.
 */
export function specificLoudnessInPlace(m: Matrix): Matrix {
  const d = m.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] ** LOUDNESS_EXPONENT;
  return m;
}
