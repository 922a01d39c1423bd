/**
 * The one metrics schema: what every experiment writes to metrics.json, and what `sfl runs`,
 * `sfl report` and the library read back. Every run has the same headline fields (experiment,
 * seed, testAccuracy, finalCost, classNames, test); experiment-specific details sit beside them.
 *
 *   test: Evaluation    the final model on the test data (with several folds: every held-out
 *                       example once, predicted by the fold that did not train on it)
 *   testAccuracy        the number a run is known by: test.accuracy, or the mean over folds
 *
 * metrics.json files written by earlier versions (no `schema` field) are upgraded on reading by
 * readRunMetrics, so old runs still list and report; their per-class scores are recomputed from
 * the confusion matrix they saved.
 */
import { accuracyFromConfusion, classScores, confusionMatrix } from '../models/metrics.ts';
import { SflError } from '../util/errors.ts';

export const METRICS_SCHEMA = 2;

/** One class's scores; null where the ratio is undefined (JSON has no NaN). */
export interface ClassReport {
  name: string;
  precision: number | null;
  /** Also the class's accuracy: the fraction of its examples predicted correctly. */
  recall: number | null;
  f1: number | null;
  /** Examples of this class in the evaluated set. */
  support: number;
}

/** A classifier's predictions on a labelled set, scored. */
export interface Evaluation {
  examples: number;
  accuracy: number;
  /** Rows: true class, columns: predicted class (classNames order). */
  confusion: number[][];
  /** One entry per class, in classNames order. */
  perClass: ClassReport[];
}

export interface RunMetrics {
  schema: typeof METRICS_SCHEMA;
  /** The pipeline that ran: 'self-taught', 'conv', 'stacked', 'conv-ae', 'softmax', 'sae', 'mnist-mlp', ... */
  experiment: string;
  seed: number | null;
  /** Null for runs that learn no classifier (sae). */
  classNames: string[] | null;
  /** The final model on the test data; null when the run has no classifier or saved no predictions. */
  test: Evaluation | null;
  /** The headline accuracy (mean over folds when there are several); null when the run does not classify. */
  testAccuracy: number | null;
  /** The final cost of the last training stage (the model the run saved); null when it has none. */
  finalCost: number | null;
  /** Experiment-specific details (settings used, stages, folds, histories). */
  [detail: string]: unknown;
}

/** The metrics of a run that trained a classifier and tested it. */
export type ClassifierRunMetrics = RunMetrics & { classNames: string[]; test: Evaluation; seed: number; testAccuracy: number };

/** The last value of the last non-empty cost curve: the final cost of the last stage trained. */
export function lastCost(curves: Record<string, number[]>): number | null {
  const filled = Object.values(curves).filter((c) => c.length > 0);
  return filled.length ? filled[filled.length - 1][filled[filled.length - 1].length - 1] : null;
}

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** Scores of a confusion matrix (rows: true class), with the class names. */
export function evaluationFromConfusion(confusion: number[][], classNames: readonly string[]): Evaluation {
  if (classNames.length !== confusion.length) {
    throw new SflError(`${classNames.length} class names for a ${confusion.length}-class confusion matrix`);
  }
  return {
    examples: confusion.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0),
    accuracy: accuracyFromConfusion(confusion),
    confusion,
    perClass: classScores(confusion).map((s, c) => ({
      name: classNames[c],
      precision: nullIfNaN(s.precision),
      recall: nullIfNaN(s.recall),
      f1: nullIfNaN(s.f1),
      support: s.support,
    })),
  };
}

/** Scores predicted class indices against the true ones. */
export function evaluate(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, classNames: readonly string[]): Evaluation {
  return evaluationFromConfusion(confusionMatrix(trueLabels, predicted, classNames.length), classNames);
}

/** The headline fields first, then the experiment's details (which may not override them). */
export function runMetrics(
  head: { experiment: string; seed: number | null; classNames?: string[] | null; test?: Evaluation | null; testAccuracy?: number | null; finalCost?: number | null },
  details: Record<string, unknown> = {},
): RunMetrics {
  const test = head.test ?? null;
  return {
    ...details,
    schema: METRICS_SCHEMA,
    experiment: head.experiment,
    seed: head.seed,
    classNames: head.classNames ?? null,
    test,
    testAccuracy: head.testAccuracy !== undefined ? head.testAccuracy : (test?.accuracy ?? null),
    finalCost: head.finalCost ?? null,
  };
}

