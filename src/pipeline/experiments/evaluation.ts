/**
 * What every supervised experiment draws of an evaluation (the scores themselves and the
 * metrics schema are in ../run-metrics.ts) and the predictions it records, and a timer for the
 * seconds of each stage.
 */
import { confusionMatrixImage } from '../../viz/heatmap.ts';
import { linePlot } from '../../viz/line-plot.ts';
import { encodePng } from '../../viz/png.ts';
import type { RunDir } from '../run-dir.ts';
import type { ClassifierRunMetrics, Evaluation } from '../run-metrics.ts';

/** What a supervised experiment returns: its committed run folder and what metrics.json holds. */
export interface ClassificationExperimentResult {
  runPath: string;
  metrics: ClassifierRunMetrics;
}
import { resolve } from 'node:path';
import type { Recording } from '../../data/labeled-set.ts';
import { PREDICTIONS_FILE, type PredictionsRecord } from '../run-records.ts';
import { withSegmentPredictions } from '../segment-predictions.ts';
import { loadTrainedRun } from '../trained-run.ts';

/**
 * predictions.json of a run whose model is saved already: `record`, with the long recordings of
 * `heldOut` (those the saved model did not train on) also classified segment by segment by the
 * saved model, as `sfl classify` does (segment-predictions.ts).
 */
export async function writePredictions(run: RunDir, record: PredictionsRecord, heldOut: readonly Recording[], log?: (s: string) => void): Promise<void> {
  const saved = await loadTrainedRun(run.stagingPath);
  await run.writeJson(PREDICTIONS_FILE, await withSegmentPredictions(record, saved, { heldOut: new Set(heldOut.map((r) => resolve(r.path))), log }));
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
