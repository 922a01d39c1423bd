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
