/**
 * From audio files to spectrograms: decode, resample to one rate, transform, with the on-disk cache.
 *
 * The target rate: `sampleRate` when given; otherwise the most common rate among the files (ties:
 * the higher rate, so no file loses bandwidth it has), every other file resampled to it, and a
 * line saying so. When that upsamples some files and no fMax was given, every transform stops at
 * the lowest native Nyquist frequency (resolveSpectrum), so no column is dark for the upsampled
 * files only; the run records the range used and why (Framing).
 * A file that cannot be used (unreadable, undecodable, an absurd rate, non-finite
 * or absurdly large samples, silent, too short) is skipped with its reason in a folder scan
 * (skipBad) and is an error naming it otherwise; no spectrum with a non-finite value is returned.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from '../compute/matrix.ts';
import { openAudio, probeAudio, MAX_SAMPLE_RATE, type AudioInput, type AudioProbe } from '../audio/decode.ts';
import { frameRows } from '../audio/frames.ts';
import { resolveSpectrum, spectrumWidth, SPECTRUM_DEFAULTS, type FrequencyRange, type SpectrumParams, type SpectrumSettings as BaseSettings } from '../audio/spectrogram.ts';
import { HALF_FRAME, samplesToMs, type HopLength, type SampleLength } from '../audio/frame-length.ts';
import { concatRows, needsWholeRecording, SpectrogramStream } from '../audio/spectrogram-stream.ts';
import { blocksOfMatrix, collectRows, type RowBlocks } from '../data/row-blocks.ts';
import { lookupCache, MatrixFileWriter, newCacheStats, openEntry, type CacheLookup, type CacheStats } from '../data/spectra-cache.ts';
import { ReadAhead } from '../util/read-ahead.ts';
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
/**
 * Files whose header is read, or whose cache entry is looked up, ahead of the one being read: a
 * few file-system round trips each, which otherwise leave the main thread idle one after another
 * (about 1.5 s of FSDD's 2500 files). Nothing is decoded ahead, and a look-up holds at most one
 * open file.
 */
const LOOK_AHEAD = 8;

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
export type SpectrumSettings = Partial<BaseSettings> & {
  sampleRate?: number | null;
  fMax?: number | null;
};

/**
 * The frame size and hop a run used, in samples and in milliseconds, and the frequencies it
 * analysed, beside what was asked for (a duration like "32ms" or a number of samples; "Nyquist"):
 * what run records keep, since a duration means different samples at different rates and the
 * upper frequency may have been lowered for a folder of mixed rates.
 */
export interface Framing {
  sampleRate: number;
  frameSize: number;
  hop: number;
  frameMs: number;
  hopMs: number;
  /** The frequencies analysed, Hz (fft: the bins kept lie in this range; cepstrum: of the log spectrum up to fMax). */
  fMin: number;
  fMax: number;
  /** As asked: the hop may be "half" (half the frame, the default), fMax "Nyquist" (the default). */
  asked: { frameSize: SampleLength; hop: HopLength; fMin: number; fMax: number | 'Nyquist' };
  /** Why fMax is below the Nyquist frequency of the sample rate without being asked (absent when it is not). */
  fMaxCapped?: string;
}

/** The framing and frequency range of resolved `params`, asked as `settings` say (the defaults where they say nothing). */
export function framingOf(settings: SpectrumSettings, params: SpectrumParams, range?: FrequencyRange): Framing {
  const f: Framing = {
    sampleRate: params.sampleRate,
    frameSize: params.frameSize,
    hop: params.hop,
    frameMs: samplesToMs(params.frameSize, params.sampleRate),
    hopMs: samplesToMs(params.hop, params.sampleRate),
    fMin: params.fMin,
    fMax: params.fMax,
    asked: {
      frameSize: settings.frameSize ?? SPECTRUM_DEFAULTS.frameSize,
      hop: settings.hop ?? SPECTRUM_DEFAULTS.hop,
      fMin: settings.fMin ?? SPECTRUM_DEFAULTS.fMin,
      fMax: range?.askedFMax ?? settings.fMax ?? 'Nyquist',
    },
  };
  if (range?.cappedBy) {
    f.fMaxCapped = `the Nyquist frequency of the files at ${range.cappedBy} Hz (the lowest rate among them): files upsampled to ${params.sampleRate} Hz have nothing above it, and features would learn which rate a file had`;
  }
  return f;
}

