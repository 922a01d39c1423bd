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

/**
 * Slaney's mel scale (Auditory Toolbox; librosa's default, htk=False): linear below 1 kHz at
 * 3 mel per 200 Hz (mel = 3f / 200), logarithmic above with 27 mel per factor 6.4 in frequency
 * (mel = 15 + 27 ln(f / 1000) / ln 6.4).
 */
function hzToMelSlaney(f: number): number {
  return f < 1000 ? (3 * f) / 200 : 15 + (27 * Math.log(f / 1000)) / Math.log(6.4);
}

/** Inverse of hzToMelSlaney. */
function melToHzSlaney(mel: number): number {
  return mel < 15 ? (200 * mel) / 3 : 1000 * Math.exp((Math.log(6.4) / 27) * (mel - 15));
}

export type MelScale = 'htk' | 'slaney';
export type MelNorm = 'none' | 'slaney';
export const MEL_SCALES: readonly MelScale[] = ['htk', 'slaney'];
export const MEL_NORMS: readonly MelNorm[] = ['none', 'slaney'];

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
  /** Mel scale the edges are equally spaced on. Default 'htk'. */
  scale?: MelScale;
  /**
   * 'slaney': filter b scaled by 2 / (edge[b + 2] - edge[b]) (Hz), so every filter has the same
   * area and a band's output estimates the power density (librosa norm='slaney'). 'none': peak 1.
   * Default 'none'.
   */
  norm?: MelNorm;
}

const cache = new Map<string, SparseFilterbank>();

/**
 * Triangular mel filterbank, as torchaudio.functional.melscale_fbanks(..., norm=None,
 * mel_scale='htk') (and librosa.filters.mel(htk=True, norm=None)) by default; with
 * scale 'slaney' and norm 'slaney', librosa.filters.mel's defaults. bands + 2 points equally
 * spaced in mel between fMin and fMax give the edges; filter b rises linearly from edge b to
 * a peak of 1 at edge b + 1 and falls to 0 at edge b + 2, evaluated at bin frequencies
 * k * sampleRate / frameSize. No area normalisation, so a sine exactly at a filter's peak passes
 * with gain 1. With many bands and a small frame some narrow low filters fall between bins and
 * are all zero (their output is 0).
 *
 * Cached by its options; the returned object is shared, do not modify it.
 * @returns sparse filterbank of `bands` filters over frameSize / 2 + 1 bins.
 */
export function melFilterbank(o: MelOptions): SparseFilterbank {
  const scale = o.scale ?? 'htk';
  const norm = o.norm ?? 'none';
  const key = `${o.sampleRate}|${o.frameSize}|${o.bands}|${o.fMin}|${o.fMax}|${scale}|${norm}`;
  let fb = cache.get(key);
  if (fb) return fb;
  checkBandEdges(o);
  if (!MEL_SCALES.includes(scale)) throw new SflError(`mel scale must be ${MEL_SCALES.join(' or ')}, got ${scale}`);
  if (!MEL_NORMS.includes(norm)) throw new SflError(`mel norm must be ${MEL_NORMS.join(' or ')}, got ${norm}`);
  const [toMel, toHz] = scale === 'htk' ? [hzToMel, melToHz] : [hzToMelSlaney, melToHzSlaney];
  const mMin = toMel(o.fMin);
  const mMax = toMel(o.fMax);
  // (mMax - mMin) * i / (n - 1) is how numpy.linspace spaces the points.
  const edges = Float64Array.from({ length: o.bands + 2 }, (_, i) => toHz(mMin + ((mMax - mMin) * i) / (o.bands + 1)));
  fb = sparseFilterbank(o.bands, binCount(o.frameSize), (b, k) => {
    const f = binFrequency(k, o.sampleRate, o.frameSize);
    const up = (f - edges[b]) / (edges[b + 1] - edges[b]);
    const down = (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1]);
    const area = norm === 'slaney' ? 2 / (edges[b + 2] - edges[b]) : 1;
    return Math.max(0, Math.min(up, down)) * area;
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
