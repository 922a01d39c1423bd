/**
 * The spectrogram of a signal that arrives in blocks: samples in, frames (rows) out as soon as
 * every sample they cover has arrived, so a recording of any length is transformed holding only
 * the samples of the frames not yet done (about one frame) and a batch of frames being
 * transformed. `spectrogram()` (spectrogram.ts) is this stream fed the whole signal at once, so
 * there is one implementation of the pipeline, and blocks of any size give exactly the same
 * numbers (test/audio/spectrogram-stream.test.ts).
 *
 * Per batch of up to BATCH frames: window (frames.ts's rule: zero-padded or centred frames) ->
 * real FFT -> power or magnitude -> filterbank / cepstrum / DCT -> log, each stage over the batch
 * (a few hundred kilobytes, which stay in the processor's cache; a whole recording's frames
 * matrix would be four times the size of its samples).
 *
 * Three settings need the whole recording before any row is final: trimDb (the loudest frame),
 * topDb (the loudest value) and meanNormalise (column means). With any of them the rows are held
 * (one recording's spectrogram, never its samples or frames) and returned by finish().
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { barkFilterbank, specificLoudnessInPlace } from './bark.ts';
import { realCepstrum } from './cepstrum.ts';
import { spectrum } from './fft.ts';
import { applyFilterbank } from './filterbank.ts';
import { frameRows, reflectIndex } from './frames.ts';
import { melFilterbank } from './mel.ts';
import { mfccFromMel } from './mfcc.ts';
import { decibelsInPlace, logInPlace, topDbFloorInPlace } from './scale.ts';
import { spectrumBins, spectrumWidth, subtractColumnMeans, validateSpectrumParams, type SpectrumParams } from './spectrogram.ts';
import { getWindow } from './window.ts';

/** Frames transformed together: 256 frames of 256 samples are 256 KB of float32. */
const BATCH = 256;

/** Whether rows of `p` depend on the whole recording (see the file comment). */
export function needsWholeRecording(p: SpectrumParams): boolean {
  const bandsOrFft = p.transform === 'fft' || p.transform === 'mel' || p.transform === 'bark';
  return p.trimDb != null || p.meanNormalise || (bandsOrFft && p.log && p.logScale === 'db' && p.topDb != null);
}

/**
 * Spectral representation of a mono signal, one row per frame.
 *
 * Pipeline: frames (frames.ts: window, zero-padded last frame) -> FFT -> per transform:
 * fft: |X| or |X|^2 of the bins in fMin..fMax [-> log]; mel/bark: filterbank on |X| or |X|^2 [-> ^0.23 for bark loudness]
 * [-> log]; mfcc: mel -> ln(. + 1e-10) -> DCT-II ortho; cepstrum: IDFT(ln(|X| + 1e-10)) of the bins up to fMax;
 * with trimDb, the quiet frames at both ends are dropped first; with meanNormalise, each column
 * of the result minus its mean over the recording.
 * FFT plans, windows, filterbanks and DCT bases are cached by their parameters, so calling
 * this per file costs no setup after the first call. The same as a SpectrogramStream fed the
 * whole signal in one block (which it is).
 *
 * @param samples mono signal at params.sampleRate, nominally in [-1, 1].
 * @param params  see SpectrumParams; start from defaultSpectrumParams(sampleRate).
 * @returns Matrix (frames, spectrumWidth(params)), float32; (0, width) for an empty signal.
 * @throws SflError for invalid params.
 */
export function spectrogram(samples: Float32Array, params: SpectrumParams): Matrix {
  const stream = new SpectrogramStream(params);
  const head = stream.push(samples);
  return concatRows([head, stream.finish()], stream.width);
}

export class SpectrogramStream {
  readonly width: number;
  private readonly p: SpectrumParams;
  private readonly N: number;
  private readonly hop: number;
  /** Leading padding of centred frames (floor(N / 2)), 0 otherwise. */
  private readonly offset: number;
  private readonly reflect: boolean;
  private readonly window: Float32Array;
  private readonly whole: boolean;
  /** Samples from global index bufStart on (bufLength of them). */
  private buf = new Float32Array(0);
  private bufStart = 0;
  private bufLength = 0;
  private received = 0;
  /** Next frame to emit. */
  private next = 0;
  private readonly batch: Matrix;
  private readonly scratch: Scratch;
  private batchRows = 0;
  /** Rows computed by the current push / finish, or held until finish when `whole`. */
  private out: Matrix[] = [];
  /** The rows of the current push or finish (when not held for the whole recording). */
  private dest: Matrix | null = null;
  private destRows = 0;
  /** trimDb: energy (sum of squared windowed samples) of every frame so far. */
  private energy: Float64Array | null;
  private finished = false;

