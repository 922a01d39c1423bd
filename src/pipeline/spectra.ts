/**
 * From audio files to spectrograms: decode, resample to one rate, transform, with the on-disk cache.
 *
 * The target rate: `sampleRate` when given; otherwise the most common rate among the files (ties:
 * the higher rate, so no file loses bandwidth it has), every other file resampled to it, and a
 * line saying so. A file that cannot be used (unreadable, undecodable, an absurd rate, non-finite
 * or absurdly large samples, silent, too short) is skipped with its reason in a folder scan
 * (skipBad) and is an error naming it otherwise; no spectrum with a non-finite value is returned.
 */
import type { Matrix } from '../compute/matrix.ts';
import { openAudio, probeAudio, MAX_SAMPLE_RATE, type AudioInput } from '../audio/decode.ts';
import { defaultSpectrumParams, validateSpectrumParams, type SpectrumParams } from '../audio/spectrogram.ts';
import { concatRows, SpectrogramStream } from '../audio/spectrogram-stream.ts';
import { cachedCompute, newCacheStats, type CacheStats } from '../data/spectra-cache.ts';
import { SflError } from '../util/errors.ts';

/**
 * Sample rates accepted from a file (Hz). The decoder refuses rates outside 1 Hz..384 kHz; below
 * 1 kHz a header is as surely corrupt (nothing is recorded at such rates, and one frame would
 * span seconds).
 */
const MIN_FILE_RATE = 1000;
const MAX_FILE_RATE = MAX_SAMPLE_RATE;
/** Only used to try files one by one when none of them could tell its rate. */
const FALLBACK_RATE = 16_000;

/** The sample rate read from a file's header (not decoded), or null when it cannot be read (then it does not vote). */
async function peekRate(path: string): Promise<number | null> {
  try {
    return (await probeAudio(path)).sampleRate;
  } catch (e) {
    if (e instanceof SflError) return null;
    throw e;
  }
}

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
  /** What the decoder repaired (clipping), one sentence each naming the file (files computed now, not cached ones). */
  warnings: string[];
  /** The fully resolved parameters (with the rate used). */
  params: SpectrumParams;
  /** One line for the user: the rate analysed at, and why. */
  rateNote: string;
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
  /** Return an empty result rather than an error when no file could be used (the caller reports). */
  allowNone?: boolean;
  /** Called after each file with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Streaming: each file's spectrogram is handed to `consume` as soon as it is computed and not
   * kept (`spectra` stays empty; `paths` still lists the files used), so memory is one
   * recording's, whatever the number of files.
   */
  consume?: (path: string, spectrum: Matrix) => void;
}

export interface RateChoice {
  sampleRate: number;
  /** One line for the user: which rate and why. */
  note: string;
}

/**
 * Chooses the rate the whole set is analysed at, reading only the start of each file (samples are
 * read once, when decoded). Files whose rate cannot be read here, or is outside
 * MIN_FILE_RATE..MAX_FILE_RATE, do not vote; they are reported when they are decoded.
 */
async function chooseSampleRate(paths: string[], requested: number | null | undefined): Promise<RateChoice> {
  if (requested) return { sampleRate: requested, note: `sample rate: ${requested} Hz (as asked); files at other rates are resampled` };
  const counts = new Map<number, number>();
  for (const p of paths) {
    const rate = await peekRate(p);
    if (rate !== null && rate >= MIN_FILE_RATE && rate <= MAX_FILE_RATE) counts.set(rate, (counts.get(rate) ?? 0) + 1);
  }
  if (counts.size === 0) {
    throw new SflError(`none of the ${paths.length} file(s) could be read as audio${paths.length === 1 ? '' : `, e.g. ${paths[0]}`}`, paths.length === 1 ? paths[0] : undefined);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0]);
  const [rate] = ranked[0];
  if (ranked.length === 1) return { sampleRate: rate, note: `sample rate: ${rate} Hz (every file)` };
  const tally = ranked.map(([r, n]) => `${n} at ${r} Hz`).join(', ');
  return {
    sampleRate: rate,
    note: `sample rate: ${rate} Hz, the most common (${tally}); the others are resampled to it (--sample-rate to choose)`,
  };
}

/** Settings plus a rate -> complete, validated SpectrumParams. */
function resolveSpectrumParams(settings: SpectrumSettings, sampleRate: number): SpectrumParams {
  const defaults = defaultSpectrumParams(sampleRate);
  const params: SpectrumParams = { ...defaults };
  for (const [k, v] of Object.entries(settings)) {
    if (v !== undefined && v !== null && k in defaults) (params as unknown as Record<string, unknown>)[k] = v;
  }
  params.sampleRate = sampleRate;
  validateSpectrumParams(params);
  return params;
}

/**
 * Decode (decode.ts checks the values: a non-finite or absurd sample refuses the file, values
 * beyond full scale are clipped with a warning), check, resample and transform one file, block by
 * block (openAudio, SpectrogramStream): its samples are never all in memory, only the spectrogram
 * being built. Throws SflError naming the file; the decoder's warnings go to `onWarning`.
 */
