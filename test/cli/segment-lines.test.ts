import { describe, expect, it } from 'vitest';
import { segmentLines } from '../../src/cli/segment-lines.ts';
import { QUIET_LABEL, type SegmentPrediction } from '../../src/pipeline/classify-recordings.ts';

const NAMES = ['left', 'right'];
const seg = (start: number, label: string, p = 0.9, level = -20): SegmentPrediction =>
  label === QUIET_LABEL
    ? { start, end: start + 1, label, probabilities: [], level, quiet: true }
    : { start, end: start + 1, label, probabilities: label === 'left' ? [p, 1 - p] : [1 - p, p], level };

describe('segmentLines', () => {
  it('prints consecutive segments with one label as one line: first start to last end, the mean probability', () => {
    // 1 s segments every 0.5 s: left, left, left, right, left.
    const s = [seg(0, 'left', 0.9), seg(0.5, 'left', 0.7), seg(1, 'left', 0.8), seg(1.5, 'right', 0.6), seg(2, 'left', 0.99)];
    expect(segmentLines(s, NAMES)).toEqual([
      '  0.00-2.00 s\tleft\t80.0% on average (3 segments)',
      '  1.50-2.50 s\tright\t60.0%',
      '  2.00-3.00 s\tleft\t99.0%',
    ]);
  });

  it('a 3-minute recording of one label is one line, not 359', () => {
    const s = Array.from({ length: 359 }, (_, i) => seg(i / 2, 'right', 0.6));
    expect(segmentLines(s, NAMES)).toEqual(['  0.00-180.00 s\tright\t60.0% on average (359 segments)']);
  });

  it('quiet segments (under --min-level) are merged too, with the loudest level', () => {
    const s = [seg(0, 'left'), seg(0.5, QUIET_LABEL, 0, -61.5), seg(1, QUIET_LABEL, 0, -55.04), seg(1.5, 'left')];
    expect(segmentLines(s, NAMES)).toEqual([
      '  0.00-1.00 s\tleft\t90.0%',
      `  0.50-2.00 s\t${QUIET_LABEL}\t-55.0 dB at most (2 segments)`,
      '  1.50-2.50 s\tleft\t90.0%',
    ]);
  });
});