  /** @throws SflError for invalid params (validateSpectrumParams). */
  constructor(params: SpectrumParams) {
    validateSpectrumParams(params);
    this.p = params;
    this.N = params.frameSize;
    this.hop = params.hop;
    this.offset = params.center ? Math.floor(params.frameSize / 2) : 0;
    this.reflect = params.center && params.padMode === 'reflect';
    this.window = getWindow(params.window, params.frameSize);
    this.width = spectrumWidth(params);
    this.whole = needsWholeRecording(params);
    this.batch = matrix(BATCH, this.N);
    this.scratch = { spec: new Float32Array(BATCH * (this.N / 2 + 1)), bands: new Float32Array(BATCH * Math.max(1, params.bands)) };
    this.energy = params.trimDb != null ? new Float64Array(1024) : null;
  }

  /** Rows emitted so far (before any trimming). */
  get frames(): number {
    return this.next;
  }

  /**
   * Adds the next samples (mono, at params.sampleRate; not modified, not kept) and returns the rows
   * they complete: (rows, width), possibly 0 rows; always 0 rows when the whole recording is
   * needed (then finish() returns them all).
   */
  push(samples: Float32Array): Matrix {
    if (this.finished) throw new Error('SpectrogramStream: push after finish');
    this.append(samples);
    const { N, hop, offset } = this;
    // Frame t covers global samples [t*hop - offset, t*hop - offset + N); it is ready when they have
    // all arrived. A centred frame reflecting the start reads x[1..offset], which needs offset + 2
    // samples to be certain the reflection does not wrap (frames.ts reflectIndex).
    const settled = !this.reflect || this.received >= offset + 2;
    this.startOutput(Math.floor((this.received + offset - N) / hop) - this.next + 1);
    while (this.next * hop - offset + N <= this.received && (settled || this.next * hop - offset >= 0)) this.addFrame(this.next++, this.received);
    return this.take();
  }

  /**
   * Ends the signal: the last frames (zero-padded, or reflected with centre/reflect) and, when
   * the whole recording was needed, every row after trimming, the topDb floor and mean removal.
   */
  finish(): Matrix {
    if (this.finished) throw new Error('SpectrogramStream: finish called twice');
    this.finished = true;
    const n = this.received;
    const rows = frameRows(n, this.N, this.hop, this.p.center);
    this.startOutput(rows - this.next);
    while (this.next < rows) this.addFrame(this.next++, n, true);
    this.flush();
    if (!this.whole) return this.take();
    let S = concatRows(this.out, this.width);
    this.out = [];
    if (this.energy && S.rows > 0) {
      const { start, end } = loudRangeOfEnergy(this.energy.subarray(0, this.next), this.p.trimDb!);
      S = { data: S.data.subarray(start * S.cols, end * S.cols), rows: end - start, cols: S.cols };
    }
    const p = this.p;
    if (p.topDb != null && p.log && p.logScale === 'db' && (p.transform === 'fft' || p.transform === 'mel' || p.transform === 'bark')) topDbFloorInPlace(S, p.topDb);
    return p.meanNormalise ? subtractColumnMeans(S) : S;
  }

  private append(x: Float32Array): void {
    // Keep the samples from the next frame's start on, and a frame before it: a reflected last
    // frame reads up to a frame back (see frames.ts reflectIndex).
    const keepFrom = Math.max(0, this.next * this.hop - this.offset - this.N);
    const drop = Math.min(this.bufLength, Math.max(0, keepFrom - this.bufStart));
    const kept = this.bufLength - drop;
    const need = kept + x.length;
    if (need > this.buf.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.buf.length));
      grown.set(this.buf.subarray(drop, this.bufLength));
      this.buf = grown;
    } else if (drop > 0) {
      this.buf.copyWithin(0, drop, this.bufLength);
    }
    this.buf.set(x, kept);
    this.bufStart += drop;
    this.bufLength = need;
    this.received += x.length;
  }

  /** Windows frame t into the batch; `n` = samples known; `final`: n is the signal's length. */
  private addFrame(t: number, n: number, final = false): void {
    const N = this.N;
    const w = this.window;
    const buf = this.buf;
    const start = t * this.hop - this.offset;
    const d = this.batch.data;
    const base = this.batchRows * N;
    const at = start - this.bufStart;
    if (start >= 0 && start + N <= n) {
      for (let j = 0; j < N; j++) d[base + j] = buf[at + j] * w[j];
    } else {
      const jFrom = Math.max(0, -start);
      const jTo = Math.min(N, n - start);
      for (let j = jFrom; j < jTo; j++) d[base + j] = buf[at + j] * w[j];
      // Outside the signal: zeros, or with centre/reflect the signal mirrored about its end samples.
      const bs = this.bufStart;
      for (let j = 0; j < jFrom; j++) d[base + j] = this.reflect ? buf[(final ? reflectIndex(start + j, n) : -(start + j)) - bs] * w[j] : 0;
      for (let j = Math.max(jTo, 0); j < N; j++) d[base + j] = this.reflect ? buf[reflectIndex(start + j, n) - bs] * w[j] : 0;
    }
    if (this.energy) this.recordEnergy(t, d.subarray(base, base + N));
    if (++this.batchRows === BATCH) this.flush();
  }

  private recordEnergy(t: number, frame: Float32Array): void {
    let s = 0;
    for (let j = 0; j < frame.length; j++) s += frame[j] * frame[j];
    if (t >= this.energy!.length) {
      const grown = new Float64Array(2 * this.energy!.length);
      grown.set(this.energy!);
      this.energy = grown;
    }
    this.energy![t] = s;
  }

  /** Transforms the frames in the batch. */
  private flush(): void {
    if (this.batchRows === 0) return;
    const frames = { data: this.batch.data.subarray(0, this.batchRows * this.N), rows: this.batchRows, cols: this.N };
    const rows = transformFrames(frames, this.p, this.scratch);
    if (this.dest) {
      this.dest.data.set(rows.data.subarray(0, rows.rows * rows.cols), this.destRows * this.width);
      this.destRows += rows.rows;
    } else {
      const inScratch = rows.data.buffer === this.scratch.spec.buffer || rows.data.buffer === this.scratch.bands.buffer;
      this.out.push(inScratch ? { data: rows.data.slice(), rows: rows.rows, cols: rows.cols } : rows);
    }
    this.batchRows = 0;
  }

  /** Where the rows of this push or finish go: one matrix of at most `rows` rows (none when the whole recording is held). */
  private startOutput(rows: number): void {
    this.dest = this.whole ? null : matrix(Math.max(0, rows), this.width);
    this.destRows = 0;
  }

  /** The rows computed since the last take (none while the whole recording is held). */
  private take(): Matrix {
    if (this.whole || !this.dest) return matrix(0, this.width);
    if (!this.finished) this.flush();
    const m = this.dest;
    const rows = this.destRows;
    this.dest = null;
    return rows === m.rows ? m : { data: m.data.subarray(0, rows * this.width), rows, cols: this.width };
  }
}

