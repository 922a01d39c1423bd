/**
 * Classification metrics: accuracy, confusion matrix, per-class accuracy, and a plain-text
 * confusion table for the terminal.
 *
 * Labels are class indices 0..numClasses-1. Argument order is always (true labels, predicted
 * labels). In a confusion matrix rows are true classes and columns are predicted classes:
 * counts[t][p] is the number of examples of class t that were predicted as p.
 */
import { SflError } from '../util/errors.ts';

export type Labels = ArrayLike<number>;

function checkPair(trueLabels: Labels, predicted: Labels, what: string): void {
  if (trueLabels == null || predicted == null) throw new SflError(`${what}: needs true and predicted labels`);
  if (trueLabels.length !== predicted.length) {
    throw new SflError(`${what}: there are ${trueLabels.length} true labels but ${predicted.length} predicted labels; they must match one to one`);
  }
}

function checkLabel(v: number, numClasses: number, which: string, i: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
    throw new SflError(`${what}: ${which} label ${i} (0-based) is ${v}, but labels must be integers from 0 to ${numClasses - 1}`);
  }
}

/** Fraction of examples whose predicted label equals the true label (NaN for zero examples). */
export function accuracy(trueLabels: Labels, predicted: Labels): number {
  checkPair(trueLabels, predicted, 'accuracy');
  const n = trueLabels.length;
  if (n === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < n; i++) if (trueLabels[i] === predicted[i]) correct++;
  return correct / n;
}

/** numClasses x numClasses counts; rows = true class, columns = predicted class. */
export function confusionMatrix(trueLabels: Labels, predicted: Labels, numClasses: number): number[][] {
  checkPair(trueLabels, predicted, 'confusion matrix');
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new SflError(`confusion matrix: the number of classes must be a positive integer, got ${numClasses}`);
  }
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i];
    const p = predicted[i];
    checkLabel(t, numClasses, 'true', i, 'confusion matrix');
    checkLabel(p, numClasses, 'predicted', i, 'confusion matrix');
    counts[t][p]++;
  }
  return counts;
}

function checkSquare(confusion: number[][], what: string): number {
  const k = confusion.length;
  if (k < 1 || confusion.some((row) => !Array.isArray(row) || row.length !== k)) {
    throw new SflError(`${what}: the confusion matrix must be square (numClasses rows of numClasses counts)`);
  }
  return k;
}

/**
 * For each true class, the fraction of its examples predicted correctly (the class's recall):
 * counts[c][c] / sum(counts[c]). NaN for a class with no examples.
 */
export function perClassAccuracy(confusion: number[][]): number[] {
  checkSquare(confusion, 'per-class accuracy');
  return confusion.map((row, c) => {
    let total = 0;
    for (const v of row) total += v;
    return total === 0 ? NaN : row[c] / total;
  });
}

/** One class's scores from a confusion matrix; NaN where a ratio has nothing to divide by. */
export interface ClassScores {
  /** Of the examples predicted as this class, the fraction that are (NaN: never predicted). */
  precision: number;
  /** Of this class's examples, the fraction predicted as it (NaN: no example). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0; NaN when either is NaN). */
  f1: number;
  /** How many examples of this class there are (the row's total). */
  support: number;
}

/** Precision, recall, F1 and support of every class (scikit-learn's classification_report, without its zero-division fill). */
export function classScores(confusion: number[][]): ClassScores[] {
  const k = checkSquare(confusion, 'class scores');
  return confusion.map((row, c) => {
    let support = 0, predicted = 0;
    for (let j = 0; j < k; j++) {
      support += row[j];
      predicted += confusion[j][c];
    }
    const tp = row[c];
    const precision = predicted === 0 ? NaN : tp / predicted;
    const recall = support === 0 ? NaN : tp / support;
    const f1 = Number.isNaN(precision) || Number.isNaN(recall) ? NaN : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
}

/** Overall accuracy from a confusion matrix: trace / total (NaN when it is empty). */
export function accuracyFromConfusion(confusion: number[][]): number {
  checkSquare(confusion, 'accuracy');
  let trace = 0;
  let total = 0;
  confusion.forEach((row, t) => row.forEach((v, p) => { total += v; if (t === p) trace += v; }));
  return total === 0 ? NaN : trace / total;
}

function pct(x: number): string {
  return Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`;
}

/**
 * A plain-text table: one row per true class (name, counts per predicted class, number of
 * examples, per-class accuracy), a header of predicted class names, and a last line with the
 * overall accuracy. Class names default to the indices "0", "1", ...; long names are kept whole
 * (columns widen to fit). Example:
 *
 *   true \ pred  cat  dog  total  acc
 *   cat            3    1      4  75.0%
 *   dog            0    2      2  100.0%
 *   overall accuracy 83.3% (5 of 6)
 */
export function formatConfusion(confusion: number[][], classNames?: readonly string[]): string {
  const k = checkSquare(confusion, 'confusion table');
  const names = classNames ? [...classNames] : Array.from({ length: k }, (_, i) => String(i));
  if (names.length !== k) {
    throw new SflError(`confusion table: ${names.length} class names given for a ${k}-class confusion matrix`);
  }
  const perClass = perClassAccuracy(confusion);
  const totals = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const corner = 'true \\ pred';
  const firstWidth = Math.max(corner.length, ...names.map((s) => s.length));
  const colWidth = confusion.map((_, p) =>
    Math.max(names[p].length, ...confusion.map((row) => String(row[p]).length)));
  const totalWidth = Math.max('total'.length, ...totals.map((t) => String(t).length));
  const header = [corner.padEnd(firstWidth), ...names.map((s, p) => s.padStart(colWidth[p])), 'total'.padStart(totalWidth), 'acc'];
  const lines = [header.join('  ')];
  confusion.forEach((row, t) => {
    const cells = [names[t].padEnd(firstWidth), ...row.map((v, p) => String(v).padStart(colWidth[p])),
      String(totals[t]).padStart(totalWidth), pct(perClass[t])];
    lines.push(cells.join('  '));
  });
  const total = totals.reduce((a, b) => a + b, 0);
  const correct = confusion.reduce((a, row, t) => a + row[t], 0);
  lines.push(`overall accuracy ${pct(total === 0 ? NaN : correct / total)} (${correct} of ${total})`);
  return lines.join('\n');
}
