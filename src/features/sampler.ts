/**
 * Windows of consecutive spectrogram frames: the "patches" the autoencoder learns from.
 *
 * A spectrogram is a Matrix of frames x bands (time-major rows: row t is frame t). A window is K
 * consecutive frames, flattened into one row vector of K * bands values. See `windowLayout`.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { mulberry32, type Rng } from '../util/random.ts';
import { requireMemory } from '../util/memory.ts';
import type { RowRange } from './pooling.ts';

/**
 * THE window layout, used by every stage that builds or reads window vectors (sampling, feature
 * extraction, drawing each hidden unit's weights back as a K x bands picture):
 *
 *   vector index = t * bands + b,   frame t in 0..K-1 (t = 0 is the earliest), band b in 0..bands-1
 *
 * i.e. time-major: the window's frames are concatenated in time order, exactly the rows of the
 * spectrogram laid end to end. Reading the vector as a K x bands row-major matrix gives the window
 * back (rows = frames, columns = bands). Use `windowIndex` rather than repeating the formula.
 */
export const windowLayout = {
  order: 'time-major',
  formula: 'index = t * bands + b',
  description: 'frame t (0 = earliest) of K, band b of bands; the K frames concatenated in time order',
} as const;

/** Index in a window vector of frame t (0..K-1) and band b (0..bands-1); see `windowLayout`. */
export function windowIndex(t: number, b: number, bands: number): number {
  return t * bands + b;
}

/** Windows drawn per distinct window from which the training data is said to repeat itself. */
const REPEATED_WINDOWS_NOTE = 5;

/**
 * The note for a draw of `count` windows (with replacement) from recordings holding only
 * `available` distinct ones, or null when they repeat less than REPEATED_WINDOWS_NOTE times on
 * average. The default (100,000) is sized for hours of audio; a folder of short clips holds far
 * fewer, and drawing each many times only multiplies the training time.
 */
export function repeatedWindowsNote(count: number, available: number, what: string): string | null {
  if (available <= 0 || count < REPEATED_WINDOWS_NOTE * available) return null;
  return (
    `note: the recordings hold ${available} distinct ${what}, so the ${count} drawn repeat each ${Math.round(count / available)} times on average; ` +
    `--windows ${available} trains on nearly the same data in a fraction of the time`
  );
}

/** Number of windows of K frames with the given hop in a recording of `frames` frames. */
export function windowCount(frames: number, K: number, hop = 1): number {
  return frames < K ? 0 : Math.floor((frames - K) / hop) + 1;
}

export interface SampleOptions {
  /** Number of windows to draw (rows of the result). */
  count: number;
  /** Frames per window, K. Default 4. */
  frames?: number;
  /** Seed for a mulberry32 generator, or a generator from src/util/random.ts. Default seed 0. */
  seed?: number | Rng;
}

/**
 * Refuses a window count whose matrix cannot fit in memory, before allocating it. The estimate is
 * three copies (the windows, their normalised and their whitened forms) of count x K*bands float32.
 */
export function checkWindowMemory(count: number, K: number, bands: number): void {
  const values = count * K * bands;
  requireMemory(values * 4 * 3, values, `${count} windows of ${K} x ${bands} values`, 'use fewer windows (--windows, windows.count)');
}

function checkK(K: number, what: string): void {
  if (!Number.isInteger(K) || K < 1) throw new SflError(`${what}: frames per window must be a positive integer, got ${K}`);
}

function checkSpecs(specs: readonly Matrix[], what: string): number {
  if (!Array.isArray(specs) || specs.length === 0) throw new SflError(`${what}: no spectrograms were given`);
  let bands = 0;
  specs.forEach((s, i) => {
    if (!s || !(s.data instanceof Float32Array) || s.data.length !== s.rows * s.cols) {
      throw new SflError(`${what}: spectrogram ${i} is not a well-formed Matrix (frames x bands)`);
    }
    if (i === 0) bands = s.cols;
    else if (s.cols !== bands) {
      throw new SflError(`${what}: spectrogram ${i} has ${s.cols} bands but spectrogram 0 has ${bands}; all must use the same bands`);
    }
  });
  if (bands < 1) throw new SflError(`${what}: spectrograms have no bands (0 columns)`);
  return bands;
}

