/**
 * What every supervised experiment draws of an evaluation (the scores themselves and the
 * metrics schema are in ../run-metrics.ts), and a timer for the seconds of each stage.
 */
import { confusionMatrixImage } from '../../viz/heatmap.ts';
import { linePlot } from '../../viz/line-plot.ts';
import { encodePng } from '../../viz/png.ts';
import type { RunDir } from '../run-dir.ts';
import type { Evaluation } from '../run-metrics.ts';

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