/** Buffers reused from batch to batch (a batch's spectrum and band energies). */
interface Scratch {
  spec: Float32Array;
  bands: Float32Array;
}

/**
 * Windowed frames (rows, frameSize) -> their rows of the spectrogram, each row on its own (the
 * topDb floor, trimming and mean removal, which need the whole recording, are not done here).
 * The result may be a view of `scratch`.
 */
function transformFrames(frames: Matrix, p: SpectrumParams, scratch: Scratch): Matrix {
  if (p.transform === 'cepstrum') return realCepstrum(frames, p.coefficients, spectrumBins(p).last);
  const spec = spectrum(frames, p.power, scratch.spec);
  const bankOptions = { sampleRate: p.sampleRate, frameSize: p.frameSize, bands: p.bands, fMin: p.fMin, fMax: p.fMax };
  const melOptions = { ...bankOptions, scale: p.melScale, norm: p.melNorm };
  const compress = (m: Matrix) => (!p.log ? m : p.logScale === 'db' ? decibelsInPlace(m, null) : logInPlace(m));
  switch (p.transform) {
    case 'fft':
      return compress(binsBetween(spec, spectrumBins(p)));
    case 'mel':
      return compress(applyFilterbank(spec, melFilterbank(melOptions), scratch.bands));
    case 'bark': {
      const bark = applyFilterbank(spec, barkFilterbank(bankOptions), scratch.bands);
      if (p.specificLoudness) specificLoudnessInPlace(bark);
      return compress(bark);
    }
    case 'mfcc':
      return mfccFromMel(applyFilterbank(spec, melFilterbank(melOptions), scratch.bands), p.coefficients);
  }
}

/** Columns first .. last of every row, moved to the front of `m`'s own storage (each row moves down, never over one not yet moved). */
function binsBetween(m: Matrix, { first, last }: { first: number; last: number }): Matrix {
  const width = last - first + 1;
  if (width === m.cols) return m;
  for (let t = 0; t < m.rows; t++) m.data.copyWithin(t * width, t * m.cols + first, t * m.cols + last + 1);
  return { data: m.data.subarray(0, m.rows * width), rows: m.rows, cols: width };
}

/** Rows [start, end) from the first to the last frame within `db` dB of the loudest (energies given). */
function loudRangeOfEnergy(energy: Float64Array, db: number): { start: number; end: number } {
  let max = 0;
  for (let t = 0; t < energy.length; t++) if (energy[t] > max) max = energy[t];
  const threshold = max * 10 ** (-db / 10);
  let start = 0, end = energy.length;
  while (start < end - 1 && energy[start] < threshold) start++;
  while (end - 1 > start && energy[end - 1] < threshold) end--;
  return { start, end };
}

/** The matrices' rows one after another (no copy for a single matrix). */
export function concatRows(parts: Matrix[], cols: number): Matrix {
  parts = parts.filter((m) => m.rows > 0);
  if (parts.length === 1) return parts[0];
  const rows = parts.reduce((n, m) => n + m.rows, 0);
  const out = matrix(rows, cols);
  let at = 0;
  for (const m of parts) {
    out.data.set(m.data.subarray(0, m.rows * cols), at);
    at += m.rows * cols;
  }
  return out;
}
