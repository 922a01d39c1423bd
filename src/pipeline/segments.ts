/**
 * How a long recording is cut into segments to be labelled over time, one rule for `sfl classify`,
 * the library, the run's report and the browser page (so it imports nothing Node-only). With S the
 * segment length and H the hop:
 *
 *   segments start every H (0, H, 2H, ...) as long as a whole segment fits; the tail that is left
 *   after the last of them (always shorter than H) is
 *     - added to the last segment when it is shorter than half the hop (half the segment when the
 *       hop is longer than the segment), so that segment is up to H/2 longer than S;
 *     - otherwise covered by one more full-length segment that ends at the recording's end (it
 *       starts less than H after the one before, so it overlaps it more than the others do).
 *   A recording no longer than S plus that much is one segment, the whole recording.
 *
 * Why not a shorter last segment: it was classified as a shorter file (for a fixed-length model,
 * padded with silence; for a windows model, a few windows of a word's tail) and was often given a
 * wrong label that the audio at the end does not deserve. Why not always a full-length last
 * segment: a 1.02 s recording cut into 1 s segments got two, 0-1 s and 0.02-1.02 s, nearly the same
 * audio twice, for 0.02 s that no other segment held.
 */
import { SflError } from '../util/errors.ts';

/** Segment length and hop when none is given, seconds: about one spoken word, half overlapping. */
export const DEFAULT_SEGMENT_SECONDS = 1;

/** [start, end) sample ranges of the segments of a recording of `length` samples (see the file comment). */
export function segmentRanges(length: number, sampleRate: number, segment: number, hop: number): { start: number; end: number }[] {
  if (!(segment > 0) || !(hop > 0)) throw new SflError(`the segment length and hop must be positive seconds (got ${segment} and ${hop})`);
  const S = Math.max(1, Math.round(segment * sampleRate)), H = Math.max(1, Math.round(hop * sampleRate));
  if (length <= S) return [{ start: 0, end: length }];
  const regular = Math.floor((length - S) / H) + 1;
  const ranges = Array.from({ length: regular }, (_, i) => ({ start: i * H, end: i * H + S }));
  const last = ranges[regular - 1];
  const tail = length - last.end;
  if (tail > 0) {
    if (tail < Math.min(H, S) / 2) last.end = length;
    else ranges.push({ start: length - S, end: length });
  }
  return ranges;
}

/**
 * Decimals that segment times are given to: milliseconds, or finer when the spectrum's frame hop
 * (`frameHop` samples) is shorter than a millisecond, so times are as precise as the frames that
 * are classified and print cleanly (1.021 s, not 1.0213151927437643 or 0.9600000000000001).
 */
export function timeDecimals(sampleRate: number, frameHop: number): number {
  const hopSeconds = frameHop / sampleRate;
  return Math.max(3, Math.ceil(-Math.log10(hopSeconds)));
}

/** Sample index `at` as seconds, rounded to timeDecimals. */
export function secondsAt(at: number, sampleRate: number, frameHop: number): number {
  return Number((at / sampleRate).toFixed(timeDecimals(sampleRate, frameHop)));
}
