/**
 * A long recording's segment labels as a reader takes them in: the stretch of the recording each
 * segment speaks for, and consecutive segments with the same label merged into runs
 * ("0:00.0-0:12.0 left 87%" rather than 24 lines of "left").
 *
 * Segments overlap (1 s every 0.5 s, pipeline/segments.ts), so each moment is given to the latest
 * segment that started by then: segment i speaks for [start_i, start_i+1), the last one for
 * [start, end]. The spans tile the recording without overlap, as the report's timeline
 * (viz/timeline.ts) draws them, later segments over earlier ones.
 */
import type { SegmentResult } from './page-pipeline.ts';

export interface Span {
  start: number;
  end: number;
}

export interface SegmentRun extends Span {
  label: string;
  /** The label's probability averaged over the run's segments, 0..1. */
  meanProbability: number;
  /** Index of the run's first segment, and how many segments it merges. */
  first: number;
  count: number;
}

/** The stretch of the recording each segment speaks for (see the file comment), in segment order. */
export function segmentSpans(segments: readonly Span[]): Span[] {
  return segments.map((s, i) => ({ start: s.start, end: i + 1 < segments.length ? Math.max(s.start, segments[i + 1].start) : s.end }));
}

/** Consecutive segments with the same label, merged; their spans joined end to end. */
export function mergeRuns(segments: readonly SegmentResult[], classNames: readonly string[]): SegmentRun[] {
  const spans = segmentSpans(segments);
  const runs: (SegmentRun & { sum: number })[] = [];
  segments.forEach((s, i) => {
    const p = s.probabilities[classNames.indexOf(s.label)] ?? NaN;
    const last = runs[runs.length - 1];
    if (last && last.label === s.label) {
      last.end = spans[i].end;
      last.count++;
      last.sum += p;
    } else {
      runs.push({ ...spans[i], label: s.label, meanProbability: NaN, first: i, count: 1, sum: p });
    }
  });
  return runs.map(({ sum, ...r }) => ({ ...r, meanProbability: sum / r.count }));
}