/** runMetrics for a run that trained a classifier and tested it. */
export function classifierRunMetrics(
  head: { experiment: string; seed: number; classNames: string[]; test: Evaluation; testAccuracy?: number; finalCost: number | null },
  details: Record<string, unknown> = {},
): ClassifierRunMetrics {
  return runMetrics(head, details) as ClassifierRunMetrics;
}

/** Scalar metrics with nested objects flattened to dotted keys; arrays (histories, tables) are left out. */
export function flatMetrics(m: Record<string, unknown>, prefix = ''): [string, number | string | boolean][] {
  const out: [string, number | string | boolean][] = [];
  for (const [k, v] of Object.entries(m)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out.push([key, v]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...flatMetrics(v as Record<string, unknown>, key));
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * metrics.json as a RunMetrics. A file of this schema is returned as it is; one written before
 * the schema existed is upgraded (`experiment` is then the caller's guess, from run.json).
 */
export function readRunMetrics(raw: unknown, experiment: string): RunMetrics {
  if (!isObject(raw)) return runMetrics({ experiment, seed: null });
  if (raw.schema === METRICS_SCHEMA) return raw as RunMetrics;
  if (raw.schema !== undefined) throw new SflError(`metrics.json has schema ${JSON.stringify(raw.schema)}; this version of sfl reads schema ${METRICS_SCHEMA}`);
  return upgradeLegacy(raw, experiment);
}

/**
 * Earlier versions wrote a different layout per experiment. Their headline numbers are found where
 * each of those layouts put them (the test accuracy after fine-tuning where there was one; a
 * test error for the MNIST baselines), and their test confusion matrix is rescored.
 */
function upgradeLegacy(raw: Record<string, unknown>, experiment: string): RunMetrics {
  const classNames = Array.isArray(raw.classNames) ? (raw.classNames as unknown[]).map(String) : null;
  const folds = Array.isArray(raw.folds) ? (raw.folds as unknown[]).filter(isObject) : [];
  const confusionOf = (e: unknown): number[][] | null => (isObject(e) && Array.isArray(e.confusion) ? (e.confusion as number[][]) : null);
  // The test evaluation: `test` (softmax, self-taught, stacked, conv-ae), or the only fold's (audio self-taught and conv).
  const confusion = confusionOf(raw.test) ?? (folds.length === 1 ? confusionOf(folds[0].test) : null);
  let test: Evaluation | null = null;
  if (confusion && classNames && classNames.length === confusion.length) test = evaluationFromConfusion(confusion, classNames);
  const flat = flatMetrics(raw);
  const first = (tests: RegExp[]): number | null => {
    for (const re of tests) {
      const hit = flat.find(([k, v]) => re.test(k) && finite(v) !== null);
      if (hit) return hit[1] as number;
    }
    return null;
  };
  const afterFineTune = isObject(raw.afterFineTune) && isObject(raw.afterFineTune.test) ? finite(raw.afterFineTune.test.accuracy) : null;
  const testError = finite(raw.testError);
  const testAccuracy =
    finite(raw.testAccuracy) ??
    afterFineTune ??
    (isObject(raw.test) ? finite(raw.test.accuracy) : null) ??
    (testError !== null ? 1 - testError : null) ??
    first([/test.*accuracy|accuracy.*test/i, /accuracy$/i]);
  const baseline = folds.length === 1 && confusionOf(folds[0].baseline) && classNames ? evaluationFromConfusion(confusionOf(folds[0].baseline)!, classNames) : undefined;
  return runMetrics(
    {
      experiment: typeof raw.experiment === 'string' ? raw.experiment : typeof raw.task === 'string' ? raw.task : experiment,
      seed: finite(raw.seed),
      classNames,
      test,
      testAccuracy,
      finalCost: first([/^finalCost$/i, /finalCost$/i, /(^|\.)cost$/i]),
    },
    { ...raw, ...(baseline ? { baseline } : {}), upgradedFrom: 'metrics.json of an earlier sfl version (no schema field)' },
  );
}
