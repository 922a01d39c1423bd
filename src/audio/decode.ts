/**
 * The one way the project reads an audio file: WAV (our own reader, wav.ts and riff.ts), MP3, FLAC
 * (also in Ogg), Ogg Vorbis and Opus (the wasm-audio-decoders family: mpg123, libFLAC, libvorbis,
 * libopus compiled to WebAssembly, shipped in their npm packages, decoded in-process). The format
 * is told by the content (magic bytes), not the extension.
 *
 * Three forms:
 *  - probeAudio(path): format, rate, channels, declared length, from the first (and for Ogg the
 *    last) 64 KiB of the file, without decoding. Cheap enough to call on every file of a folder
 *    (e.g. to choose the most common rate).
 *  - readAudio(path, { sampleRate }) / decodeAudio(bytes, name, { sampleRate }): the whole file
 *    as one mono float32 array at the file's rate or at `sampleRate` (resample.ts).
 *  - openAudio(path | { bytes, name }, { sampleRate, blockSize }): a stream (contract below), for
 *    recordings too long to hold; readAudio is this stream, concatenated.
 *
 * Guarantees of every form, for every format:
 *  - Mono: channels are averaged. Values in [-1, 1]: integer PCM scaled by 2^(bits-1), floats as
 *    stored, then the checks of decode/validate.ts: a non-finite sample or one beyond 1000x full
 *    scale refuses the file; values beyond +-1 are clipped, with a warning in `warnings` (never
 *    printed). No output ever holds a non-finite value.
 *  - Exact length: a file declaring its length (WAV data chunk, FLAC STREAMINFO, Ogg last granule)
 *    decodes to exactly that many samples, or throws; an MP3 with a Xing/Info/VBRI header to within
 *    two MPEG frames (encoders disagree on the delay fields, see AudioProbe.framesTolerance).
 *    Damaged compressed data (any error a decoder reports) throws. At the output rate the length is
 *    round(decoded * outRate / sourceRate).
 *  - Errors: only SflError, its message starting with the file's name (one sentence: unreadable,
 *    unknown format, corrupt header, rate outside 1 Hz..384 kHz, truncated, corrupt data,
 *    non-finite or absurd values, no samples). Anything else escaping is a bug.
 *
 * Streaming contract (openAudio), for consumers such as streaming spectra and window samplers:
 *  - Opening probes the file: a bad header, unknown format or unusable rate throws there, before
 *    any sample. `stream.probe` and `stream.sampleRate` are known from then on.
 *  - Iterate once with `for await`. Each block is a new Float32Array the consumer may keep or
 *    modify, mono at `stream.sampleRate`; every block has exactly `blockSize` samples (default
 *    65536) except the last, which has 1..blockSize. Concatenated, the blocks equal what readAudio
 *    returns for the same file and rate, sample for sample.
 *  - Memory is bounded by the block size, the decoder's own buffers and 64 KiB-1 MiB of file data,
 *    whatever the file's length.
 *  - Iteration may throw an SflError at ANY point, including after the last full block (a short
 *    decode is only known at the end). A consumer must then discard everything it accumulated from
 *    that file (e.g. roll back its windows) and report the file as skipped with the error's message.
 *  - `stream.warnings` is complete once iteration has ended normally.
 *  - The file handle is closed when iteration ends, fails, or is abandoned with break/return.
 */
import { fileSource, bytesSource, type ByteSource } from './decode/source.ts';
import { openStream, type AudioStream, type AudioStreamOptions } from './decode/stream.ts';
import { probeSource, type AudioFormat, type AudioProbe } from './decode/probe.ts';
import { concatSamples } from './resample.ts';

export { AUDIO_EXTENSIONS, FORMAT_NAMES, notReadAdvice, type AudioFormat, type AudioProbe } from './decode/probe.ts';
export { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, CLIP_LEVEL, REJECT_LEVEL } from './decode/validate.ts';
export { DEFAULT_BLOCK_SIZE, type AudioStream, type AudioStreamOptions } from './decode/stream.ts';

/** A whole decoded file. */
export interface DecodedAudio {
  /** Mono samples in [-1, 1] at `sampleRate`. */
  samples: Float32Array;
  /** Rate of `samples`, Hz (the requested rate, or the file's). */
  sampleRate: number;
  /** The file's own rate, Hz (48000 for Opus). */
  sourceSampleRate: number;
  /** Channels in the file before the mix-down. */
  channels: number;
  format: AudioFormat;
  /** samples.length / sampleRate, seconds. */
  durationSeconds: number;
  /** Repairs made (clipping), one sentence each naming the file; empty for a clean file. */
  warnings: string[];
}

export interface DecodeOptions {
  /** Output rate in Hz; omitted = the file's own rate. */
  sampleRate?: number;
}

/** An audio file on disk, or bytes in memory with the name to use in messages. */
export type AudioInput = string | { bytes: Uint8Array; name: string };

async function sourceOf(input: AudioInput): Promise<ByteSource> {
  return typeof input === 'string' ? fileSource(input) : bytesSource(input.bytes, input.name);
}

/** Format, rates, channels and declared length of a file, read from its head (and tail), not decoded. */
export async function probeAudio(input: AudioInput): Promise<AudioProbe> {
  const src = await sourceOf(input);
  try {
    return await probeSource(src);
  } finally {
    await src.close();
  }
}

/** A stream of mono blocks (see the contract above). */
export async function openAudio(input: AudioInput, options: AudioStreamOptions = {}): Promise<AudioStream> {
  return openStream(await sourceOf(input), options);
}

/** The whole file, mono, at `options.sampleRate` or its own rate (see the guarantees above). */
export async function readAudio(input: AudioInput, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const stream = await openAudio(input, { sampleRate: options.sampleRate, blockSize: 1 << 20 });
  const blocks: Float32Array[] = [];
  for await (const b of stream) blocks.push(b);
  const samples = concatSamples(blocks);
  return {
    samples,
    sampleRate: stream.sampleRate,
    sourceSampleRate: stream.probe.sampleRate,
    channels: stream.probe.channels,
    format: stream.probe.format,
    durationSeconds: samples.length / stream.sampleRate,
    warnings: stream.warnings,
  };
}

/** readAudio for bytes already in memory. */
export function decodeAudio(bytes: Uint8Array, name: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  return readAudio({ bytes, name }, options);
}