/** "frames of 1024 samples (23.2 ms; asked 32ms) every 512 samples (11.6 ms; half the frame), 0-8000 Hz". */
function framingNote(f: Framing): string {
  const how = (asked: HopLength) => (asked === HALF_FRAME ? '; half the frame' : typeof asked === 'string' ? `; asked ${asked}` : '');
  const part = (n: number, ms: number, asked: HopLength) => `${n} samples (${ms} ms${how(asked)})`;
  return `frames of ${part(f.frameSize, f.frameMs, f.asked.frameSize)} every ${part(f.hop, f.hopMs, f.asked.hop)}, ${f.fMin}-${f.fMax} Hz`;
}

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
  /** One line for the user: the rate analysed at and why, and the frames in samples and ms. */
  rateNote: string;
  /** The frame and hop as asked and as used (for the run's records). */
  framing: Framing;
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
  /**
   * Called with (done, total) files as they are read: after each file, and within a file as its
   * blocks pass, with the share of its frames read (done fractional), so that progress moves
   * within a long recording too.
   */
  onProgress?: (done: number, total: number) => void;
  /**
   * Streaming: each file's spectrogram is handed to `consume` as soon as it is computed and not
   * kept (`spectra` stays empty; `paths` still lists the files used), so memory is one
   * recording's, whatever the number of files.
   */
  consume?: (path: string, spectrum: Matrix) => void;
  /**
   * Streaming a block at a time: each file's spectrogram is handed to `consumeBlocks` as blocks of
   * frames (its frame count known before the first; see SpectrogramBlocks) and is never held
   * (`spectra` stays empty), so memory is a block, whatever the length of a recording. If the
   * iteration throws (the file turned out to be bad), the consumer discards what it took from it
   * and lets the error through: the file is then skipped (skipBad) like any bad file. Frames the
   * consumer leaves unread are still decoded (and checked) before the next file.
   */
  consumeBlocks?: (path: string, spectrum: SpectrogramBlocks) => Promise<void>;
}

/**
 * A file's blocks with the file's own errors told apart from the consumer's (`error`), and one
 * underlying iteration shared by every for-await over it: a consumer that stops early leaves the
 * rest for drain().
 */
class GuardedBlocks implements SpectrogramBlocks {
  readonly rows: number;
  readonly cols: number;
  error: unknown = undefined;
  private readonly it: AsyncIterator<Matrix>;

  constructor(readonly path: string, source: RowBlocks, private readonly onRows?: (read: number) => void) {
    this.rows = source.rows;
    this.cols = source.cols;
    this.it = source[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): AsyncIterator<Matrix> {
    // No return(): a consumer's break does not close the file, drain() reads on.
    return { next: () => this.next() };
  }

  async drain(): Promise<void> {
    while (!(await this.next()).done);
  }

  async close(): Promise<void> {
    await this.it.return?.().catch(() => undefined);
  }

  private read = 0;

  private async next(): Promise<IteratorResult<Matrix>> {
    try {
      const r = await this.it.next();
      if (!r.done) this.onRows?.((this.read += r.value.rows));
      return r;
    } catch (e) {
      this.error = e;
      throw e;
    }
  }
}

export interface RateChoice {
  sampleRate: number;
  /** One line for the user: which rate and why. */
  note: string;
  /** The native rates of the files whose header could be read (each once). */
  nativeRates: number[];
}

/**
 * Chooses the rate the whole set is analysed at, reading only the start of each file (samples are
 * read once, when decoded). Files whose rate cannot be read here, or is outside
 * MIN_FILE_RATE..MAX_FILE_RATE, do not vote; they are reported when they are decoded.
 */
async function chooseSampleRate(paths: string[], requested: number | null | undefined): Promise<RateChoice> {
  const counts = new Map<number, number>();
  const peeks = new ReadAhead(paths.length, (i) => peekRate(paths[i]), LOOK_AHEAD);
  for (let i = 0; i < paths.length; i++) {
    const rate = await peeks.take(i);
    if (rate !== null && rate >= MIN_FILE_RATE && rate <= MAX_FILE_RATE) counts.set(rate, (counts.get(rate) ?? 0) + 1);
  }
  const nativeRates = [...counts.keys()];
  if (requested) return { sampleRate: requested, nativeRates, note: `sample rate: ${requested} Hz (as asked); files at other rates are resampled` };
  if (counts.size === 0) {
    throw new SflError(`none of the ${paths.length} file(s) could be read as audio${paths.length === 1 ? '' : `, e.g. ${paths[0]}`}`, paths.length === 1 ? paths[0] : undefined);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0]);
  const [rate] = ranked[0];
  if (ranked.length === 1) return { sampleRate: rate, nativeRates, note: `sample rate: ${rate} Hz (every file)` };
  const tally = ranked.map(([r, n]) => `${n} at ${r} Hz`).join(', ');
  return {
    sampleRate: rate,
    nativeRates,
    note: `sample rate: ${rate} Hz, the most common (${tally}); the others are resampled to it (--sample-rate to choose)`,
  };
}

