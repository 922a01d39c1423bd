/**
 * What every supervised experiment reports about a set of predictions (accuracy, confusion
 * matrix, per-class accuracy), how it draws it, and a timer for the seconds of each stage.
 */
import { accuracyFromConfusion, confusionMatrix, perClassAccuracy } from '../../models/metrics.ts';
import { confusionMatrixImage } from '../../viz/heatmap.ts';
import { linePlot } from '../../viz/line-plot.ts';
import { encodePng } from '../../viz/png.ts';
import type { RunDir } from '../run-dir.ts';

export interface Evaluation {
  examples: number;
  accuracy: number;
  /** Rows: true class, columns: predicted class (classNames order). */
  confusion: number[][];
  /** Per true class: the fraction predicted correctly; null for a class with no example (JSON has no NaN). */
  perClassAccuracy: (number | null)[];
}

export function evaluate(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): Evaluation {
  const confusion = confusionMatrix(trueLabels, predicted, numClasses);
  return {
    examples: trueLabels.length,
    accuracy: accuracyFromConfusion(confusion),
    confusion,
    perClassAccuracy: perClassAccuracy(confusion).map((a) => (Number.isNaN(a) ? null : a)),
  };
}

export async function writeConfusionPng(run: RunDir, file: string, e: Evaluation, classNames: string[], title: string): Promise<void> {
  await run.writeFile(file, encodePng(confusionMatrixImage(e.confusion, { labels: classNames, title })));
}

/** One curve per optimisation stage, cost against iteration (log scale). */
export async function writeCostCurves(run: RunDir, file: string, curves: Record<string, number[]>, title: string): Promise<void> {
  const series = Object.entries(curves)
    .filter(([, y]) => y.length > 0)
    .map(([name, y]) => ({ name, x: y.map((_, i) => i), y }));
  if (series.length === 0) return;
  await run.writeFile(file, encodePng(linePlot(series, { title, xLabel: 'L-BFGS iteration', yLabel: 'cost', logY: true })));
}

/** Wall-clock seconds of named stages, in the order they ran. */
export class StageTimer {
  readonly seconds: Record<string, number> = {};

  async time<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.seconds[stage] = Number(((performance.now() - t0) / 1000).toFixed(3));
    }
  }
}
