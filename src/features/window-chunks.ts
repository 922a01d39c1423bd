/**
 * The windows of K consecutive frames (hop 1) of ONE spectrogram whose frames arrive in blocks
 * (a recording of any length, decoded or read from the cache a block at a time), handed on as
 * chunks of frames, so that a long recording is encoded holding a chunk, never its spectrogram:
 *
 *   chunk c = frames [c * C, c * C + C + K - 1)   (C = chunkFrames; the last chunk shorter)
 *
 * Chunk c's windows (chunk rows - K + 1 of them) are windows c * C ... of the recording, in order,
 * each exactly once: consecutive chunks overlap by the K - 1 frames a window spans beyond its
 * first. A spectrogram shorter than K frames is padded to K (padToFrames: its last frame
 * repeated) and gives one chunk of one window, as the whole-recording path does.
 *
 * With an encoder (K frames -> one row of features per window) and a RunningPool, this is the
 * pooled row of a recording at a chunk's memory (runningPooledWindows), equal to encoding all its
 * windows at once and pooling them.
 */
import type { Matrix } from '../compute/matrix.ts';
import { padToFrames } from './fixed-length.ts';
import { RunningPool, type PoolOptions } from './pooling.ts';

/** Windows per chunk: 4096 windows of 8 frames x 40 bands are 5 MB of float32 (and their features). */
export const CHUNK_FRAMES = 4096;

export class WindowChunks {
  private readonly buf: Float32Array;
  /** Frames in buf, and frames received in all. */
  private held = 0;
  private received = 0;
  private readonly capacity: number;

  /**
   * @param onChunk gets each chunk of frames (rows x cols, at least K rows) at once; the matrix is a
   *   view of a buffer reused for the next chunk, so it must not be kept.
   */
  constructor(
    readonly K: number,
    readonly cols: number,
    readonly frames: number,
    private readonly onChunk: (chunk: Matrix) => void,
    chunkFrames = CHUNK_FRAMES,
  ) {
    if (!Number.isInteger(chunkFrames) || chunkFrames < 1) throw new Error(`WindowChunks: chunkFrames must be a positive integer, got ${chunkFrames}`);
    this.capacity = frames < K ? K : Math.min(frames, chunkFrames + K - 1);
    this.buf = new Float32Array(this.capacity * cols);
  }

  /** Windows the recording gives (its frames - K + 1; 1 when it is shorter than K). */
  get windows(): number {
    return Math.max(1, this.frames - this.K + 1);
  }

  /** The next frames (rows in order, any number of them). */
  add(block: Matrix): void {
    if (block.cols !== this.cols) throw new Error(`WindowChunks: a block has ${block.cols} columns, expected ${this.cols}`);
    if (this.received + block.rows > this.frames) throw new Error(`WindowChunks: more than the ${this.frames} frames announced`);
    const c = this.cols;
    for (let r = 0; r < block.rows; ) {
      const take = Math.min(block.rows - r, this.capacity - this.held);
      this.buf.set(block.data.subarray(r * c, (r + take) * c), this.held * c);
      this.held += take;
      this.received += take;
      r += take;
      if (this.held === this.capacity && this.frames >= this.K && this.received < this.frames) this.emit();
    }
  }

  /** Hands on the last chunk; every announced frame must have arrived. */
  finish(): void {
    if (this.received !== this.frames) throw new Error(`WindowChunks: ${this.received} frames arrived, ${this.frames} were announced`);
    const chunk = { data: this.buf.subarray(0, this.held * this.cols), rows: this.held, cols: this.cols };
    if (this.frames < this.K) this.onChunk(padToFrames(chunk, this.K));
    else if (this.held >= this.K) this.onChunk(chunk);
    this.held = 0;
  }

  /** The full buffer as a chunk; its last K - 1 frames begin the next. */
  private emit(): void {
    const c = this.cols, keep = this.K - 1;
    this.onChunk({ data: this.buf.subarray(0, this.held * c), rows: this.held, cols: c });
    this.buf.copyWithin(0, (this.held - keep) * c, this.held * c);
    this.held = keep;
  }
}

/** A row computed from one recording's frames as they arrive in blocks. */
export interface RunningRow {
  add(block: Matrix): void;
  finish(): Float32Array;
}

/**
 * The pooled features of one recording of `frames` frames fed in blocks: `encode` turns a chunk
 * of frames into the features of its windows (one row each, as the whole-recording path encodes
 * them), a RunningPool pools them. Memory: a chunk and its features.
 */
export function runningPooledWindows(
  K: number,
  cols: number,
  frames: number,
  pool: PoolOptions,
  encode: (chunk: Matrix) => Matrix,
  chunkFrames = CHUNK_FRAMES,
): RunningRow {
  let pooled: RunningPool | null = null;
  const chunks = new WindowChunks(K, cols, frames, (chunk) => {
    const H = encode(chunk);
    // The features' width is the encoder's (hidden units, times frequency regions for convolution).
    pooled ??= new RunningPool(H.cols, chunks.windows, pool);
    pooled.add(H);
  }, chunkFrames);
  return {
    add: (block) => chunks.add(block),
    finish: () => {
      chunks.finish();
      return pooled!.finish();
    },
  };
}
