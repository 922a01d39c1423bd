/**
 * How the supervised commands (train-softmax, self-taught, stacked) print a result: the test
 * accuracy line, the confusion table with per-class accuracy, and where the run went; or, with
 * --json, the metrics as one object (without the long cost histories, which stay in metrics.json).
 */
import { formatConfusion } from '../models/metrics.ts';
import type { ClassifierRunMetrics, Evaluation } from '../pipeline/run-metrics.ts';
import { nextStepsLine } from './next-steps.ts';

const pct = (x: number | null) => (x === null || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

function formatEvaluation(e: Evaluation, classNames: string[], label = 'test accuracy'): string {
  const correct = e.confusion.reduce((a, row, t) => a + row[t], 0);
  return [
    `${label} ${pct(e.accuracy)} (${correct} of ${e.examples})`,
    formatConfusion(e.confusion, classNames),
    `per-class accuracy (recall): ${e.perClass.map((c) => `${c.name} ${pct(c.recall)}`).join(', ')}`,
    `per-class precision: ${e.perClass.map((c) => `${c.name} ${pct(c.precision)}`).join(', ')}`,
    `per-class F1: ${e.perClass.map((c) => `${c.name} ${pct(c.f1)}`).join(', ')}`,
  ].join('\n');
}

export function printClassificationResult(
  runPath: string,
  metrics: ClassifierRunMetrics,
  json: boolean | undefined,
  sections: { label: string; evaluation: Evaluation }[] = [{ label: 'test accuracy', evaluation: metrics.test }],
  /** An audio run: end with the commands that label new recordings with it. */
  audio = false,
): void {
  if (json) {
    console.log(JSON.stringify({ run: runPath, ...metrics, costHistory: undefined }, null, 2));
    return;
  }
  for (const s of sections) console.log(`${formatEvaluation(s.evaluation, metrics.classNames, s.label)}\n`);
  const seconds = metrics.secondsPerStage as Record<string, number> | undefined;
  if (seconds) console.log(`seconds per stage: ${Object.entries(seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  console.log(`seed ${metrics.seed}; run written to ${runPath}`);
  if (audio) console.log(nextStepsLine(runPath, 'audio-classifier'));
}

/**
 * Where an audio run's result tables go while it runs: stdout, or stderr with --json so that
 * stdout holds nothing but the JSON object.
 */
export function audioTablesOutput(json: boolean | undefined): ((line: string) => void) | undefined {
  return json ? (line) => process.stderr.write(`${line}\n`) : undefined;
}

/**
 * The end of an audio classification run (self-taught, conv): its tables were printed while it ran,
 * so only where it went and what to do with it; or, with --json, the metrics as one object.
 */
export function printAudioRunResult(runPath: string, metrics: ClassifierRunMetrics, json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify({ run: runPath, ...metrics, costHistory: undefined }, null, 2));
    return;
  }
  console.log(`run written to ${runPath}`);
  console.log(nextStepsLine(runPath, 'audio-classifier'));
}
