/**
 * How a long recording is cut into segments to be labelled over time, one rule for `sfl classify`
 * and the browser page (so it imports nothing Node-only):
 *
 *   segment i covers [i * hop, min(i * hop + segment, duration)) seconds, for i = 0 .. n-1 with
 *   n = max(1, ceil((duration - segment) / hop) + 1): the last one ends at the end of the file.
 */
import { SflError } from '../util/errors.ts';

/** Segment length and hop when none is given, seconds: about one spoken word, half overlapping. */
export const DEFAULT_SEGMENT_SECONDS = 1;

/** [start, end) sample ranges of the segments of a recording of `length` samples (see the file comment). */
export function segmentRanges(length: number, sampleRate: number, segment: number, hop: number): { start: number; end: number }[] {
  if (!(segment > 0) || !(hop > 0)) throw new SflError(`the segment length and hop must be positive seconds (got ${segment} and ${hop})`);
  const S = Math.round(segment * sampleRate), H = Math.max(1, Math.round(hop * sampleRate));
  const n = length <= S ? 1 : Math.ceil((length - S) / H) + 1;
  return Array.from({ length: n }, (_, i) => ({ start: i * H, end: Math.min(i * H + S, length) }));
}
