/**
 * Pooling over time: a recording is many windows, each encoded as a row of hidden activations;
 * a classifier wants one vector per recording. We pool each hidden unit over the recording's
 * windows with the mean, the max, or both ('meanmax').
 *
 * With `segments` = S > 1 the recording's windows are split into S consecutive, (nearly) equal
 * time segments and each is pooled on its own, which keeps a coarse temporal order (beginning,
 * middle, end of a spoken digit, say). Segment s of a recording with n windows covers rows
 * [floor(s*n/S), floor((s+1)*n/S)). A recording with fewer windows than segments still yields S
 * pools: segment s then uses the single window floor(s*n/S), so windows are shared, never missing.
 *
 * Output layout, for hidden size h (a row per recording):
 *   [segment 0 pool, segment 1 pool, ..., segment S-1 pool], each pool being
 *   'mean'    -> h means,
 *   'max'     -> h maxima,
 *   'meanmax' -> h means followed by h maxima (2h values).
 * So the width is h * S * (method === 'meanmax' ? 2 : 1); see pooledWidth().
 *
 * Sums are accumulated in float64. Plain TypeScript: pooling is one pass over the activations,
 * cheaper than moving them to a tensor backend.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { checkMatrix } from './validate.ts';

export type PoolMethod = 'mean' | 'max' | 'meanmax';

export interface PoolOptions {
  /** Default 'mean'. */
  method?: PoolMethod;
  /** Number of equal time segments pooled separately and concatenated; default 1. */
  segments?: number;
}

/** Rows [start, end) of a big matrix that belong to one recording. */
export interface RowRange {
  start: number;
  end: number;
}

const METHODS: readonly PoolMethod[] = ['mean', 'max', 'meanmax'];

function resolve(opts: PoolOptions): { method: PoolMethod; segments: number } {
  const method = opts.method ?? 'mean';
  const segments = opts.segments ?? 1;
  if (!METHODS.includes(method)) {
    throw new SflError(`pooling: unknown method '${String(method)}'; use one of ${METHODS.join(', ')}`);
  }
  if (!Number.isInteger(segments) || segments < 1) {
    throw new SflError(`pooling: the number of time segments must be a positive integer, got ${segments}`);
  }
  return { method, segments };
}

/** Length of one pooled vector for `hidden` units. */
export function pooledWidth(hidden: number, opts: PoolOptions = {}): number {
  const { method, segments } = resolve(opts);
  return hidden * segments * (method === 'meanmax' ? 2 : 1);
}

/** Pools rows [start, end) of H into out[offset ...]; returns the number of values written. */
function poolRows(H: Matrix, start: number, end: number, method: PoolMethod, out: Float32Array, offset: number): number {
  const h = H.cols;
  const d = H.data;
  const n = end - start;
  if (method !== 'max') {
    const acc = new Float64Array(h);
    for (let r = start; r < end; r++) {
      const base = r * h;
      for (let j = 0; j < h; j++) acc[j] += d[base + j];
    }
    for (let j = 0; j < h; j++) out[offset + j] = acc[j] / n;
  }
  if (method !== 'mean') {
    const o = offset + (method === 'meanmax' ? h : 0);
    for (let j = 0; j < h; j++) out[o + j] = d[start * h + j];
    for (let r = start + 1; r < end; r++) {
      const base = r * h;
      for (let j = 0; j < h; j++) if (d[base + j] > out[o + j]) out[o + j] = d[base + j];
    }
  }
  return method === 'meanmax' ? 2 * h : h;
}

function poolRange(H: Matrix, start: number, end: number, method: PoolMethod, segments: number, out: Float32Array, offset: number): void {
  const n = end - start;
  let o = offset;
  for (let s = 0; s < segments; s++) {
    const a = start + Math.floor((s * n) / segments);
    const b = Math.max(start + Math.floor(((s + 1) * n) / segments), a + 1);
    o += poolRows(H, a, b, method, out, o);
  }
}

function checkActivations(H: Matrix, what: string): void {
  checkMatrix(H, what, { minRows: 0 });
}

/** Pools one recording's activations (windows x hidden) into one vector of pooledWidth() values. */
export function poolWindows(H: Matrix, opts: PoolOptions = {}): Float32Array {
  const { method, segments } = resolve(opts);
  checkActivations(H, 'pooling');
  if (H.rows < 1) throw new SflError('pooling: a recording has no windows, so there is nothing to pool');
  const out = new Float32Array(pooledWidth(H.cols, { method, segments }));
  poolRange(H, 0, H.rows, method, segments, out, 0);
  return out;
}

/**
 * Pools many recordings into a Matrix with one row per recording. Either pass one Matrix per
 * recording, or one big Matrix of all windows plus the row range of each recording (ranges may
 * be in any order and need not cover every row; each must hold at least one window).
 */