/** The windows drawn: for each, the recording it lies in and its first frame. */
export interface WindowDraws {
  recording: Int32Array;
  start: Int32Array;
}

/**
 * Draws windows of K frames among recordings known only by their frame counts, so that the
 * spectrograms can be produced after the draw (streamed-patches.ts) or be in memory already
 * (sampleWindows): both then draw the same windows from the same random numbers.
 */
export class WindowPicker {
  /** cumulative[i] = number of windows in recordings 0..i-1. */
  private readonly cumulative: Float64Array;
  /** Windows in all recordings. */
  readonly total: number;

  /** Throws, naming `what`, when no recording has K frames. */
  constructor(frames: readonly number[], K: number, what: string) {
    this.cumulative = new Float64Array(frames.length + 1);
    for (let i = 0; i < frames.length; i++) this.cumulative[i + 1] = this.cumulative[i] + windowCount(frames[i], K);
    this.total = this.cumulative[frames.length];
    if (this.total === 0) {
      let longest = 0;
      for (const n of frames) longest = Math.max(longest, n);
      throw new SflError(`${what}: no recording has ${K} frames (the longest has ${longest}), so no window of ${K} frames can be drawn`);
    }
  }

  /**
   * `count` windows, with replacement, one random number each under 'duration' (the window's index
   * among all windows), two under 'balanced' (the recording among those with a window, then the
   * window of it); see SamplingPolicy.
   */
  draw(count: number, rng: Rng, policy: SamplingPolicy = 'duration'): WindowDraws {
    const { cumulative, total } = this;
    const recordings = cumulative.length - 1;
    const draws: WindowDraws = { recording: new Int32Array(count), start: new Int32Array(count) };
    if (policy === 'balanced') {
      const usable: number[] = [];
      for (let i = 0; i < recordings; i++) if (cumulative[i + 1] > cumulative[i]) usable.push(i);
      for (let r = 0; r < count; r++) {
        const i = usable[Math.min(usable.length - 1, Math.floor(rng() * usable.length))];
        const n = cumulative[i + 1] - cumulative[i];
        draws.recording[r] = i;
        draws.start[r] = Math.min(n - 1, Math.floor(rng() * n));
      }
      return draws;
    }
    for (let r = 0; r < count; r++) {
      const w = Math.min(total - 1, Math.floor(rng() * total));
      // Largest i with cumulative[i] <= w: the recording holding window w.
      let lo = 0, hi = recordings - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (cumulative[mid] <= w) lo = mid; else hi = mid - 1;
      }
      draws.recording[r] = lo;
      draws.start[r] = w - cumulative[lo];
    }
    return draws;
  }
}

/**
 * Draws `count` random windows of K consecutive frames from the spectrograms, with replacement,
 * every window of every recording equally likely (a recording is chosen with probability
 * proportional to its number of windows, then a start frame uniformly). Recordings shorter than K
 * frames contribute none. Returns count x (K * bands) in the `windowLayout`.
 */
export function sampleWindows(specs: readonly Matrix[], opts: SampleOptions): Matrix {
  const what = 'sampleWindows';
  const { count, frames: K = 4, seed = 0 } = opts;
  checkK(K, what);
  if (!Number.isInteger(count) || count < 0) throw new SflError(`${what}: count must be a non-negative integer, got ${count}`);
  const bands = checkSpecs(specs, what);
  const picker = new WindowPicker(specs.map((s) => s.rows), K, what);
  const rng: Rng = typeof seed === 'function' ? seed : mulberry32(seed);
  const width = K * bands;
  checkWindowMemory(count, K, bands);
  const { recording, start } = picker.draw(count, rng);
  const out = matrix(count, width);
  for (let r = 0; r < count; r++) {
    const s = specs[recording[r]];
    out.data.set(s.data.subarray(start[r] * bands, start[r] * bands + width), r * width);
  }
  return out;
}

