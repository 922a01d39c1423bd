import { SflError } from '../util/errors.ts';
import { binCount, binFrequency } from './fft.ts';
import { sparseFilterbank, type SparseFilterbank } from './filterbank.ts';

/** HTK mel scale: mel(f) = 2595 log10(1 + f / 700), f in Hz. */
export function hzToMel(f: number): number {
  return 2595 * Math.log10(1 + f / 700);
}

/** Inverse of hzToMel: f = 700 (10^(mel / 2595) - 1) Hz. */
export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

export interface MelOptions {
  /** Sample rate of the analysed signal, Hz. */
  sampleRate: number;
  /** FFT frame size N (the spectrum has N/2 + 1 bins). */
  frameSize: number;
  /** Number of mel bands. */
  bands: number;
  /** Lower edge of the first filter, Hz (>= 0). */
  fMin: number;
  /** Upper edge of the last filter, Hz (<= sampleRate / 2). */
  fMax: number;
}

const cache = new Map<string, SparseFilterbank>();

/**
 * Triangular mel filterbank, as torchaudio.functional.melscale_fbanks(..., norm=None,
 * mel_scale='htk') (and librosa.filters.mel(htk=True, norm=None)): bands + 2 points equally
 * spaced in HTK mel between fMin and fMax give the edges; filter b rises linearly from edge b to
 * a peak of 1 at edge b + 1 and falls to 0 at edge b + 2, evaluated at bin frequencies
 * k * sampleRate / frameSize. No area normalisation, so a sine exactly at a filter's peak passes
 * with gain 1. With many bands and a small frame some narrow low filters fall between bins and
 * are all zero (their output is 0).
 *
 * Cached by its options; the returned object is shared, do not modify it.
 * @returns sparse filterbank of `bands` filters over frameSize / 2 + 1 bins.
 */
export function melFilterbank(o: MelOptions): SparseFilterbank {
  const key = `${o.sampleRate}|${o.frameSize}|${o.bands}|${o.fMin}|${o.fMax}`;
  let fb = cache.get(key);
  if (fb) return fb;
  checkBandEdges(o);
  const mMin = hzToMel(o.fMin);
  const mMax = hzToMel(o.fMax);
  const edges = Float64Array.from({ length: o.bands + 2 }, (_, i) => melToHz(mMin + ((mMax - mMin) * i) / (o.bands + 1)));
  fb = sparseFilterbank(o.bands, binCount(o.frameSize), (b, k) => {
    const f = binFrequency(k, o.sampleRate, o.frameSize);
    const up = (f - edges[b]) / (edges[b + 1] - edges[b]);
    const down = (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1]);
    return Math.max(0, Math.min(up, down));
  });
  cache.set(key, fb);
  return fb;
}

/** Shared validation of band-analysis options (mel and bark). */
export function checkBandEdges(o: MelOptions): void {
  if (!Number.isInteger(o.bands) || o.bands < 1) throw new SflError(`bands must be a positive integer, got ${o.bands}`);
  if (!(o.fMin >= 0 && o.fMin < o.fMax && o.fMax <= o.sampleRate / 2)) {
    throw new SflError(`need 0 <= fMin < fMax <= sampleRate/2, got fMin=${o.fMin} fMax=${o.fMax} sampleRate=${o.sampleRate}`);
  }
}
