import { SflError } from '../../util/errors.ts';

/**
 * Per-file checks on what a decoder produced, as sentences naming the file.
 *
 * Sample rate: 1 Hz .. 384 kHz (the highest rate of common studio converters). A header outside it
 * is corrupt or not audio, and is refused: the folder loader skips and reports such a file.
 *
 * Sample values: decoded audio is nominally in [-1, 1].
 *  - A non-finite sample (NaN, +-Inf; only float WAV files can hold them) refuses the file: no
 *    spectrum, .npy, model or prediction downstream may ever contain a non-finite value.
 *  - |x| > REJECT_LEVEL (1000, i.e. 60 dB above full scale) refuses the file. No recording chain
 *    produces that: it is what corrupt float data looks like (random bits read as float32 are
 *    mostly either tiny or astronomically large, e.g. 1e38), and one such sample squared in a
 *    power spectrum (1e6 and more) would dominate every normalisation statistic fitted on the set.
 *  - CLIP_LEVEL (1) < |x| <= REJECT_LEVEL is clipped to +-1 with a warning (count and peak).
 *    Floating-point files can legitimately run a little hot (a mix peaking at +2 dB), and lossy
 *    decoders overshoot full scale slightly on loud material; clipping keeps such files usable
 *    and on the same scale as every integer file, and the warning says how much was touched.
 */
export const MIN_SAMPLE_RATE = 1;
export const MAX_SAMPLE_RATE = 384_000;
export const CLIP_LEVEL = 1;
export const REJECT_LEVEL = 1e3;

/** @throws SflError naming the file when `rate` is not an integer in MIN..MAX_SAMPLE_RATE Hz. */
export function checkSampleRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
    throw new SflError(`sample rate ${rate} Hz is outside ${MIN_SAMPLE_RATE} Hz .. ${MAX_SAMPLE_RATE / 1000} kHz: the header is corrupt or this is not audio`, name);
  }
}

/** Checks and clips the blocks of one file in order; warnings() sums up what was clipped. */
export class SampleCheck {
  private clipped = 0;
  private peak = 0;
  private seen = 0;

  /** @param stage words for the warning, e.g. 'after resampling'; empty for the decoded samples. */
  constructor(
    private readonly name: string,
    private readonly stage = '',
  ) {}

  /**
   * Clips `block` in place (see the rules above).
   * @throws SflError naming the file and the sample's time for a non-finite or far too large value.
   */
  apply(block: Float32Array, sampleRate: number): void {
    // Nearly every block is within full scale: find that out with a tight loop (a NaN fails both
    // comparisons, so it takes the careful path below too).
    const hi = CLIP_LEVEL, lo = -CLIP_LEVEL, n = block.length;
    let i = 0;
    while (i < n && block[i] >= lo && block[i] <= hi) i++;
    if (i === block.length) {
      this.seen += block.length;
      return;
    }
    for (; i < block.length; i++) {
      const x = block[i];
      if (x >= -CLIP_LEVEL && x <= CLIP_LEVEL) continue;
      const a = Math.abs(x);
      const at = `sample ${this.seen + i} (${((this.seen + i) / sampleRate).toFixed(3)} s)`;
      if (!Number.isFinite(x)) throw new SflError(`non-finite sample value ${x} at ${at}: the file is corrupt`, this.name);
      if (a > REJECT_LEVEL) {
        throw new SflError(`sample value ${x.toExponential(3)} at ${at} is more than ${REJECT_LEVEL} times full scale: the file is corrupt`, this.name);
      }
      this.clipped++;
      if (a > this.peak) this.peak = a;
      block[i] = x > 0 ? CLIP_LEVEL : -CLIP_LEVEL;
    }
    this.seen += block.length;
  }

  /** One sentence per kind of repair made so far (none for a clean file). */
  warnings(): string[] {
    if (this.clipped === 0) return [];
    const db = 20 * Math.log10(this.peak);
    const stage = this.stage ? ` ${this.stage}` : '';
    return [`${this.name}: ${this.clipped} sample(s) beyond full scale${stage} (peak ${this.peak.toPrecision(4)}, +${db.toFixed(1)} dB) clipped to +-1`];
  }
}
