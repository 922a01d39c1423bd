/**
 * What a spectro-temporal patch shows, as numbers: where its energy sits in frequency and time,
 * which way its ridge runs, and how smooth it is. The filter pictures sort units by these, the
 * captions quote them, and the tests assert on them, so a claim about a picture is checked on the
 * very arrays the picture draws.
 *
 * A patch is one row of a Matrix holding K frames x B bands, time-major (index t * B + b), the
 * layout of features/sampler.ts windows.
 */
import { argmax, type Matrix } from '../compute/matrix.ts';

export interface PatchShape {
  frames: number;
  bands: number;
  /** Centre frequency of each band (Hz) and ms between frames, for the slope in octaves per second. */
  bandHz?: number[] | null;
  frameMs?: number | null;
}

export interface PatchMeasures {
  /**
   * Band where the patch is most positive (sum over frames of max(w, 0)): the unit's frequency.
   * Positive because a unit's activation is (sigmoid) positive: red cells are what it adds to the
   * spectrum (atoms) or what excites it (filters); a blue band is only the background it sits on.
   */
  peakBand: number;
  /** Frame where the patch is most positive (sum over bands of max(w, 0)). */
  peakFrame: number;
  /** Root of the sum of squares over the whole patch: how strong the unit's pattern is. */
  norm: number;
  /**
   * Slope of the patch's positive ridge in bands per frame (> 0 rises in frequency over time): the
   * least-squares line through each frame's most positive band, weighted by that value. 0 for a
   * single frame.
   */
  slope: number;
  /**
   * The same ridge fitted on a log-frequency axis: octaves per second (> 0 rising). An exponential
   * sweep has one value everywhere in its range, whatever the band spacing. NaN without bandHz and
   * frameMs (mfcc, cepstrum).
   */
  octavesPerSecond: number;
  /**
   * Share of the patch's positive mass that lies on its ridge (each frame's most positive band and
   * the bands either side): near 1 for a single line (a tone, a sweep), about 3 / bands for a patch
   * with no line at all.
   */
  ridgeShare: number;
  /**
   * Fraction of energy that neighbouring cells share (lag-1 autocorrelation over bands and frames,
   * averaged): near 1 for smooth shapes a person reads as blobs and ridges, near 0 for salt-and-
   * pepper noise, negative for checkerboards.
   */
  smoothness: number;
}

export function patchMeasures(P: Matrix, row: number, s: PatchShape): PatchMeasures {
  const { frames: K, bands: B } = s;
  if (K * B !== P.cols) throw new Error(`patch measures: ${K} frames x ${B} bands need ${K * B} values, rows have ${P.cols}`);
  const w = P.data.subarray(row * P.cols, (row + 1) * P.cols);
  const at = (t: number, b: number) => (Number.isFinite(w[t * B + b]) ? w[t * B + b] : 0);

  const bandPositive = new Float64Array(B);
  const framePositive = new Float64Array(K);
  let total = 0;
  for (let t = 0; t < K; t++) {
    for (let b = 0; b < B; b++) {
      const v = at(t, b);
      bandPositive[b] += Math.max(0, v);
      framePositive[t] += Math.max(0, v);
      total += v * v;
    }
  }

  let sw = 0, st = 0, sb = 0, stt = 0, stb = 0, onRidge = 0, positive = 0;
  const ridge: { t: number; b: number; w: number }[] = [];
  for (let t = 0; t < K; t++) {
    let best = 0, bestV = -Infinity;
    for (let b = 0; b < B; b++) {
      const v = at(t, b);
      if (v > bestV) (bestV = v), (best = b);
    }
    for (let b = 0; b < B; b++) {
      const v = Math.max(0, at(t, b));
      positive += v;
      if (Math.abs(b - best) <= 1) onRidge += v;
    }
    const wt = Math.max(0, bestV);
    ridge.push({ t, b: best, w: wt });
    sw += wt;
    st += wt * t;
    sb += wt * best;
    stt += wt * t * t;
    stb += wt * t * best;
  }
  const varT = sw > 0 ? stt / sw - (st / sw) ** 2 : 0;
  const slope = varT > 1e-12 ? (stb / sw - (st / sw) * (sb / sw)) / varT : 0;

  const hz = s.bandHz;
  const octavesPerSecond =
    hz && s.frameMs && hz.every((f) => f > 0)
      ? weightedSlope(ridge.map((r) => ({ x: (r.t * s.frameMs!) / 1000, y: Math.log2(hz[r.b]), w: r.w })))
      : NaN;

  let neighbours = 0;
  let pairsEnergy = 0;
  for (let t = 0; t < K; t++) {
    for (let b = 0; b < B; b++) {
      const v = at(t, b);
      if (b + 1 < B) (neighbours += v * at(t, b + 1)), (pairsEnergy += (v * v + at(t, b + 1) ** 2) / 2);
      if (t + 1 < K) (neighbours += v * at(t + 1, b)), (pairsEnergy += (v * v + at(t + 1, b) ** 2) / 2);
    }
  }

  return {
    peakBand: argmax(bandPositive),
    peakFrame: argmax(framePositive),
    norm: Math.sqrt(total),
    slope,
    octavesPerSecond,
    ridgeShare: positive > 0 ? onRidge / positive : 0,
    smoothness: pairsEnergy > 0 ? neighbours / pairsEnergy : 0,
  };
}

