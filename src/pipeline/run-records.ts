/**
 * What a classification run records beside its metrics so that its report can answer a user's
 * questions: which test recordings were misclassified (predictions.json) and what data the run
 * saw (data.json: files per class and split, files skipped and why). Written by the audio
 * experiments, read by report.ts; a run without them still gets a report, without those parts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Recording, SkippedFile } from '../data/labeled-set.ts';
import { SflError } from '../util/errors.ts';

export const PREDICTIONS_FILE = 'predictions.json';
export const DATA_FILE = 'data.json';

/** One stretch of a long recording and what it was classified as (times in seconds). */
export interface SegmentPrediction {
  start: number;
  end: number;
  predicted: string;
  confidence: number;
}

export interface RecordingPrediction {
  /** Absolute path of the audio file, so the report can play it wherever it is built. */
  path: string;
  label: string;
  predicted: string;
  /** Probability the classifier gave its prediction. */
  confidence: number;
  /** For long recordings classified segment by segment: the segments in time order. */
  segments?: SegmentPrediction[];
}

export interface PredictionsRecord {
  /** Which split (or fold) the test recordings come from. */
  split: string;
  classNames: string[];
  test: RecordingPrediction[];
}

export interface DataSummary {
  folder: string;
  split: string;
  /** Per class, recordings in the training and the test part of the split. */
  classes: { label: string; train: number; test: number }[];
  /** Files found but not used, and why. */
  skipped: SkippedFile[];
}

/** The test part of one split, labelled with class names (predicted and confidence from an Evaluation). */
export function predictionsRecord(
  split: string,
  classNames: string[],
  test: readonly Recording[],
  predicted: ArrayLike<number>,
  confidence: ArrayLike<number>,
): PredictionsRecord {
  if (predicted.length !== test.length || confidence.length !== test.length) {
    throw new Error(`predictions: ${test.length} recordings but ${predicted.length} predictions and ${confidence.length} confidences`);
  }
  return {
    split,
    classNames,
    test: test.map((r, i) => ({ path: resolve(r.path), label: r.label, predicted: classNames[predicted[i]], confidence: Number(confidence[i].toFixed(4)) })),
  };
}

export function dataSummary(folder: string, split: string, train: readonly Recording[], test: readonly Recording[], skipped: readonly SkippedFile[]): DataSummary {
  const labels = [...new Set([...train, ...test].map((r) => r.label))];
  const count = (recs: readonly Recording[], l: string) => recs.filter((r) => r.label === l).length;
  return {
    folder,
    split,
    classes: labels.map((label) => ({ label, train: count(train, label), test: count(test, label) })),
    skipped: [...skipped],
  };
}

function readJson<T>(runDir: string, file: string, valid: (x: unknown) => boolean): T | null {
  const path = join(runDir, file);
  if (!existsSync(path)) return null;
  let x: unknown;
  try {
    x = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SflError(`not valid JSON: ${(e as Error).message}`, path);
  }
  if (!valid(x)) throw new SflError('does not have the fields this version of sfl writes', path);
  return x as T;
}

export function readPredictions(runDir: string): PredictionsRecord | null {
  return readJson<PredictionsRecord>(runDir, PREDICTIONS_FILE, (x) => {
    const p = x as PredictionsRecord;
    return Array.isArray(p?.classNames) && Array.isArray(p?.test) && p.test.every((t) => typeof t.path === 'string' && typeof t.label === 'string' && typeof t.predicted === 'string' && typeof t.confidence === 'number');
  });
}

export function readDataSummary(runDir: string): DataSummary | null {
  return readJson<DataSummary>(runDir, DATA_FILE, (x) => {
    const d = x as DataSummary;
    return typeof d?.folder === 'string' && Array.isArray(d?.classes) && Array.isArray(d?.skipped);
  });
}
