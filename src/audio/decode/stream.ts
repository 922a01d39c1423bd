import { SflError } from '../../util/errors.ts';
import { StreamResampler } from '../resample.ts';
import { decodeMono } from './codecs.ts';
import { FORMAT_NAMES, probeSource, type AudioProbe } from './probe.ts';
import type { ByteSource } from './source.ts';
import { checkSampleRate, SampleCheck } from './validate.ts';

/** Default block length of a stream, in output samples (4 s at 16 kHz). */
export const DEFAULT_BLOCK_SIZE = 1 << 16;

export interface AudioStreamOptions {
  /** Output rate, Hz; omitted = the file's own rate. */
  sampleRate?: number;
  /** Samples per yielded block (every block but the last has exactly this many). Default 65536. */
  blockSize?: number;
  /**
   * What probeAudio already read from this very file's header: the stream decodes with it rather
   * than read the header again (a caller that needed the rate or length before opening).
   */
  probe?: AudioProbe;
}

/** See decode.ts for the contract. */
export interface AudioStream extends AsyncIterable<Float32Array> {
  /** The file's name as used in messages. */
  readonly name: string;
  /** What the header says (format, source rate, channels, declared length). */
  readonly probe: AudioProbe;
  /** Rate of the yielded samples, Hz. */
  readonly sampleRate: number;
  /** Warnings (clipping), complete once iteration has ended. */
  readonly warnings: string[];
  /** Samples yielded so far. */
  readonly samplesOut: number;
}

/**
 * Opens a stream over `src` (probing it at once, so a file whose header is bad fails here).
 * The stream closes `src` when iteration ends, fails, or is abandoned with break/return.
 * @throws SflError naming the file for an unknown format, a bad header or an unusable rate.
 */
export async function openStream(src: ByteSource, options: AudioStreamOptions = {}): Promise<AudioStream> {
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    await src.close();
    throw new SflError(`blockSize must be a positive integer, got ${blockSize}`);
  }
  let probe: AudioProbe;
  try {
    probe = options.probe ?? (await probeSource(src));
    checkSampleRate(probe.sampleRate, src.name);
    if (options.sampleRate !== undefined) checkSampleRate(options.sampleRate, src.name);
  } catch (e) {
    await src.close();
    throw e;
  }
  const outRate = options.sampleRate ?? probe.sampleRate;
  const warnings: string[] = [];
  let samplesOut = 0;

  async function* run(): AsyncGenerator<Float32Array> {
    const resampler = outRate === probe.sampleRate ? null : await StreamResampler.create(probe.sampleRate, outRate, src.name);
    const check = new SampleCheck(src.name);
    // A band-limited filter overshoots on material near full scale (a few per cent), so the
    // resampled signal is checked and clipped again to keep the output within [-1, 1].
    const overshoot = new SampleCheck(src.name, 'after resampling');
    const resampled = (y: Float32Array) => (overshoot.apply(y, outRate), y);
    const pending: Float32Array[] = [];
    let pendingLength = 0;
    let decoded = 0;
    // Cut whatever arrives into blocks of exactly blockSize (the last one shorter).
    function* reblock(y: Float32Array, final: boolean): Generator<Float32Array> {
      if (pendingLength === 0 && y.length === blockSize && y.byteOffset === 0 && y.buffer.byteLength === y.byteLength) {
        // Already a block of its own (a decoder reading exactly blockSize frames): no copy.
        samplesOut += blockSize;
        yield y;
        return;
      }
      if (y.length) {
        pending.push(y);
        pendingLength += y.length;
      }
      while (pendingLength >= blockSize || (final && pendingLength > 0)) {
        const n = Math.min(blockSize, pendingLength);
        const out = new Float32Array(n);
        for (let at = 0; at < n; ) {
          const head = pending[0];
          const take = Math.min(head.length, n - at);
          out.set(head.subarray(0, take), at);
          at += take;
          if (take === head.length) pending.shift();
          else pending[0] = head.subarray(take);
        }
        pendingLength -= n;
        samplesOut += n;
        yield out;
      }
    }
    try {
      for await (const block of decodeMono(src, probe)) {
        if (block.length === 0) continue;
        check.apply(block, probe.sampleRate);
        decoded += block.length;
        yield* reblock(resampler ? resampled(resampler.push(block)) : block, false);
      }
      const what = FORMAT_NAMES[probe.format];
      if (decoded === 0) throw new SflError(`no samples: the ${what} file decodes to nothing`, src.name);
      if (probe.frames !== null && Math.abs(decoded - probe.frames) > probe.framesTolerance) {
        throw new SflError(
          decoded < probe.frames
            ? `truncated or damaged: the ${what} header declares ${probe.frames} samples, only ${decoded} decode`
            : `corrupt: the ${what} header declares ${probe.frames} samples, ${decoded} decode`,
          src.name,
        );
      }
      yield* reblock(resampler ? resampled(resampler.finish()) : new Float32Array(0), true);
      warnings.push(...check.warnings(), ...overshoot.warnings());
    } finally {
      resampler?.release();
      await src.close();
    }
  }

  const iterator = run();
  return {
    name: src.name,
    probe,
    sampleRate: outRate,
    warnings,
    get samplesOut() {
      return samplesOut;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
}
