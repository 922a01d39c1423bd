/**
 * How a long recording is cut into segments to be labelled over time, one rule for `sfl classify`
 * and the browser page (so it imports nothing Node-only):
 *
 *   segment i covers [min(i * hop, duration - segment), that + segment) seconds, for i = 0 .. n-1
 *   with n = ceil((duration - segment) / hop) + 1; a recording no longer than one segment is one
 *   segment, the whole recording.
 *
 * So every segment has the full length and the last one ends at the end of the file: when the hop
 * does not divide the rest, the last segment starts earlier and overlaps the one before more. Why
 * not a shorter last segment: it was classified as a shorter file (for a fixed-length model, padded
 * with silence; for a windows model, a few windows of a word's tail) and was often given a wrong
 * label that the audio at the end does not deserve.
 */
import { SflError } from '../util/errors.ts';

/** Segment length and hop when none is given, seconds: about one spoken word, half overlapping. */
export const DEFAULT_SEGMENT_SECONDS = 1;

/** [start, end) sample ranges of the segments of a recording of `length` samples (see the file comment). */
export function segmentRanges(length: number, sampleRate: number, segment: number, hop: number): { start: number; end: number }[] {
  if (!(segment > 0) || !(hop > 0)) throw new SflError(`the segment length and hop must be positive seconds (got ${segment} and ${hop})`);
  const S = Math.round(segment * sampleRate), H = Math.max(1, Math.round(hop * sampleRate));
  const n = length <= S ? 1 : Math.ceil((length - S) / H) + 1;
  if (n === 1) return [{ start: 0, end: length }];
  return Array.from({ length: n }, (_, i) => {
    const start = Math.min(i * H, length - S);
    return { start, end: start + S };
  });
}
