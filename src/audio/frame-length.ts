import { SflError } from '../util/errors.ts';

/**
 * A frame size or a hop as a user gives it: a whole number of samples (256), or a duration
 * ("32ms", "0.032s") that means the same time at every sample rate. A number of samples is only
 * right for one rate: 256 samples are 32 ms at 8 kHz but 5.8 ms at 44.1 kHz. Durations are
 * resolved to samples here, once the rate of a run is known, and nowhere else.
 */
export type SampleLength = number | string;

/**
 * The hop's default: half the frame as resolved, whatever the rate. A fixed duration would not
 * do, since the frame (a power of two) is up to sqrt(2) off its duration: a 16 ms hop under 32 ms
 * frames overlaps them by 31% at 44.1 kHz (1024-sample frames) but by 62% at 48 kHz (2048). Half
 * the frame is a 50% overlap everywhere, where periodic Hann windows sum to a constant
 * (window.ts), and at 8 kHz exactly the 256 / 128 samples every FSDD figure was made with.
 */
export const HALF_FRAME = 'half';

/** A hop as a user gives it: a SampleLength, or HALF_FRAME. */
export type HopLength = SampleLength | typeof HALF_FRAME;

const DURATION = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)\s*$/i;

/** Seconds of a duration string ("32ms", "0.5s"), or null when `s` is not one. */
export function durationSeconds(s: string): number | null {
  const m = DURATION.exec(s);
  if (!m) return null;
  const seconds = Number(m[1]) / (m[2].toLowerCase() === 'ms' ? 1000 : 1);
  return seconds > 0 ? seconds : null;
}

/**
 * Why `v` is not a SampleLength of at least `minSamples` samples (or, with `orHalf`, HALF_FRAME),
 * or null when it is one.
 */
export function sampleLengthProblem(v: unknown, minSamples: number, orHalf = false): string | null {
  if (orHalf && v === HALF_FRAME) return null;
  if (orHalf) {
    const problem = sampleLengthProblem(v, minSamples);
    return problem === null ? null : `${problem}, or "${HALF_FRAME}" (half the frame)`;
  }
  if (typeof v === 'number') return Number.isInteger(v) && v >= minSamples ? null : `a whole number of samples >= ${minSamples}`;
  if (typeof v === 'string') return durationSeconds(v) !== null ? null : 'a duration > 0 like "32ms" or "0.032s"';
  return `a number of samples or a duration like "32ms"`;
}

/** The samples `length` covers at `sampleRate` Hz, unrounded. @throws SflError for anything else. */
function exactSamples(length: SampleLength, sampleRate: number, what: string): number {
  if (typeof length === 'number') return length;
  const seconds = durationSeconds(length);
  if (seconds === null) throw new SflError(`spectrum params: ${what} must be a number of samples or a duration like "32ms", got "${length}"`);
  return seconds * sampleRate;
}

/**
 * The frame size (the FFT size) in samples at `sampleRate`: samples as given; a duration rounded
 * to the nearest power of two, nearest in ratio (so never more than a factor sqrt(2) off: 32 ms is
 * 256 samples at 8 kHz, 512 at 16 and 22.05 kHz, 1024 at 44.1 kHz, 2048 at 48 kHz).
 */
export function frameSizeAt(length: SampleLength, sampleRate: number): number {
  if (typeof length === 'number') return length;
  return 2 ** Math.max(1, Math.round(Math.log2(exactSamples(length, sampleRate, 'frameSize'))));
}

/**
 * The hop in samples at `sampleRate`, under frames of `frameSize` samples: samples as given; a
 * duration rounded to the nearest whole sample (at least 1); HALF_FRAME half the frame.
 */
export function hopAt(length: HopLength, sampleRate: number, frameSize: number): number {
  if (typeof length === 'number') return length;
  if (length === HALF_FRAME) return Math.max(1, Math.floor(frameSize / 2));
  return Math.max(1, Math.round(exactSamples(length, sampleRate, 'hop')));
}

/** Milliseconds that `samples` last at `sampleRate`, to 0.1 ms (for the record and the log). */
export function samplesToMs(samples: number, sampleRate: number): number {
  return Math.round((10_000 * samples) / sampleRate) / 10;
}

/**
 * A frame size or hop as given, the same kind of value back ("32ms" stays a duration, 256 stays
 * samples), for a command-line flag: "256" -> 256, "32ms" -> "32ms". @throws SflError naming `flag`.
 */
export function parseSampleLength(raw: string, flag: string): SampleLength {
  const t = raw.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (durationSeconds(t) !== null) return t.replace(/\s+/g, '');
  throw new SflError(`${flag} takes a number of samples like 256 or a duration like 32ms (got "${raw}")`);
}

/** parseSampleLength for a hop, which may also be HALF_FRAME: "half" -> "half". @throws SflError naming `flag`. */
export function parseHopLength(raw: string, flag: string): HopLength {
  if (raw.trim().toLowerCase() === HALF_FRAME) return HALF_FRAME;
  try {
    return parseSampleLength(raw, flag);
  } catch {
    throw new SflError(`${flag} takes a number of samples like 128, a duration like 16ms, or ${HALF_FRAME} (half the frame) (got "${raw}")`);
  }
}
