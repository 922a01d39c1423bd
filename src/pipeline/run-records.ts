/**
 * What a classification run records beside its metrics so that its report can answer a user's
 * questions: which test recordings were misclassified (predictions.json) and what data the run
 * saw (inputs.json: every file used or skipped and why, and each split's files per class). Written
 * by the audio experiments, read by report.ts; a run without them still gets a report, without
 * those parts.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Matrix } from '../compute/matrix.ts';
import type { Recording, SkippedFile } from '../data/labeled-set.ts';
import { argmaxRows } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { readJsonFile } from '../util/json-file.ts';
import type { Framing } from './spectra.ts';

export const PREDICTIONS_FILE = 'predictions.json';
export const INPUTS_FILE = 'inputs.json';

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
  /** The probability of every class, in classNames order (runs of earlier versions did not record it). */
  probabilities?: number[];
  /** For long recordings classified segment by segment: the segments in time order. */
  segments?: SegmentPrediction[];
}

export interface PredictionsRecord {
  /** Which split (or fold) the test recordings come from. */
  split: string;
  classNames: string[];
  test: RecordingPrediction[];
}

/** Recordings per class in the training and the test part of one split. */
export interface SplitRecord {
  name: string;
  train: number;
  test: number;
  classes: { label: string; train: number; test: number }[];
}

/** inputs.json: every file of the folder accounted for (used or skipped, with why), and the splits. */
export interface InputsRecord {
  dir: string;
  /** The lines the loader logged (labels, rate, split, summary). */
  notes: string[];
  used: string[];
  skipped: SkippedFile[];
  hidden: number;
  /** Empty for a run that learned without labels. */
  splits: SplitRecord[];
  /** The frame and hop asked for and used, in samples and ms (absent in runs of earlier versions). */
  spectrum?: Framing;
}

/** What the report's Data section shows: one split (the last, when there are folds) and the skipped files. */
export interface DataSummary {
  folder: string;
  split: string;
  classes: { label: string; train: number; test: number }[];
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

/**
 * The test part of one split from the classifier's probabilities (recordings x classes): the
 * prediction is the most probable class, and every class's probability is kept.
 */
export function predictionsFromProbabilities(split: string, classNames: string[], test: readonly Recording[], probs: Matrix): PredictionsRecord {
  if (probs.rows !== test.length || probs.cols !== classNames.length) {
    throw new Error(`predictions: ${test.length} recordings and ${classNames.length} classes, but ${probs.rows} x ${probs.cols} probabilities`);
  }
  const predicted = argmaxRows(probs.data, probs.rows, probs.cols);
  const row = (i: number) => Array.from(probs.data.subarray(i * probs.cols, (i + 1) * probs.cols), (p) => Number(p.toFixed(4)));
  const record = predictionsRecord(split, classNames, test, predicted, Float32Array.from(predicted, (k, i) => probs.data[i * probs.cols + k]));
  record.test.forEach((t, i) => (t.probabilities = row(i)));
  return record;
}

/** The records of several folds as one: every held-out recording once, predicted by the fold that held it out. */
export function mergePredictions(split: string, records: readonly PredictionsRecord[]): PredictionsRecord {
  const classNames = records[0]?.classNames ?? [];
  if (records.some((r) => r.classNames.join('\n') !== classNames.join('\n'))) throw new Error('mergePredictions: the folds have different classes');
  return { split, classNames, test: records.flatMap((r) => r.test) };
}

/** One split's files per class (labels in order of first appearance). */
export function splitRecord(name: string, train: readonly Recording[], test: readonly Recording[]): SplitRecord {
  const labels = [...new Set([...train, ...test].map((r) => r.label))];
  const count = (recs: readonly Recording[], l: string) => recs.filter((r) => r.label === l).length;
  return { name, train: train.length, test: test.length, classes: labels.map((label) => ({ label, train: count(train, label), test: count(test, label) })) };
}

function readJson<T>(runDir: string, file: string, valid: (x: unknown) => boolean): T | null {
  const path = join(runDir, file);
  if (!existsSync(path)) return null;
  const x = readJsonFile(path);
  if (!valid(x)) throw new SflError('does not have the fields this version of sfl writes', path);
  return x as T;
}

export function readPredictions(runDir: string): PredictionsRecord | null {
  return readJson<PredictionsRecord>(runDir, PREDICTIONS_FILE, (x) => {
    const p = x as PredictionsRecord;
    return Array.isArray(p?.classNames) && Array.isArray(p?.test) && p.test.every((t) => typeof t.path === 'string' && typeof t.label === 'string' && typeof t.predicted === 'string' && typeof t.confidence === 'number');
  });
}

export function readInputs(runDir: string): InputsRecord | null {
  return readJson<InputsRecord>(runDir, INPUTS_FILE, (x) => {
    const d = x as InputsRecord;
    return typeof d?.dir === 'string' && Array.isArray(d?.skipped) && Array.isArray(d?.splits);
  });
}

/** The Data section of a run's inputs: its last split (null for a run without splits or without class counts). */
export function dataSummary(inputs: InputsRecord): DataSummary | null {
  const last = inputs.splits[inputs.splits.length - 1];
  if (!last?.classes) return null;
  return { folder: inputs.dir, split: last.name, classes: last.classes, skipped: inputs.skipped };
}