/**
 * Every window of K frames of one spectrogram, starting at frames 0, hop, 2*hop, ...
 * Returns windowCount(frames, K, hop) x (K * bands) in the `windowLayout` (0 rows if too short).
 */
export function slidingWindows(spec: Matrix, K: number, hop = 1): Matrix {
  const what = 'slidingWindows';
  checkK(K, what);
  if (!Number.isInteger(hop) || hop < 1) throw new SflError(`${what}: hop must be a positive integer, got ${hop}`);
  const bands = checkSpecs([spec], what);
  const n = windowCount(spec.rows, K, hop);
  const width = K * bands;
  const out = matrix(n, width);
  for (let i = 0; i < n; i++) {
    const start = i * hop;
    out.data.set(spec.data.subarray(start * bands, start * bands + width), i * width);
  }
  return out;
}

export interface AllWindows {
  /** All windows of all recordings, recording by recording, in the `windowLayout`. */
  windows: Matrix;
  /** ranges[i] = rows of `windows` from recording i (empty, start === end, if it is shorter than K). */
  ranges: RowRange[];
}

/** slidingWindows of every spectrogram stacked into one matrix, plus each recording's row range. */
export function allWindows(specs: readonly Matrix[], K: number, hop = 1): AllWindows {
  const what = 'allWindows';
  checkK(K, what);
  if (!Number.isInteger(hop) || hop < 1) throw new SflError(`${what}: hop must be a positive integer, got ${hop}`);
  const bands = checkSpecs(specs, what);
  const counts = specs.map((s) => windowCount(s.rows, K, hop));
  const total = counts.reduce((a, b) => a + b, 0);
  const width = K * bands;
  const windows = matrix(total, width);
  const ranges: RowRange[] = [];
  let row = 0;
  specs.forEach((s, i) => {
    for (let j = 0; j < counts[i]; j++) {
      const start = j * hop;
      windows.data.set(s.data.subarray(start * bands, start * bands + width), (row + j) * width);
    }
    ranges.push({ start: row, end: row + counts[i] });
    row += counts[i];
  });
  return { windows, ranges };
}

export interface PatchOptions {
  count: number;
  /** Patch height: frames (spectrograms) or pixel rows (images). */
  height: number;
  /** Patch width: bands (spectrograms) or pixel columns (images). */
  width: number;
  seed?: number | Rng;
}

/**
 * Draws `count` random height x width patches, with replacement, every patch position of every
 * matrix equally likely: a window of `height` rows drawn as sampleWindows does, then a column
 * offset uniformly. For spectrograms (frames x bands) a patch is K frames by a band range, for
 * images (rows x columns) an image patch. Returns count x (height * width), each patch row-major
 * (index y * width + x), which for full-width patches is exactly the `windowLayout`.
 */
export function samplePatches(specs: readonly Matrix[], opts: PatchOptions): Matrix {
  const what = 'samplePatches';
  const { count, height, width, seed = 0 } = opts;
  const cols = checkSpecs(specs, what);
  if (!Number.isInteger(width) || width < 1 || width > cols) {
    throw new SflError(`${what}: patch width must be an integer from 1 to ${cols} (the columns of the input), got ${width}`);
  }
  const rng: Rng = typeof seed === 'function' ? seed : mulberry32(seed);
  const windows = sampleWindows(specs, { count, frames: height, seed: rng });
  if (width === cols) return windows;
  const out = matrix(count, height * width);
  const offsets = cols - width + 1;
  for (let r = 0; r < count; r++) {
    const x0 = Math.min(offsets - 1, Math.floor(rng() * offsets));
    for (let y = 0; y < height; y++) {
      const src = r * height * cols + y * cols + x0;
      out.data.set(windows.data.subarray(src, src + width), (r * height + y) * width);
    }
  }
  return out;
}

