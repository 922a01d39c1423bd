/**
 * Choosing the softmax's weight decay on held-out training rows: model selection that never
 * looks at the test data. A seeded random part of the training rows is held out (random, not
 * the last rows: labeled sets are often sorted by class), a softmax is trained on the rest for
 * each candidate, and the most accurate on the held-out rows wins. The caller then trains on
 * all the training rows with the winner.
 */
import type { Matrix } from '../../compute/matrix.ts';
import { SflError } from '../../util/errors.ts';
import { mulberry32 } from '../../util/random.ts';
import { accuracy } from '../metrics.ts';
import type { LabelArray } from './cost-parts.ts';
import { softmaxPredict, softmaxTrain } from './softmax.ts';

export interface WeightDecayChoiceOptions {
  numClasses: number;
  /** Fraction of the training rows held out, in (0, 1). */
  fraction: number;
  /** Seed of the held-out draw and of the softmax initialisation. */
  seed: number;
  maxIter: number;
  /** Called after each candidate (e.g. to log it). */
  onCandidate?: (weightDecay: number, heldOutAccuracy: number) => void;
}

export interface WeightDecayChoice {
  weightDecay: number;
  /** Rows held out. */
  heldOut: number;
  /** Held-out accuracy of every candidate, in the order given. */
  candidates: { weightDecay: number; heldOutAccuracy: number }[];
}

/** Rows `idx` of X and their labels, copied. */
function rows(X: Matrix, y: LabelArray, idx: Int32Array): { X: Matrix; y: Int32Array } {
  const data = new Float32Array(idx.length * X.cols);
  const labels = new Int32Array(idx.length);
  idx.forEach((r, i) => {
    data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), i * X.cols);
    labels[i] = y[r];
  });
  return { X: { data, rows: idx.length, cols: X.cols }, y: labels };
}

/** `count` of the row indices 0..n-1 drawn at random (seeded) to hold out, and the rest, each in increasing order. */
export function heldOutSplit(n: number, count: number, seed: number): { heldOut: Int32Array; fit: Int32Array } {
  // Fisher-Yates with the seeded generator: the same rows are held out for every candidate.
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const rng = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return { heldOut: perm.slice(0, count).sort(), fit: perm.slice(count).sort() };
}

/** The candidate with the best held-out accuracy; on a tie the larger weight decay (the simpler model). */
export async function chooseSoftmaxWeightDecay(X: Matrix, y: LabelArray, candidates: number[], o: WeightDecayChoiceOptions): Promise<WeightDecayChoice> {
  if (candidates.length === 0) throw new SflError('choosing the softmax weight decay needs at least one candidate');
  for (const c of candidates) if (!(c >= 0)) throw new SflError(`softmax weight decay candidates must be >= 0, got ${c}`);
  if (!(o.fraction > 0 && o.fraction < 1)) throw new SflError(`the held-out fraction must be between 0 and 1, got ${o.fraction}`);
  const heldOut = Math.round(o.fraction * X.rows);
  if (heldOut < 1 || heldOut >= X.rows) {
    throw new SflError(`holding out ${o.fraction} of ${X.rows} training rows leaves ${heldOut} held out and ${X.rows - heldOut} to train on: both need at least one`);
  }
  const { heldOut: valRows, fit: fitRows } = heldOutSplit(X.rows, heldOut, o.seed);
  const val = rows(X, y, valRows);
  const fit = rows(X, y, fitRows);
  const results: WeightDecayChoice['candidates'] = [];
  for (const weightDecay of candidates) {
    const model = await softmaxTrain(fit.X, fit.y, { numClasses: o.numClasses, weightDecay }, { maxIter: o.maxIter, seed: o.seed });
    const heldOutAccuracy = accuracy(val.y, softmaxPredict(model, val.X).labels);
    results.push({ weightDecay, heldOutAccuracy });
    o.onCandidate?.(weightDecay, heldOutAccuracy);
  }
  const best = results.reduce((a, b) => (b.heldOutAccuracy > a.heldOutAccuracy || (b.heldOutAccuracy === a.heldOutAccuracy && b.weightDecay > a.weightDecay) ? b : a));
  return { weightDecay: best.weightDecay, heldOut, candidates: results };
}
