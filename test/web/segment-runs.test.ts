/**
 * How the page prints a recording's labels over time (src/web/segment-runs.ts, time-format.ts,
 * time-ticks.ts): runs of one label merged, times that never print alike, axis ticks.
 */
import { describe, expect, it } from 'vitest';
import { segmentRanges } from '../../src/pipeline/segments.ts';
import { mergeRuns, segmentSpans } from '../../src/web/segment-runs.ts';
import { decimalsToTellApart, formatTime, timeFormatter } from '../../src/web/time-format.ts';
import { timeTicks } from '../../src/web/time-ticks.ts';

const CLASSES = ['left', 'right', 'up'];
/** Segments of `sfl classify` (1 s every 0.5 s) of a recording of `seconds` at 8 kHz, labelled in turn by `labels`. */
function segments(seconds: number, labels: string[]) {
  const rate = 8000;
  return segmentRanges(Math.round(seconds * rate), rate, 1, 0.5).map((r, i) => {
    const label = labels[i % labels.length];
    const probabilities = CLASSES.map((c) => (c === label ? 0.6 + 0.1 * (i % 3) : (0.4 - 0.1 * (i % 3)) / 2));
    return { start: r.start / rate, end: r.end / rate, label, probabilities };
  });
}

describe('runs of one label', () => {
  it('gives each moment to the latest segment that started, so the spans tile the recording', () => {
    const s = segments(3.3, ['left']);
    const spans = segmentSpans(s);
    expect(spans[0]).toEqual({ start: 0, end: 0.5 });
    for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBe(spans[i - 1].end);
    expect(spans[spans.length - 1].end).toBeCloseTo(3.3, 9);
  });

  it('merges consecutive segments with the same label, averaging the label\'s probability', () => {
    // 3 left, 2 up, 1 left, then right to the end.
    const labels = ['left', 'left', 'left', 'up', 'up', 'left', 'right', 'right', 'right'];
    const s = segments(5, labels);
    expect(s).toHaveLength(9);
    const runs = mergeRuns(s, CLASSES);
    expect(runs.map((r) => [r.label, r.first, r.count])).toEqual([['left', 0, 3], ['up', 3, 2], ['left', 5, 1], ['right', 6, 3]]);
    expect(runs.map((r) => [r.start, r.end])).toEqual([[0, 1.5], [1.5, 2.5], [2.5, 3], [3, 5]]);
    expect(runs[0].meanProbability).toBeCloseTo((0.6 + 0.7 + 0.8) / 3, 9);
    expect(runs[1].meanProbability).toBeCloseTo((0.6 + 0.7) / 2, 9);
    // A 3-minute recording of few labels: a few runs, not 359 lines.
    const long = segments(180, Array.from({ length: 359 }, (_, i) => CLASSES[Math.floor(i / 60) % 3]));
    expect(long).toHaveLength(359);
    expect(mergeRuns(long, CLASSES).length).toBe(6);
  });
});

describe('times as the page prints them', () => {
  it('prints segments 0.02 s apart differently (one decimal printed both as 0.0-1.0)', () => {
    // A 1.02 s file was cut into these two before the segment rule folded short tails (segments.ts);
    // --hop 0.02 still gives such neighbours.
    const s = [{ start: 0, end: 1 }, { start: 0.02, end: 1.02 }];
    const fmt = timeFormatter(1.02, s.flatMap((x) => [x.start, x.end]));
    expect(s.map((x) => fmt.range(x.start, x.end))).toEqual(['0.00–1.00', '0.02–1.02']);
    // A 1.02 s file is now one segment, the whole file.
    expect(segments(1.02, ['left'])).toEqual([expect.objectContaining({ start: 0, end: 1.02 })]);
    // The segments of sfl classify's rule at one decimal when that tells them apart: 1.3 s cut into 0-1 and 0.3-1.3.
    const cut = segments(1.3, ['left']);
    expect(cut).toHaveLength(2);
    const f1 = timeFormatter(1.3, cut.flatMap((x) => [x.start, x.end]));
    expect(cut.map((x) => f1.range(x.start, x.end))).toEqual(['0.0–1.0', '0.3–1.3']);
  });

  it('uses as few decimals as tell every distinct time apart, m:ss from a minute on', () => {
    expect(decimalsToTellApart([0, 0.5, 1, 1.5], false)).toBe(1);
    expect(decimalsToTellApart([0, 0.02, 1, 1.02], false)).toBe(2);
    expect(decimalsToTellApart([0, 0.004, 1], false)).toBe(3);
    expect(formatTime(125.5, 1, true)).toBe('2:05.5');
    expect(formatTime(59.96, 1, true)).toBe('1:00.0');
    expect(formatTime(7, 0, true)).toBe('0:07');
    for (const seconds of [1.02, 1.3, 3.3, 61.7, 180, 600.3]) {
      const s = segments(seconds, ['left', 'up']);
      const fmt = timeFormatter(seconds, s.flatMap((x) => [x.start, x.end]));
      const printed = s.map((x) => fmt.range(x.start, x.end));
      expect(new Set(printed).size, `${seconds} s`).toBe(s.length);
    }
  });
});

describe('time axis ticks', () => {
  it('spans the recording in round steps with room for their labels', () => {
    const ticks = timeTicks(180, 900, 64);
    expect(ticks[0]).toEqual({ seconds: 0, label: '0:00' });
    expect(ticks.map((t) => t.label)).toContain('3:00');
    const step = ticks[1].seconds - ticks[0].seconds;
    expect(step * (900 / 180)).toBeGreaterThanOrEqual(64);
    expect(step).toBe(15);
    const short = timeTicks(1.02, 900, 64);
    expect(short.map((t) => t.label)).toEqual(['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0']);
    expect(timeTicks(0.3, 900, 64).map((t) => t.label).slice(0, 3)).toEqual(['0.00', '0.05', '0.10']);
    expect(timeTicks(2, 560, 64).map((t) => t.label).slice(0, 3)).toEqual(['0.00', '0.25', '0.50']);
  });
});