export function poolRecordings(input: readonly Matrix[], opts?: PoolOptions): Matrix;
export function poolRecordings(input: Matrix, ranges: readonly RowRange[], opts?: PoolOptions): Matrix;
export function poolRecordings(
  input: Matrix | readonly Matrix[],
  rangesOrOpts?: readonly RowRange[] | PoolOptions,
  maybeOpts?: PoolOptions,
): Matrix {
  if (Array.isArray(input)) {
    const recs = input as readonly Matrix[];
    const opts = (rangesOrOpts ?? {}) as PoolOptions;
    const { method, segments } = resolve(opts);
    if (recs.length === 0) throw new SflError('pooling: no recordings were given');
    recs.forEach((H, i) => checkActivations(H, `pooling recording ${i}`));
    const h = recs[0].cols;
    const width = pooledWidth(h, { method, segments });
    const out = matrix(recs.length, width);
    recs.forEach((H, i) => {
      if (H.cols !== h) {
        throw new SflError(`pooling: recording ${i} has ${H.cols} hidden units but recording 0 has ${h}; all must match`);
      }
      if (H.rows < 1) throw new SflError(`pooling: recording ${i} (0-based) has no windows, so there is nothing to pool`);
      poolRange(H, 0, H.rows, method, segments, out.data, i * width);
    });
    return out;
  }
  const H = input as Matrix;
  const ranges = rangesOrOpts as readonly RowRange[] | undefined;
  const { method, segments } = resolve(maybeOpts ?? {});
  checkActivations(H, 'pooling');
  if (!Array.isArray(ranges)) throw new SflError('pooling: with one big matrix, pass the row range of each recording');
  if (ranges.length === 0) throw new SflError('pooling: no recordings were given (the list of row ranges is empty)');
  const width = pooledWidth(H.cols, { method, segments });
  const out = matrix(ranges.length, width);
  ranges.forEach((r, i) => {
    if (!r || !Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 0 || r.end > H.rows || r.end <= r.start) {
      throw new SflError(`pooling: recording ${i} (0-based) has row range [${r?.start}, ${r?.end}), but it must be a non-empty range within the ${H.rows} rows of activations`);
    }
    poolRange(H, r.start, r.end, method, segments, out.data, i * width);
  });
  return out;
}

/** Row ranges from consecutive window counts: [3, 2] -> [{start:0,end:3}, {start:3,end:5}]. */
export function rangesFromCounts(counts: ArrayLike<number>): RowRange[] {
  const ranges: RowRange[] = [];
  let start = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (!Number.isInteger(c) || c < 0) throw new SflError(`pooling: window count ${i} is ${c}; counts must be non-negative integers`);
    ranges.push({ start, end: start + c });
    start += c;
  }
  return ranges;
}

/**
 * The pooling of one recording whose window activations arrive in blocks, in order: the same
 * vector poolWindows gives for all of them at once (the same float64 sums in the same order, the
 * same maxima), holding only one pool per segment. The segments' boundaries follow from the
 * number of windows, which must be known before the first block (for a spectrogram: its frames
 * minus K - 1, known from the file's declared length before decoding).
 */
export class RunningPool {
  /** pooledWidth(hidden, opts): the length of the vector finish() returns. */
  readonly width: number;
  private readonly method: PoolMethod;
  private readonly segments: number;
  /** Segment s covers windows [from[s], to[s]): poolRange's rule with start 0. */
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private readonly sums: Float64Array;
  private readonly maxima: Float32Array;
  private seen = 0;

  /** @param windows the recording's number of windows (at least 1); hidden: columns of every block. */
  constructor(readonly hidden: number, readonly windows: number, opts: PoolOptions = {}) {
    const { method, segments } = resolve(opts);
    if (!Number.isInteger(windows) || windows < 1) throw new SflError('pooling: a recording has no windows, so there is nothing to pool');
    this.method = method;
    this.segments = segments;
    this.width = pooledWidth(hidden, { method, segments });
    this.from = new Int32Array(segments);
    this.to = new Int32Array(segments);
    for (let s = 0; s < segments; s++) {
      this.from[s] = Math.floor((s * windows) / segments);
      this.to[s] = Math.max(Math.floor(((s + 1) * windows) / segments), this.from[s] + 1);
    }
    this.sums = new Float64Array(method === 'max' ? 0 : segments * hidden);
    this.maxima = new Float32Array(method === 'mean' ? 0 : segments * hidden);
  }

  /** The next windows' activations (rows in order, any number of them). */
  add(H: Matrix): void {
    if (H.rows === 0) return;
    if (H.cols !== this.hidden) throw new SflError(`pooling: a block has ${H.cols} hidden units, expected ${this.hidden}`);
    const r0 = this.seen, r1 = r0 + H.rows;
    if (r1 > this.windows) throw new Error(`RunningPool: more than the ${this.windows} windows announced`);
    const h = this.hidden, d = H.data;
    for (let s = 0; s < this.segments; s++) {
      const a = Math.max(this.from[s], r0), b = Math.min(this.to[s], r1);
      if (a >= b) continue;
      if (this.method !== 'max') {
        const acc = this.sums.subarray(s * h, (s + 1) * h);
        for (let r = a; r < b; r++) {
          const base = (r - r0) * h;
          for (let j = 0; j < h; j++) acc[j] += d[base + j];
        }
      }
      if (this.method !== 'mean') {
        const m = this.maxima.subarray(s * h, (s + 1) * h);
        let r = a;
        // A segment's first window sets its maxima (as poolRows does), later ones raise them.
        if (a === this.from[s]) {
          m.set(d.subarray((a - r0) * h, (a - r0 + 1) * h));
          r++;
        }
        for (; r < b; r++) {
          const base = (r - r0) * h;
          for (let j = 0; j < h; j++) if (d[base + j] > m[j]) m[j] = d[base + j];
        }
      }
    }
    this.seen = r1;
  }

  /** The pooled vector (width values); every announced window must have arrived. */
  finish(): Float32Array {
    if (this.seen !== this.windows) throw new Error(`RunningPool: ${this.seen} windows arrived, ${this.windows} were announced`);
    const h = this.hidden;
    const out = new Float32Array(this.width);
    let o = 0;
    for (let s = 0; s < this.segments; s++) {
      const n = this.to[s] - this.from[s];
      if (this.method !== 'max') for (let j = 0; j < h; j++) out[o + j] = this.sums[s * h + j] / n;
      if (this.method !== 'mean') out.set(this.maxima.subarray(s * h, (s + 1) * h), o + (this.method === 'meanmax' ? h : 0));
      o += this.method === 'meanmax' ? 2 * h : h;
    }
    return out;
  }
}