/**
 * How the training windows are shared among recordings:
 *  - 'balanced' (the default): every recording has the same chance to give each window, whatever
 *    its length (a recording is drawn uniformly, then a window of it uniformly). A long recording
 *    cannot crowd out the others; a short one's windows repeat more often.
 *  - 'duration': every window of every recording has the same chance, so a recording gives
 *    windows in proportion to its length (what sampleWindows does).
 */
export type SamplingPolicy = 'balanced' | 'duration';

export interface ReservoirOptions {
  /** Windows to keep (rows of the result). */
  count: number;
  /** Frames per window, K. */
  frames: number;
  /** Bands (columns) of every spectrogram offered. */
  bands: number;
  policy: SamplingPolicy;
  seed: number | Rng;
}

/** Share of the windows above which one recording is said to dominate (warning). */
const DOMINANT_SHARE = 0.5;

/**
 * Samples windows in ONE pass over recordings offered one at a time, keeping only the `count`
 * windows drawn: memory is count x K*bands float32 (plus a source index per window), whatever the
 * number and length of the recordings, so spectrograms can be computed, offered and dropped.
 *
 * The draw is with replacement, as sampleWindows: each of the `count` slots is an independent
 * weighted reservoir of size one. After recordings with weights w_1..w_n (w = 1 under 'balanced',
 * its number of windows under 'duration'), a slot holds a window of recording i with probability
 * w_i / (w_1 + ... + w_n), uniformly among its windows. Offering recording n replaces each slot
 * independently with probability p = w_n / W_n (W_n the running total). The slots replaced are found
 * by geometric skips (gaps between successes of a Bernoulli(p) sequence), so the work per
 * recording is proportional to the slots it takes, count * p on average, not to `count`.
 */
export class WindowReservoir {
  readonly windows: Matrix;
  /** For each slot, the index (order of offer) of the recording its window came from; -1 = empty. */
  readonly sourceOf: Int32Array;
  private readonly base: Rng;
  /** Numbers drawn for a recording that was then abandoned, given out again first (see RecordingDraw.abort). */
  private replay: number[] = [];
  private replayAt = 0;
  /** Numbers drawn since the current recording began (null: none begun). */
  private drawn: number[] | null = null;
  private totalWeight = 0;
  private offered = 0;
  private longest = 0;
  private available = 0;
  private open = false;

  constructor(readonly opts: ReservoirOptions) {
    const what = 'WindowReservoir';
    checkK(opts.frames, what);
    if (!Number.isInteger(opts.count) || opts.count < 1) throw new SflError(`${what}: count must be a positive integer, got ${opts.count}`);
    if (!Number.isInteger(opts.bands) || opts.bands < 1) throw new SflError(`${what}: bands must be a positive integer, got ${opts.bands}`);
    checkWindowMemory(opts.count, opts.frames, opts.bands);
    this.windows = matrix(opts.count, opts.frames * opts.bands);
    this.sourceOf = new Int32Array(opts.count).fill(-1);
    this.base = typeof opts.seed === 'function' ? opts.seed : mulberry32(opts.seed);
  }

  /**
   * Distinct windows in the recordings offered so far (each recording's frames - K + 1). The draw
   * is with replacement: a `count` far above this repeats every window many times over.
   */
  get windowsAvailable(): number {
    return this.available;
  }

  /** Recordings offered so far (including those too short to give a window). */
  get recordings(): number {
    return this.offered;
  }

  /**
   * Offers every window of one spectrogram (frames x bands) held whole; returns its index in the
   * order of offer. The spectrogram is not kept: copies of the windows drawn are.
   */
  offer(spec: Matrix): number {
    const draw = this.begin(spec.rows, spec.cols);
    draw.add(spec);
    return draw.commit();
  }

