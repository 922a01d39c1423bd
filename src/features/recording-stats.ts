/**
 * The no-learning baseline: summary statistics of a recording's spectrogram, one vector per
 * recording: per band the mean and standard deviation over all frames, and the means over S equal
 * time segments (coarse temporal order). Width = bands * (2 + S).
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';

export function recordingStatsWidth(bands: number, segments = 3): number {
  return bands * (2 + segments);
}

/** One row per spectrogram: [mean(b) for b][std(b) for b][segment s mean(b) for s, b]. */
export function recordingStats(spectra: readonly Matrix[], segments = 3): Matrix {
  if (spectra.length === 0) throw new SflError('recordingStats: no spectrograms');
  const B = spectra[0].cols;
  const W = recordingStatsWidth(B, segments);
  const out = matrix(spectra.length, W);
  spectra.forEach((S, r) => {
    if (S.cols !== B) throw new SflError(`recordingStats: spectrogram ${r} has ${S.cols} bands, expected ${B}`);
    if (S.rows === 0) throw new SflError(`recordingStats: spectrogram ${r} has no frames`);
    const o = out.data.subarray(r * W, (r + 1) * W);
    for (let b = 0; b < B; b++) {
      let s = 0, ss = 0;
      for (let t = 0; t < S.rows; t++) { const v = S.data[t * B + b]; s += v; ss += v * v; }
      const mean = s / S.rows;
      o[b] = mean;
      o[B + b] = Math.sqrt(Math.max(0, ss / S.rows - mean * mean));
    }
    for (let seg = 0; seg < segments; seg++) {
      // Segment seg covers frames [floor(seg*n/S), floor((seg+1)*n/S)), at least one frame.
      const t0 = Math.min(S.rows - 1, Math.floor((seg * S.rows) / segments));
      const t1 = Math.max(t0 + 1, Math.floor(((seg + 1) * S.rows) / segments));
      for (let b = 0; b < B; b++) {
        let s = 0;
        for (let t = t0; t < t1; t++) s += S.data[t * B + b];
        o[(2 + seg) * B + b] = s / (t1 - t0);
      }
    }
  });
  return out;
}

/**
 * recordingStats of one spectrogram whose frames arrive in blocks, in order: the same row (the
 * same float64 sums in the same order), holding a few sums per band. The segments' boundaries
 * follow from the number of frames, known before the first block.
 */
export class RunningStats {
  readonly width: number;
  private readonly sum: Float64Array;
  private readonly squares: Float64Array;
  private readonly segmentSums: Float64Array;
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private seen = 0;

  constructor(readonly bands: number, readonly frames: number, readonly segments = 3) {
    if (!Number.isInteger(frames) || frames < 1) throw new SflError('recordingStats: a spectrogram has no frames');
    this.width = recordingStatsWidth(bands, segments);
    this.sum = new Float64Array(bands);
    this.squares = new Float64Array(bands);
    this.segmentSums = new Float64Array(segments * bands);
    this.from = new Int32Array(segments);
    this.to = new Int32Array(segments);
    for (let seg = 0; seg < segments; seg++) {
      this.from[seg] = Math.min(frames - 1, Math.floor((seg * frames) / segments));
      this.to[seg] = Math.max(this.from[seg] + 1, Math.floor(((seg + 1) * frames) / segments));
    }
  }

  /** The next frames (rows in order). */
  add(S: Matrix): void {
    const B = this.bands;
    if (S.cols !== B) throw new SflError(`recordingStats: a block has ${S.cols} bands, expected ${B}`);
    const t0 = this.seen, t1 = t0 + S.rows;
    if (t1 > this.frames) throw new Error(`RunningStats: more than the ${this.frames} frames announced`);
    const d = S.data;
    for (let t = t0; t < t1; t++) {
      const base = (t - t0) * B;
      for (let b = 0; b < B; b++) {
        const v = d[base + b];
        this.sum[b] += v;
        this.squares[b] += v * v;
      }
    }
    for (let seg = 0; seg < this.segments; seg++) {
      const a = Math.max(this.from[seg], t0), z = Math.min(this.to[seg], t1);
      const acc = this.segmentSums.subarray(seg * B, (seg + 1) * B);
      for (let t = a; t < z; t++) for (let b = 0; b < B; b++) acc[b] += d[(t - t0) * B + b];
    }
    this.seen = t1;
  }

  /** The row recordingStats gives for the whole spectrogram. */
  finish(): Float32Array {
    if (this.seen !== this.frames) throw new Error(`RunningStats: ${this.seen} frames arrived, ${this.frames} were announced`);
    const B = this.bands, n = this.frames;
    const o = new Float32Array(this.width);
    for (let b = 0; b < B; b++) {
      const mean = this.sum[b] / n;
      o[b] = mean;
      o[B + b] = Math.sqrt(Math.max(0, this.squares[b] / n - mean * mean));
    }
    for (let seg = 0; seg < this.segments; seg++) {
      for (let b = 0; b < B; b++) o[(2 + seg) * B + b] = this.segmentSums[seg * B + b] / (this.to[seg] - this.from[seg]);
    }
    return o;
  }
}
