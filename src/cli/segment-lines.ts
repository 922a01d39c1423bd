/**
 * A long recording's segment labels as `sfl classify` prints them: consecutive segments with the
 * same label are one line, from the first one's start to the last one's end (the audio those
 * segments heard), with the label's mean probability. A 3-minute recording in 1 s segments every
 * 0.5 s was 359 lines among the other files' one line each; `--json` still lists every segment.
 */
import type { SegmentPrediction } from '../pipeline/classify-recordings.ts';

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;

/** The text lines (two-space indent, tab-separated time range, label, probability or level) of a recording's segments. */
export function segmentLines(segments: readonly SegmentPrediction[], classNames: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < segments.length; ) {
    let j = i + 1;
    while (j < segments.length && segments[j].label === segments[i].label) j++;
    const run = segments.slice(i, j);
    const time = `${run[0].start.toFixed(2)}-${run[run.length - 1].end.toFixed(2)} s`;
    let what: string;
    if (run[0].quiet) {
      const loudest = Math.max(...run.map((s) => s.level));
      what = run.length === 1 ? `${loudest.toFixed(1)} dB` : `${loudest.toFixed(1)} dB at most (${run.length} segments)`;
    } else {
      const k = classNames.indexOf(run[0].label);
      const mean = run.reduce((sum, s) => sum + s.probabilities[k], 0) / run.length;
      what = run.length === 1 ? pct(mean) : `${pct(mean)} on average (${run.length} segments)`;
    }
    lines.push(`  ${time}\t${run[0].label}\t${what}`);
    i = j;
  }
  return lines;
}