export async function spectrogramOfAudio(input: AudioInput, params: SpectrumParams, onWarning?: (w: string) => void): Promise<Matrix> {
  const path = typeof input === 'string' ? input : input.name;
  const rate = (await probeAudio(input)).sampleRate;
  if (!(rate >= MIN_FILE_RATE && rate <= MAX_FILE_RATE)) {
    throw new SflError(`sample rate ${rate} Hz is outside ${MIN_FILE_RATE / 1000}-${MAX_FILE_RATE / 1000} kHz (corrupt header?)`, path);
  }
  const sound = await openAudio(input, { sampleRate: params.sampleRate, blockSize: BLOCK });
  const transform = new SpectrogramStream(params);
  const check = new SamplesCheck(path);
  const rows: Matrix[] = [];
  for await (const block of sound) {
    check.add(block);
    rows.push(transform.push(block));
  }
  for (const w of sound.warnings) onWarning?.(w);
  check.end(params);
  rows.push(transform.finish());
  const m = concatRows(rows, transform.width);
  // Belt and braces: whatever got through, no non-finite value leaves this function.
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) throw new SflError(`the spectrum has a non-finite value at frame ${Math.floor(i / m.cols)}`, path);
  }
  return m;
}

/**
 * Samples per block decoded and transformed at a time (2 MB of float32, 33 s at 16 kHz): what the
 * WAV reader reads at once from a mono 16-bit file, so its blocks pass through without a copy.
 */
const BLOCK = 1 << 19;

/** Refuses samples, seen block by block, that are not finite or all zero, or too few for a frame. */
class SamplesCheck {
  private peak = 0;
  private seen = 0;
  constructor(private readonly path: string) {}

  add(x: Float32Array): void {
    // One pass for the range, with a sum that a non-finite value turns non-finite; only then the
    // slow search for the sample to name.
    let lo = 0, hi = 0, sum = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      sum += v;
      if (v > hi) hi = v;
      else if (v < lo) lo = v;
    }
    if (!Number.isFinite(sum)) {
      const i = x.findIndex((v) => !Number.isFinite(v));
      throw new SflError(`sample ${this.seen + i} is ${x[i]} (non-finite samples: a corrupt file?)`, this.path);
    }
    this.peak = Math.max(this.peak, hi, -lo);
    this.seen += x.length;
  }

  end(params: SpectrumParams): void {
    if (this.peak === 0) throw new SflError('silent: every sample is zero', this.path);
    if (this.seen < params.frameSize) {
      throw new SflError(`too short: ${this.seen} samples at ${params.sampleRate} Hz, shorter than one frame (${params.frameSize})`, this.path);
    }
  }
}

/**
 * The checks every recording passes before it is transformed, for samples already decoded whole
 * (sfl classify): finite, not all zero, at least one frame long. Throws SflError naming `path`.
 */
export function checkRecordingSamples(samples: Float32Array, params: SpectrumParams, path: string): void {
  const check = new SamplesCheck(path);
  check.add(samples);
  check.end(params);
}

/** Spectrograms of many files, one rate, cached. */
export async function loadSpectra(paths: string[], settings: SpectrumSettings, opts: LoadOptions = {}): Promise<SpectraResult> {
  if (paths.length === 0) throw new SflError('no audio files to load');
  let rate: RateChoice;
  try {
    rate = await chooseSampleRate(paths, settings.sampleRate);
  } catch (e) {
    if (!(e instanceof SflError) || !opts.skipBad || !opts.allowNone) throw e;
    // No file can be read: each is still tried below, so each is skipped with its own reason.
    rate = { sampleRate: FALLBACK_RATE, note: 'sample rate: none of the files could be read' };
  }
  const params = resolveSpectrumParams(settings, rate.sampleRate);
  const stats = newCacheStats();
  const out: SpectraResult = { spectra: [], paths: [], skipped: [], warnings: [], params, rateNote: rate.note, audioSeconds: 0, cache: stats };
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    let streamed: Matrix | null = null;
    try {
      const m = await cachedCompute(path, params, () => spectrogramOfAudio(path, params, (w) => out.warnings.push(w)), {
        enabled: opts.cache ?? true,
        dir: opts.cacheDir,
        stats,
      });
      if (opts.consume) streamed = m;
      else out.spectra.push(m);
      out.paths.push(path);
      out.audioSeconds += ((m.rows - 1) * params.hop + params.frameSize) / params.sampleRate;
    } catch (e) {
      if (!opts.skipBad || !(e instanceof Error)) throw e;
      // One bad file never ends a folder scan; an error that is not ours is still named as such.
      out.skipped.push({ path, reason: e instanceof SflError ? e.message : `${path}: cannot be decoded (${e.message})` });
    }
    opts.onProgress?.(i + 1, paths.length);
    // Outside the try: an error of the consumer (e.g. out of disk) is not a bad file.
    if (streamed) opts.consume!(path, streamed);
  }
  if (out.paths.length === 0 && !opts.allowNone) {
    throw new SflError(
      paths.length === 1 ? out.skipped[0].reason : `none of the ${paths.length} files could be used; first problem: ${out.skipped[0]?.reason}`,
    );
  }
  return out;
}