  /**
   * Starts offering a recording of `rows` frames that will arrive in blocks (RecordingDraw.add);
   * the windows it gives are chosen now, from `rows` alone, so that the result is the same as
   * offer() of the whole spectrogram, whatever the blocks. One recording at a time.
   */
  begin(rows: number, bands = this.opts.bands): RecordingDraw {
    if (this.open) throw new Error('WindowReservoir: a recording is already being offered');
    const index = this.offered;
    const { frames: K, count, policy } = this.opts;
    if (bands !== this.opts.bands) {
      throw new SflError(`WindowReservoir: recording ${index} has ${bands} bands, expected ${this.opts.bands}; all must use the same bands`);
    }
    if (!Number.isInteger(rows) || rows < 0) throw new Error(`WindowReservoir: rows must be a non-negative integer, got ${rows}`);
    this.open = true;
    this.drawn = [];
    const n = windowCount(rows, K);
    const weight = n === 0 ? 0 : policy === 'balanced' ? 1 : n;
    const slots: number[] = [];
    const starts: number[] = [];
    if (n > 0) {
      const p = weight / (this.totalWeight + weight);
      // Slot indices with independent probability p each: skip Geometric(p) failures between them.
      const logq = Math.log1p(-p);
      for (let slot = p >= 1 ? 0 : this.skip(logq); slot < count; slot += p >= 1 ? 1 : 1 + this.skip(logq)) {
        slots.push(slot);
        starts.push(Math.min(n - 1, Math.floor(this.rng() * n)));
      }
    }
    return new RecordingDraw(this, rows, weight, slots, starts);
  }

  /** @internal RecordingDraw.commit: the recording's windows are in; its slots are taken. */
  settle(rows: number, weight: number): number {
    this.totalWeight += weight;
    this.available += windowCount(rows, this.opts.frames);
    this.longest = Math.max(this.longest, rows);
    this.drawn = null;
    this.open = false;
    return this.offered++;
  }

  /** @internal RecordingDraw.abort: as if the recording had never begun (its random numbers are drawn again by the next). */
  unwind(): void {
    this.replay = this.drawn!.concat(this.replay.slice(this.replayAt));
    this.replayAt = 0;
    this.drawn = null;
    this.open = false;
  }

  /** The next uniform number: a replayed one first, else the generator's. */
  private rng(): number {
    const u = this.replayAt < this.replay.length ? this.replay[this.replayAt++] : this.base();
    this.drawn?.push(u);
    return u;
  }

  /** Failures before the next success of Bernoulli(p), with log(1 - p) given. */
  private skip(logq: number): number {
    // 1 - rng() is in (0, 1], so the log is finite.
    const s = Math.floor(Math.log(1 - this.rng()) / logq);
    return Number.isFinite(s) ? s : Number.MAX_SAFE_INTEGER;
  }

  /** The windows drawn; throws if no recording had K frames. */
  result(): Matrix {
    if (this.totalWeight === 0) {
      throw new SflError(
        `no recording has ${this.opts.frames} frames (the longest has ${this.longest}), so no window of ${this.opts.frames} frames can be drawn`,
      );
    }
    return this.windows;
  }

  /** Windows drawn from each recording, by index of offer. */
  countsPerRecording(): number[] {
    const counts = new Array<number>(this.offered).fill(0);
    for (const s of this.sourceOf) if (s >= 0) counts[s]++;
    return counts;
  }

  /** The recording with the largest share of the windows, when that share is above DOMINANT_SHARE. */
  dominant(): { index: number; share: number } | null {
    if (this.offered < 2) return null;
    const counts = this.countsPerRecording();
    let index = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i] > counts[index]) index = i;
    const share = counts[index] / this.opts.count;
    return share > DOMINANT_SHARE ? { index, share } : null;
  }
}

/**
 * One recording being offered to a WindowReservoir block by block (WindowReservoir.begin). Its
 * windows were chosen when it began; each is copied as soon as its last frame has arrived, the
 * last K - 1 frames of each block carried over so that a window spanning two blocks is whole.
 * Windows going to slots that already hold one are staged until commit(), so abort() (the file
 * turned out to be bad) leaves the reservoir as it was before begin(). Memory: the staged windows
 * (count x the recording's share, at most the reservoir's size) and K - 1 frames.
 */
