/**
 * The held-out recordings of a classification run that are longer than one segment, classified
 * segment by segment for the run's predictions.json (the report draws them as timelines). The
 * segments come from classify-recordings.ts, so they are exactly what `sfl classify` prints for
 * the same recording with the same model: the run's saved model is loaded back and used as
 * `sfl classify` uses it.
 */
import { SflError } from '../util/errors.ts';
import { classifySegments, decodeAt } from './classify-recordings.ts';
import { DEFAULT_SEGMENT_SECONDS } from './segments.ts';
import type { PredictionsRecord } from './run-records.ts';
import type { TrainedRun } from './trained-run.ts';

export interface SegmentPredictionOptions {
  /**
   * Absolute paths of the recordings the saved model did not train on. With several folds only
   * the last fold's model is saved, and it trained on the other folds' test recordings: their
   * segments would be predictions on training data, so they get none.
   */
  heldOut: ReadonlySet<string>;
  /** Segment length and hop, seconds (default: `sfl classify`'s, 1 s every 0.5 s). */
  segment?: number;
  hop?: number;
  log?: (s: string) => void;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/**
 * A recording is long, and gets segment predictions, when it lasts more than this many segments.
 * One just over a segment (a spoken digit of 1.1 s) would be cut into two overlapping pieces, each
 * mostly silence or half a word: a timeline of those says nothing about the recording.
 */
const LONG_RECORDING_SEGMENTS = 2;

/**
 * `record` with `segments` added to every held-out long recording (see LONG_RECORDING_SEGMENTS; a new
 * record; the others unchanged). A recording that can no longer be decoded keeps no segments and
 * is named in the log.
 */
export async function withSegmentPredictions(record: PredictionsRecord, run: TrainedRun, o: SegmentPredictionOptions): Promise<PredictionsRecord> {
  if (run.cannotClassify || run.input.kind !== 'audio') return record;
  // Per-speaker standardisation needs many recordings of a speaker at once, not one recording's segments.
  if (run.parts.kind === 'audio-pipeline' && run.parts.pipeline.standardise === 'speaker') {
    o.log?.('no segment predictions: the model standardises each speaker\'s recordings together, so it does not classify one recording\'s segments alone');
    return record;
  }
  const rate = run.input.spectrum.sampleRate;
  const segment = o.segment ?? DEFAULT_SEGMENT_SECONDS;
  const hop = o.hop ?? segment / 2;
  const names = run.classNames!;
  if (names.join('\n') !== record.classNames.join('\n')) throw new Error('withSegmentPredictions: the saved model and the predictions have different classes');
  const test = [];
  for (const t of record.test) {
    if (!o.heldOut.has(t.path)) {
      test.push(t);
      continue;
    }
    let samples: Float32Array;
    try {
      samples = await decodeAt(t.path, rate);
    } catch (e) {
      if (!(e instanceof SflError)) throw e;
      o.log?.(`no segment predictions for ${t.path}: ${e.message}`);
      test.push(t);
      continue;
    }
    if (samples.length <= Math.round(LONG_RECORDING_SEGMENTS * segment * rate)) {
      test.push(t);
      continue;
    }
    const segments = classifySegments(run, samples, { segment, hop, name: t.path }).map((s) => {
      const k = names.indexOf(s.label);
      return { start: s.start, end: s.end, predicted: s.label, confidence: round(s.probabilities[k], 4) };
    });
    test.push({ ...t, segments });
  }
  return { ...record, test };
}