/**
 * One recording's spectrogram as blocks of frames (rows), its frame count known before the first
 * block (data/row-blocks.ts), so that no consumer ever needs it whole. `warnings` (what the
 * decoder repaired, one sentence each naming the file) is complete once iteration has ended.
 */
export interface SpectrogramBlocks extends RowBlocks {
  readonly path: string;
}

/**
 * Decode (decode.ts checks the values: a non-finite or absurd sample refuses the file, values
 * beyond full scale are clipped with a warning), check, resample and transform one file, block by
 * block (openAudio, SpectrogramStream). Memory: a block of samples and its frames, whatever the
 * recording's length, in three ways depending on what is known before decoding:
 *  - the usual case, a file that declares its exact length (WAV, FLAC, Ogg): the frame count
 *    follows from it (resampled length round(n * rate / fileRate), frames.ts's frameRows), and the
 *    frames stream straight through;
 *  - a length known only after decoding (MP3): the frames are spilled to a temporary file in the
 *    system's temporary folder (removed at once; 4 bytes per value) and read back in blocks;
 *  - settings that need the whole recording before any frame is final (trimDb, topDb,
 *    meanNormalise; see spectrogram-stream.ts): one recording's spectrogram is held.
 * Opening probes the file (SflError naming it for a bad header or rate); iteration throws an
 * SflError naming the file for anything found while decoding (the consumer then discards what it
 * took); `onWarning` gets the decoder's warnings when decoding ends.
 */
export async function openSpectrogram(input: AudioInput, params: SpectrumParams, onWarning?: (w: string) => void): Promise<SpectrogramBlocks> {
  const path = typeof input === 'string' ? input : input.name;
  const probe = await probeAudio(input);
  const rate = probe.sampleRate;
  if (!(rate >= MIN_FILE_RATE && rate <= MAX_FILE_RATE)) {
    throw new SflError(`sample rate ${rate} Hz is outside ${MIN_FILE_RATE / 1000}-${MAX_FILE_RATE / 1000} kHz (corrupt header?)`, path);
  }
  const width = spectrumWidth(params);
  const frames = () => spectrogramFrames(input, probe, path, params, onWarning);
  const known = declaredFrames(probe, params);
  if (known !== null) return { path, rows: known, cols: width, [Symbol.asyncIterator]: () => exactly(frames(), known, path) };
  if (needsWholeRecording(params)) return { path, ...blocksOfMatrix(concatRows(await arrayFrom(frames()), width)) };
  return { path, ...(await spill(frames(), width, path)) };
}

/** The whole spectrogram of a file (openSpectrogram's blocks together), for short recordings. */
export async function spectrogramOfAudio(input: AudioInput, params: SpectrumParams, onWarning?: (w: string) => void): Promise<Matrix> {
  return collectRows(await openSpectrogram(input, params, onWarning));
}

/** Frames the file will give, from its declared length; null when unknown before decoding. */
function declaredFrames(probe: AudioProbe, params: SpectrumParams): number | null {
  if (probe.frames === null || probe.framesTolerance !== 0 || needsWholeRecording(params)) return null;
  // The resampler's own rule (resample.ts StreamResampler.finish), the same expression.
  const samples = probe.sampleRate === params.sampleRate ? probe.frames : Math.round(probe.frames * (params.sampleRate / probe.sampleRate));
  return frameRows(samples, params.frameSize, params.hop, params.center);
}

/** The frames of a file in the blocks decoding gives (the samples checked, every value finite). */
async function* spectrogramFrames(input: AudioInput, probe: AudioProbe, path: string, params: SpectrumParams, onWarning?: (w: string) => void): AsyncGenerator<Matrix> {
  const transform = new SpectrogramStream(params);
  // The header was read once, by openSpectrogram: the stream decodes with what it said.
  const sound = await openAudio(input, { sampleRate: params.sampleRate, blockSize: BLOCK, probe });
  const check = new SamplesCheck(path);
  let frame = 0;
  // Belt and braces: whatever got through, no non-finite value leaves this function.
  const finite = (m: Matrix) => {
    for (let i = 0; i < m.data.length; i++) {
      if (!Number.isFinite(m.data[i])) throw new SflError(`the spectrum has a non-finite value at frame ${frame + Math.floor(i / m.cols)}`, path);
    }
    frame += m.rows;
    return m;
  };
  for await (const block of sound) {
    check.add(block);
    const m = transform.push(block);
    if (m.rows > 0) yield finite(m);
  }
  for (const w of sound.warnings) onWarning?.(w);
  check.end(params);
  const last = transform.finish();
  if (last.rows > 0) yield finite(last);
}