export class RecordingDraw {
  /** Draws ordered by start frame: positions into slots/starts. */
  private readonly order: number[];
  private nextDraw = 0;
  /** Frames received so far. */
  private seen = 0;
  /** The last K - 1 frames received (fewer at the start), frames seen - carried .. seen - 1. */
  private readonly carry: Float32Array;
  private carried = 0;
  /** Windows going to occupied slots, until commit; staged[d] is draw d's row, or -1 (written in place). */
  private readonly staging: Float32Array;
  private readonly stagedRow: Int32Array;
  private done = false;

  constructor(
    private readonly reservoir: WindowReservoir,
    readonly rows: number,
    private readonly weight: number,
    private readonly slots: number[],
    private readonly starts: number[],
  ) {
    const { frames: K, bands } = reservoir.opts;
    this.order = starts.map((_, i) => i).sort((a, b) => starts[a] - starts[b] || a - b);
    this.carry = new Float32Array(Math.max(0, K - 1) * bands);
    this.stagedRow = new Int32Array(slots.length);
    let staged = 0;
    slots.forEach((slot, d) => (this.stagedRow[d] = reservoir.sourceOf[slot] >= 0 ? staged++ : -1));
    this.staging = new Float32Array(staged * K * bands);
    // Empty slots are written in place; they stay marked empty until commit.
  }

  /** The next frames of the recording, in order (block.cols = bands). */
  add(block: Matrix): void {
    if (this.done) throw new Error('RecordingDraw: add after commit or abort');
    const { frames: K, bands } = this.reservoir.opts;
    if (block.cols !== bands) throw new SflError(`WindowReservoir: a block has ${block.cols} bands, expected ${bands}`);
    if (this.seen + block.rows > this.rows) throw new Error(`RecordingDraw: more than the ${this.rows} frames announced`);
    const first = this.seen - this.carried;
    const end = this.seen + block.rows;
    const width = K * bands;
    while (this.nextDraw < this.order.length) {
      const d = this.order[this.nextDraw];
      const start = this.starts[d];
      if (start + K > end) break;
      const dest = this.stagedRow[d] >= 0 ? this.staging : this.reservoir.windows.data;
      const at = this.stagedRow[d] >= 0 ? this.stagedRow[d] * width : this.slots[d] * width;
      // Frames start .. start+K-1: those before the block from the carry, the rest from the block.
      const fromCarry = Math.max(0, Math.min(K, this.seen - start));
      if (fromCarry > 0) dest.set(this.carry.subarray((start - first) * bands, (start - first + fromCarry) * bands), at);
      const b0 = start + fromCarry - this.seen;
      dest.set(block.data.subarray(b0 * bands, (b0 + K - fromCarry) * bands), at + fromCarry * bands);
      this.nextDraw++;
    }
    // Keep the last K - 1 frames of carry + block.
    const keep = Math.min(K - 1, this.carried + block.rows);
    const fromBlock = Math.min(keep, block.rows);
    const fromOld = keep - fromBlock;
    if (fromOld > 0) this.carry.copyWithin(0, (this.carried - fromOld) * bands, this.carried * bands);
    this.carry.set(block.data.subarray((block.rows - fromBlock) * bands, block.rows * bands), fromOld * bands);
    this.carried = keep;
    this.seen = end;
  }

  /** Every frame has arrived: the windows take their slots. Returns the recording's index of offer. */
  commit(): number {
    if (this.done) throw new Error('RecordingDraw: commit after commit or abort');
    if (this.seen !== this.rows) throw new Error(`RecordingDraw: ${this.seen} of the ${this.rows} frames announced arrived`);
    this.done = true;
    const index = this.reservoir.settle(this.rows, this.weight);
    const width = this.reservoir.opts.frames * this.reservoir.opts.bands;
    this.slots.forEach((slot, d) => {
      const r = this.stagedRow[d];
      if (r >= 0) this.reservoir.windows.data.set(this.staging.subarray(r * width, (r + 1) * width), slot * width);
      this.reservoir.sourceOf[slot] = index;
    });
    return index;
  }

  /** The recording is dropped: the reservoir is as it was before begin(). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    // Slots that were empty may hold partial windows; they are still marked empty (-1).
    this.reservoir.unwind();
  }
}
