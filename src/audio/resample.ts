import type LibSampleRateModule from '@alexanderolsen/libsamplerate-js';
import { concatenated } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';

type Converter = Awaited<ReturnType<typeof LibSampleRateModule.create>>;

/**
 * The library, imported when the first converter is made: its WebAssembly (inlined, 2 MB) is
 * a quarter of the browser page's script, and a page fed files at the run's rate never needs it
 * (pipeline/web-site.ts splits it into a chunk of its own).
 */
let library: Promise<typeof LibSampleRateModule> | null = null;
function libSampleRate(): Promise<typeof LibSampleRateModule> {
  // A CommonJS module marked __esModule: Node's import() gives its exports as `default`; tsx and
  // the page's bundler give them as named exports.
  library ??= import('@alexanderolsen/libsamplerate-js').then((m: { default?: typeof LibSampleRateModule }) => ('create' in m ? m : m.default) as typeof LibSampleRateModule);
  return library;
}

/**
 * SRC_SINC_MEDIUM_QUALITY, chosen from a measurement (`npm run bench -- --only resample`, sines at
 * fractions of the output Nyquist frequency, 44.1 kHz -> 16 kHz and -> 8 kHz, 60 s of noise for
 * the speed, CPU time on one core):
 *
 *   converter      80%       90%       95%       110% (alias)   speed
 *   BEST_QUALITY   0.00 dB   0.00 dB   -0.32 dB  -156 dB        17-20x real time
 *   MEDIUM_QUALITY 0.00 dB   -2.1 dB   -20 dB    -128 dB        73x real time
 *   FASTEST        -2.8 dB   -21 dB    -42 dB    -103 dB        157-171x real time
 *
 * So MEDIUM is flat to 80% of the output band, -2.1 dB at 90% and -20 dB at 95%: after resampling,
 * the top tenth of the band (e.g. 7.2-8 kHz at 16 kHz, the top one or two of 40 mel bands up to
 * Nyquist) is attenuated, while files already at the target rate are not. BEST is flat to 95% but
 * 4.3x slower: a 10-minute 44.1 kHz recording would take ~35 s of CPU to resample instead of ~8 s,
 * which would dominate decoding (MP3 ~600x real time) and the spectra (~500x). We keep MEDIUM for
 * that speed and say where its band ends; FASTEST already loses 2.8 dB at 80%. To compare files
 * of different native rates on equal terms, analyse up to ~0.8 x the target Nyquist (--fmax).
 * ZERO_ORDER_HOLD and LINEAR are not band-limited and alias on downsampling.
 */
const CONVERTER = 'SRC_SINC_MEDIUM_QUALITY' satisfies keyof typeof LibSampleRateModule.ConverterType;

/**
 * libsamplerate-js accepts rates 1..192 kHz and libsamplerate ratios in [1/256, 256]. Only the
 * ratio matters to the converter, so a pair above 192 kHz (e.g. 384 kHz -> 16 kHz) is handed over
 * reduced by the rates' greatest common divisor (24 -> 1).
 */
const MAX_LIBRARY_RATE = 192_000;
const MAX_RATIO = 256;

/**
 * Input samples handed to the converter per call. libsamplerate-js moves data through a fixed
 * transfer buffer of 1,008,000 samples, and its own chunking of longer inputs returns a short
 * buffer (a 10-minute 44.1 kHz recording came back almost empty), so we stream the signal through
 * the converter's `full` API ourselves in blocks whose output fits that buffer at any ratio.
 */
const BLOCK_OUTPUT = 1 << 18;
/** Zeros fed after the signal: the sinc filter holds back its last output samples until it sees them. */
const FLUSH_BLOCK = 1024;
/** Flush calls allowed before the converter is declared stuck (a few are ever needed). */
const MAX_FLUSHES = 64;

// Loading the wasm module and building a converter costs ~10-40 ms, so finished converters go back
// to a pool per rate pair. One converter serves one signal at a time (its filter state is the
// signal's history); a stream that is abandoned without finish() simply never returns its converter.
const idle = new Map<string, Converter[]>();

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The rate pair given to libsamplerate: the same ratio, within its 1..192 kHz range. */
function libraryRates(fromRate: number, toRate: number): [number, number] {
  if (fromRate <= MAX_LIBRARY_RATE && toRate <= MAX_LIBRARY_RATE) return [fromRate, toRate];
  const g = gcd(fromRate, toRate);
  return [fromRate / g, toRate / g];
}

/**
 * Check a rate pair, throwing SflError (naming `name` when given) when it cannot be converted:
 * rates must be integers in 1..384000 Hz (the range decode.ts accepts), their ratio within
 * [1/256, 256], and after reduction by their gcd both within libsamplerate's 1..192000 Hz.
 */
function checkResampleRates(fromRate: number, toRate: number, name?: string): void {
  for (const [what, r] of [['source', fromRate], ['target', toRate]] as const) {
    if (!Number.isInteger(r) || r < 1 || r > 2 * MAX_LIBRARY_RATE) {
      throw new SflError(`resample: ${what} sample rate must be an integer in 1..${2 * MAX_LIBRARY_RATE} Hz, got ${r}`, name);
    }
  }
  const ratio = toRate / fromRate;
  if (ratio > MAX_RATIO || ratio < 1 / MAX_RATIO) {
    throw new SflError(`resample: ratio ${toRate}/${fromRate} is outside [1/${MAX_RATIO}, ${MAX_RATIO}]`, name);
  }
  const [a, b] = libraryRates(fromRate, toRate);
  if (a > MAX_LIBRARY_RATE || b > MAX_LIBRARY_RATE) {
    throw new SflError(`resample: cannot convert ${fromRate} Hz to ${toRate} Hz (rates above ${MAX_LIBRARY_RATE} Hz need a simpler ratio)`, name);
  }
}

