import LibSampleRate from '@alexanderolsen/libsamplerate-js';
import { SflError } from '../util/errors.ts';

type Converter = Awaited<ReturnType<typeof LibSampleRate.create>>;

/**
 * SRC_SINC_MEDIUM_QUALITY: libsamplerate's band-limited sinc converter, flat over 90% of the
 * output band with a documented worst-case SNR of at least 97 dB. SRC_SINC_FASTEST (80% pass
 * band) rolls off the top fifth of the band, where the highest mel/bark filters still look;
 * SRC_SINC_BEST_QUALITY (97%) is ~3.5x slower (measured: 10 s of 44.1 kHz -> 8 kHz in ~0.6 s
 * against ~0.17 s) for a band edge no spectral feature at our frame sizes resolves.
 * ZERO_ORDER_HOLD and LINEAR are not band-limited and alias on downsampling.
 */
const CONVERTER = LibSampleRate.ConverterType.SRC_SINC_MEDIUM_QUALITY;

/** libsamplerate accepts conversion ratios in [1/256, 256] and rates up to 192 kHz. */
const MAX_RATE = 192_000;
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

// Loading the wasm module and building a converter costs ~10-40 ms; keep one per rate pair.
// `simple()` runs synchronously on its own state, so sharing a converter between callers is safe.
const converters = new Map<string, Promise<Converter>>();

function converterFor(fromRate: number, toRate: number): Promise<Converter> {
  const key = `${fromRate}>${toRate}`;
  let c = converters.get(key);
  if (!c) {
    c = LibSampleRate.create(1, fromRate, toRate, { converterType: CONVERTER });
    converters.set(key, c);
  }
  return c;
}

/**
 * Band-limited resampling of a mono signal (libsamplerate, SRC_SINC_MEDIUM_QUALITY).
 *
 * The output has exactly round(x.length * toRate / fromRate) samples and no added delay:
 * output sample j corresponds to time j / toRate. Content above min(fromRate, toRate) / 2
 * is filtered out (anti-aliasing on downsampling). Any length: the signal streams through the
 * converter in blocks, so a long recording comes back whole (exactly that many samples, or an error).
 *
 * @param x        mono samples at fromRate, nominally in [-1, 1]. Not modified.
 * @param fromRate sample rate of x in Hz (integer, 1..192000).
 * @param toRate   wanted sample rate in Hz (integer, 1..192000; toRate/fromRate in [1/256, 256]).
 * @returns a new array at toRate; a copy of x when the rates are equal.
 * @throws SflError for rates out of range, or if the converter returns fewer samples than promised.
 */
export async function resample(x: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  for (const [what, r] of [['source', fromRate], ['target', toRate]] as const) {
    if (!Number.isInteger(r) || r < 1 || r > MAX_RATE) {
      throw new SflError(`resample: ${what} sample rate must be an integer in 1..${MAX_RATE} Hz, got ${r}`);
    }
  }
  const ratio = toRate / fromRate;
  if (ratio > MAX_RATIO || ratio < 1 / MAX_RATIO) {
    throw new SflError(`resample: ratio ${toRate}/${fromRate} is outside [1/${MAX_RATIO}, ${MAX_RATIO}]`);
  }
  if (fromRate === toRate) return x.slice();
  const outLength = Math.round(x.length * ratio);
  if (outLength === 0) return new Float32Array(0);

  const converter = await converterFor(fromRate, toRate);
  // From here on the conversion is synchronous, so no other caller can touch the shared converter
  // between its reset and the last block. Assigning the converter type re-initialises its state
  // (src_delete + src_new): no filter history leaks from the previous signal.
  converter.converterType = CONVERTER;
  const out = new Float32Array(outLength);
  let written = 0;
  // y may be a view of wasm memory that the next call overwrites: copy it out at once.
  const take = (y: Float32Array) => {
    const n = Math.min(y.length, outLength - written);
    out.set(y.subarray(0, n), written);
    written += n;
  };
  const block = Math.max(1, Math.floor(BLOCK_OUTPUT / Math.max(1, ratio)));
  for (let start = 0; start < x.length; start += block) {
    take(converter.full(x.subarray(start, Math.min(x.length, start + block))));
  }
  const zeros = new Float32Array(FLUSH_BLOCK);
  for (let i = 0; written < outLength; i++) {
    if (i === MAX_FLUSHES) {
      throw new SflError(`resample: the converter returned ${written} of ${outLength} samples (${fromRate} -> ${toRate} Hz)`);
    }
    take(converter.full(zeros));
  }
  return out;
}