/** `blocks`, checked to hold exactly the `rows` announced before decoding. */
async function* exactly(blocks: AsyncIterable<Matrix>, rows: number, path: string): AsyncGenerator<Matrix> {
  let got = 0;
  for await (const b of blocks) {
    got += b.rows;
    if (got > rows) break;
    yield b;
  }
  if (got !== rows) throw new Error(`${path}: the spectrogram has ${got} frames, ${rows} were expected from the file's declared length`);
}

async function arrayFrom<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Blocks of unknown total written to a temporary file, then read back from it with their count. */
async function spill(blocks: AsyncIterable<Matrix>, cols: number, path: string): Promise<RowBlocks> {
  const file = join(tmpdir(), `sfl-spectrogram-${process.pid}-${randomBytes(6).toString('hex')}.f32`);
  const writer = new MatrixFileWriter(file, cols);
  try {
    for await (const b of blocks) writer.append(b);
    writer.close();
  } catch (e) {
    writer.abort();
    throw e;
  }
  const back = await openEntry(file, true);
  if (!back || back === 'corrupt') throw new Error(`${path}: the spectrogram spilled to ${file} cannot be read back`);
  return back;
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
    rate = { sampleRate: FALLBACK_RATE, nativeRates: [], note: 'sample rate: none of the files could be read' };
  }
  const { params, range } = resolveSpectrum(settings, rate.sampleRate, { nativeRates: rate.nativeRates });
  const framing = framingOf(settings, params, range);
  const stats = newCacheStats();
  const capNote = range.cappedBy
    ? `; analysed up to ${range.fMax} Hz, the Nyquist frequency of the files at ${range.cappedBy} Hz, since upsampled files have nothing above it and features would learn which rate a file had (--fmax to choose)`
    : '';
  const rateNote = `${rate.note}${capNote}; ${framingNote(framing)}`;
  const out: SpectraResult = { spectra: [], paths: [], skipped: [], warnings: [], params, rateNote, framing, audioSeconds: 0, cache: stats };
  const lookups = new ReadAhead(paths.length, (i) => lookupCache(paths[i], params, { enabled: opts.cache ?? true, dir: opts.cacheDir, stats }), LOOK_AHEAD);
  try {
    await readEach();
  } finally {
    // Files looked up and never read (an error ended the loop): their entries are closed.
    await lookups.dispose((l: CacheLookup) => l.release());
  }
  if (out.paths.length === 0 && !opts.allowNone) {
    throw new SflError(
      paths.length === 1 ? out.skipped[0].reason : `none of the ${paths.length} files could be used; first problem: ${out.skipped[0]?.reason}`,
    );
  }
  return out;

  async function readEach(): Promise<void> {
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i];
      let whole: Matrix | null = null;
      let source: GuardedBlocks | null = null;
      try {
        const opened = await (await lookups.take(i)).blocks(() => openSpectrogram(path, params, (w) => out.warnings.push(w)));
        source = new GuardedBlocks(path, opened, (read) => opened.rows > 0 && opts.onProgress?.(i + Math.min(read / opened.rows, 0.999), paths.length));
        if (opts.consumeBlocks) await opts.consumeBlocks(path, source);
        else whole = await collectRows(source);
        // Decoded to the end even when the consumer did not want the frames, so every file is checked.
        await source.drain();
        if (whole && !opts.consume) out.spectra.push(whole);
        out.paths.push(path);
        out.audioSeconds += ((opened.rows - 1) * params.hop + params.frameSize) / params.sampleRate;
      } catch (e) {
        await source?.close();
        // An error of the consumer (e.g. out of disk) is not a bad file: only the file's own are.
        const fromFile = source === null || source.error === e;
        if (!fromFile || !opts.skipBad || !(e instanceof Error)) throw e;
        // One bad file never ends a folder scan; an error that is not ours is still named as such.
        out.skipped.push({ path, reason: e instanceof SflError ? e.message : `${path}: cannot be decoded (${e.message})` });
        whole = null;
      }
      opts.onProgress?.(i + 1, paths.length);
      // Outside the try: an error of the consumer (e.g. out of disk) is not a bad file.
      if (whole && opts.consume) opts.consume(path, whole);
    }
  }
}
