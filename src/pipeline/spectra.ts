/**
 * From audio files (any format decode.ts reads) to spectrograms: decode, resample to one rate, transform, with the on-disk cache.
 *
 * The target rate: `sampleRate` when given; otherwise the files' own rate when they all agree;
 * otherwise an error asking for one (mixing rates silently would change what a band means).
 */
import type { Matrix } from '../compute/matrix.ts';
import { decodeAudio, probeAudio } from '../audio/decode.ts';
import { defaultSpectrumParams, spectrogram, validateSpectrumParams, type SpectrumParams } from '../audio/spectrogram.ts';
import { cachedCompute, newCacheStats, type CacheStats } from '../data/spectra-cache.ts';
import { SflError } from '../util/errors.ts';

/** Spectrum settings as a user gives them: any subset, with the rate optional (null = keep). */
export type SpectrumSettings = Partial<Omit<SpectrumParams, 'sampleRate' | 'fMax'>> & {
  sampleRate?: number | null;
  fMax?: number | null;
};

export interface SpectraResult {
  /** One spectrogram per loaded file (frames x width), in the order of `paths` minus skipped files. */
  spectra: Matrix[];
  /** The paths that were loaded, parallel to `spectra`. */
  paths: string[];
  /** Files that could not be used, with the reason (only when skipBad is set). */
  skipped: { path: string; reason: string }[];
  /**
   * Repairs made while decoding (samples clipped to full scale), one sentence each naming the file.
   * Only files decoded in this call report them: a file whose spectrum came from the cache is not
   * decoded again.
   */
  warnings: string[];
  /** The fully resolved parameters (with the rate used). */
  params: SpectrumParams;
  /** Seconds of audio covered by the frames (after the zero-padding rule of frames.ts). */
  audioSeconds: number;
  cache: CacheStats;
}

export interface LoadOptions {
  /** Skip unreadable/corrupt/silent files with a reason instead of failing (folder scans). */
  skipBad?: boolean;
  /** Use the spectra cache (default true). */
  cache?: boolean;
  cacheDir?: string;
  /** Called after each file with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Reads the header of each file (not its samples: they are read once, when decoded) to choose the
 * sample rate the whole set is analysed at.
 */
export async function chooseSampleRate(paths: string[], requested: number | null | undefined): Promise<number> {
  if (requested) return requested;
  const rates = new Set<number>();
  let firstError: unknown;
  for (const p of paths) {
    try {
      rates.add((await probeAudio(p)).sampleRate);
    } catch (e) {
      // A bad file is reported when it is loaded; it does not vote on the rate.
      if (!(e instanceof SflError)) throw e;
      firstError ??= e;
    }
  }
  if (rates.size === 0) throw firstError;
  if (rates.size > 1) {
    throw new SflError(
      `the files have different sample rates (${[...rates].sort((a, b) => a - b).join(', ')} Hz): ` +
        'choose one to resample them all to (--sample-rate HZ)',
    );
  }
  return [...rates][0];
}

/** Settings plus a rate -> complete, validated SpectrumParams. */
export function resolveSpectrumParams(settings: SpectrumSettings, sampleRate: number): SpectrumParams {
  const defaults = defaultSpectrumParams(sampleRate);
  const params: SpectrumParams = { ...defaults };
  for (const [k, v] of Object.entries(settings)) {
    if (v !== undefined && v !== null && k in defaults) (params as unknown as Record<string, unknown>)[k] = v;
  }
  params.sampleRate = sampleRate;
  validateSpectrumParams(params);
  return params;
}

/** Decode, resample and transform one file's bytes. Throws SflError naming the file. */
export async function spectrogramOfBytes(bytes: Uint8Array, path: string, params: SpectrumParams, warnings?: string[]): Promise<Matrix> {
  const { samples, warnings: repaired } = await decodeAudio(bytes, path, { sampleRate: params.sampleRate });
  warnings?.push(...repaired);
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  if (peak === 0) throw new SflError('silent: every sample is zero, there is nothing to learn from', path);
  if (samples.length < params.frameSize) {
    throw new SflError(
      `too short: ${samples.length} samples at ${params.sampleRate} Hz, shorter than one frame (${params.frameSize})`,
      path,
    );
  }
  return spectrogram(samples, params);
}

/** Spectrograms of many files, one rate, cached. */
export async function loadSpectra(paths: string[], settings: SpectrumSettings, opts: LoadOptions = {}): Promise<SpectraResult> {
  if (paths.length === 0) throw new SflError('no audio files to load');
  const rate = await chooseSampleRate(paths, settings.sampleRate);
  const params = resolveSpectrumParams(settings, rate);
  const stats = newCacheStats();
  const out: SpectraResult = { spectra: [], paths: [], skipped: [], warnings: [], params, audioSeconds: 0, cache: stats };
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    try {
      const m = await cachedCompute(path, params, (bytes) => spectrogramOfBytes(bytes, path, params, out.warnings), {
        enabled: opts.cache ?? true,
        dir: opts.cacheDir,
        stats,
      });
      out.spectra.push(m);
      out.paths.push(path);
      out.audioSeconds += ((m.rows - 1) * params.hop + params.frameSize) / params.sampleRate;
    } catch (e) {
      if (!(e instanceof SflError) || !opts.skipBad) throw e;
      out.skipped.push({ path, reason: e.message });
    }
    opts.onProgress?.(i + 1, paths.length);
  }
  if (out.spectra.length === 0) {
    throw new SflError(`none of the ${paths.length} files could be used; first problem: ${out.skipped[0]?.reason}`);
  }
  return out;
}