export function allPatchMeasures(P: Matrix, s: PatchShape): PatchMeasures[] {
  return Array.from({ length: P.rows }, (_, r) => patchMeasures(P, r, s));
}

/** Mean smoothness over the patches: how readable a set of pictures is, as one number. */
export function meanSmoothness(m: readonly PatchMeasures[]): number {
  return m.length ? m.reduce((a, x) => a + x.smoothness, 0) / m.length : 0;
}

/** Least-squares slope of y on x with weights w; 0 when x does not vary. */
function weightedSlope(p: { x: number; y: number; w: number }[]): number {
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const { x, y, w } of p) (sw += w), (sx += w * x), (sy += w * y), (sxx += w * x * x), (sxy += w * x * y);
  if (sw <= 0) return 0;
  const varX = sxx / sw - (sx / sw) ** 2;
  return varX > 1e-12 ? (sxy / sw - (sx / sw) * (sy / sw)) / varX : 0;
}

export type UnitOrder = 'frequency' | 'time' | 'strength' | 'index';
export const UNIT_ORDERS: readonly UnitOrder[] = ['frequency', 'time', 'strength', 'index'];

/** What each order means, for help texts and captions. */
export const UNIT_ORDER_TEXT: Record<UnitOrder, string> = {
  frequency: 'by peak frequency (low first), then by peak time',
  time: 'by peak time (early first), then by peak frequency',
  strength: 'by strength (largest norm first)',
  index: 'in the order the model holds them',
};

/**
 * Which units to draw, in order: the `top` strongest (all when null), then arranged by `order`.
 * Ties keep the model's order, so the picture is deterministic.
 */
export function chooseUnits(m: readonly PatchMeasures[], order: UnitOrder, top: number | null = null): number[] {
  let units = m.map((_, i) => i);
  if (top !== null && top < units.length) units = [...units].sort((a, b) => m[b].norm - m[a].norm || a - b).slice(0, top).sort((a, b) => a - b);
  const by: Record<UnitOrder, (a: number, b: number) => number> = {
    frequency: (a, b) => m[a].peakBand - m[b].peakBand || m[a].peakFrame - m[b].peakFrame || a - b,
    time: (a, b) => m[a].peakFrame - m[b].peakFrame || m[a].peakBand - m[b].peakBand || a - b,
    strength: (a, b) => m[b].norm - m[a].norm || a - b,
    index: (a, b) => a - b,
  };
  return units.sort(by[order]);
}