/**
 * A band-limited resampler for a signal that arrives in pieces (libsamplerate,
 * SRC_SINC_MEDIUM_QUALITY), so a recording of any length converts with bounded memory.
 *
 * Feed the signal with push() (any block sizes; the output does not depend on how the signal is
 * cut), then call finish() once: altogether the outputs hold exactly round(n * toRate / fromRate)
 * samples for n samples pushed, with no added delay (output j is at time j / toRate), as
 * resample() gives for the whole signal at once.
 */
export class StreamResampler {
  private converter: Converter | null;
  private readonly key: string;
  private readonly ratio: number;
  private pushed = 0;
  private written = 0;

  private constructor(converter: Converter, key: string, readonly fromRate: number, readonly toRate: number) {
    this.converter = converter;
    this.key = key;
    this.ratio = toRate / fromRate;
  }

  /**
   * @throws SflError (naming `name`) for rates checkResampleRates refuses.
   */
  static async create(fromRate: number, toRate: number, name?: string): Promise<StreamResampler> {
    checkResampleRates(fromRate, toRate, name);
    const [a, b] = libraryRates(fromRate, toRate);
    const key = `${a}>${b}`;
    const lib = await libSampleRate();
    let converter = idle.get(key)?.pop();
    if (converter) {
      // Assigning the converter type re-initialises its state (src_delete + src_new): no filter
      // history leaks from the previous signal.
      converter.converterType = lib.ConverterType[CONVERTER];
    } else {
      converter = await lib.create(1, a, b, { converterType: lib.ConverterType[CONVERTER] });
    }
    return new StreamResampler(converter, key, fromRate, toRate);
  }

  /** Converts the next piece of the signal; returns the output it completes (a new array, maybe empty). */
  push(x: Float32Array): Float32Array {
    const c = this.live();
    const parts: Float32Array[] = [];
    const block = Math.max(1, Math.floor(BLOCK_OUTPUT / Math.max(1, this.ratio)));
    for (let start = 0; start < x.length; start += block) {
      // The result may be a view of wasm memory that the next call overwrites: copy it at once.
      parts.push(c.full(x.subarray(start, Math.min(x.length, start + block))).slice());
    }
    this.pushed += x.length;
    const out = concatSamples(parts);
    this.written += out.length;
    return out;
  }

  /**
   * Flushes the filter and returns the last samples, so that the whole output has exactly
   * round(pushed * ratio) samples. The resampler cannot be used afterwards.
   * @throws SflError if the converter gave more than that before the end, or too few after flushing.
   */
  finish(): Float32Array {
    const c = this.live();
    const total = Math.round(this.pushed * this.ratio);
    const describe = `${this.fromRate} -> ${this.toRate} Hz`;
    if (this.written > total) {
      throw new SflError(`resample: the converter returned ${this.written} samples, more than the ${total} promised (${describe})`);
    }
    const parts: Float32Array[] = [];
    let got = this.written;
    const zeros = new Float32Array(FLUSH_BLOCK);
    for (let i = 0; got < total; i++) {
      if (i === MAX_FLUSHES) {
        throw new SflError(`resample: the converter returned ${got} of ${total} samples (${describe})`);
      }
      const y = c.full(zeros);
      const n = Math.min(y.length, total - got);
      parts.push(y.slice(0, n));
      got += n;
    }
    this.release();
    this.written = got;
    return concatSamples(parts);
  }

  /** Returns the converter to the pool without finishing (e.g. when the source failed). Idempotent. */
  release(): void {
    if (!this.converter) return;
    const list = idle.get(this.key) ?? [];
    list.push(this.converter);
    idle.set(this.key, list);
    this.converter = null;
  }

  private live(): Converter {
    if (!this.converter) throw new Error('StreamResampler used after finish() or release()');
    return this.converter;
  }
}

/** The pieces of a signal end to end (the piece itself when there is one, not a copy). */
export function concatSamples(parts: Float32Array[]): Float32Array {
  return parts.length === 1 ? parts[0] : concatenated(parts);
}

/**
 * Band-limited resampling of a mono signal (libsamplerate, SRC_SINC_MEDIUM_QUALITY: flat to 80%
 * of the output Nyquist frequency, -2.1 dB at 90%, see CONVERTER).
 *
 * The output has exactly round(x.length * toRate / fromRate) samples and no added delay:
 * output sample j corresponds to time j / toRate. Content above min(fromRate, toRate) / 2
 * is filtered out (anti-aliasing on downsampling). Any length: the signal streams through the
 * converter in blocks (StreamResampler), so a long recording comes back whole (exactly that many
 * samples, or an error).
 *
 * @param x        mono samples at fromRate, nominally in [-1, 1]. Not modified.
 * @param fromRate sample rate of x in Hz (integer, 1..384000).
 * @param toRate   wanted sample rate in Hz (integer, 1..384000; toRate/fromRate in [1/256, 256]).
 * @returns a new array at toRate; a copy of x when the rates are equal.
 * @throws SflError for rates out of range, or if the converter returns fewer samples than promised.
 */
export async function resample(x: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  checkResampleRates(fromRate, toRate);
  if (fromRate === toRate) return x.slice();
  if (Math.round(x.length * (toRate / fromRate)) === 0) return new Float32Array(0);
  const r = await StreamResampler.create(fromRate, toRate);
  // push and finish run synchronously, so the converter serves this signal alone until it returns.
  try {
    const head = r.push(x);
    return concatSamples([head, r.finish()]);
  } finally {
    r.release();
  }
}
