import { SflError } from '../../util/errors.ts';
import { mixDownFrames } from '../wav.ts';
import { FORMAT_NAMES, type AudioProbe } from './probe.ts';
import { chunks, type ByteSource } from './source.ts';

/**
 * The samples of one file as they come out of its decoder: mono (channels averaged, as the WAV
 * reader does), at the file's own rate, in blocks of whatever size the decoder produces.
 *
 * WAV goes through our own reader (wav.ts, riff.ts); MP3, FLAC, Ogg Vorbis and Opus through the
 * wasm-audio-decoders family (mpg123, libFLAC, libvorbis and libopus compiled to WebAssembly and
 * shipped inside the npm packages). Any error a decoder reports, or throws, becomes an SflError
 * naming the file: damaged compressed data is refused rather than decoded with gaps.
 * Each decoder library is imported when a file of its format first arrives: together they are
 * most of the browser page's script (ogg-opus-decoder alone brings 4 MB), which then loads
 * them only when a compressed file is dropped (pipeline/web-site.ts splits them into chunks).
 */
export async function* decodeMono(src: ByteSource, probe: AudioProbe): AsyncGenerator<Float32Array> {
  if (probe.format === 'wav') {
    yield* wavBlocks(src, probe);
    return;
  }
  const what = FORMAT_NAMES[probe.format];
  const decoder = await createDecoder(probe, src.name);
  try {
    try {
      await decoder.ready;
    } catch (e) {
      throw new SflError(`cannot start the ${what} decoder: ${(e as Error).message}`, src.name);
    }
    const endTrim = probe.format === 'ogg-opus' && probe.frames !== null ? new EndTrim(probe.frames) : null;
    const out = (d: Decoded) => {
      const y = checked(d, probe, src.name);
      return endTrim ? endTrim.apply(y) : y;
    };
    for await (const chunk of chunks(src)) {
      yield out(await attempt(() => decoder.decode(chunk), src.name, what));
    }
    if (probe.format === 'flac') yield out(await attempt(() => decoder.decode(FLAC_TAIL), src.name, what));
    if (decoder.flush) yield out(await attempt(() => decoder.flush!(), src.name, what));
  } finally {
    try {
      decoder.free();
    } catch {
      // a decoder whose start failed has nothing to free
    }
  }
}

/**
 * Zero bytes fed after a native FLAC stream. The parser (codec-parser) accepts a frame only once it
 * sees MIN_FLAC_FRAME_SIZE bytes beyond the frame's header, so a last frame that is tiny in bytes
 * (a near-silent tail: ffmpeg's files often end so) was dropped at the end of the stream, and the
 * file refused as truncated. With zeros after it the frame is found; its CRC-16 over the frame and
 * its footer is 0 and stays 0 over trailing zeros, so it still validates, and libFLAC decodes
 * exactly the frame's declared block. The length check against STREAMINFO still catches real cuts.
 */
const FLAC_TAIL = new Uint8Array(64);

/**
 * Opus end trimming (RFC 7845, section 4.5): the last page's granule position says where the
 * stream ends inside its last packet, and samples decoded beyond it are padding to discard.
 * ogg-opus-decoder removes the pre-skip but not this padding, so it is cut here, to the length the
 * probe read (granule position minus pre-skip).
 */
class EndTrim {
  private passed = 0;
  constructor(private readonly frames: number) {}
  apply(y: Float32Array): Float32Array {
    const keep = Math.max(0, Math.min(y.length, this.frames - this.passed));
    this.passed += keep;
    return keep === y.length ? y : y.subarray(0, keep);
  }
}

/** What the four decoder classes have in common. */
interface Decoder {
  ready: Promise<void>;
  decode(data: Uint8Array): Decoded | Promise<Decoded>;
  flush?: () => Promise<Decoded>;
  free(): void;
}

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string; inputBytes: number }[];
  /** FLAC only: bits per sample of the stream. */
  bitDepth?: number;
}

async function createDecoder(probe: AudioProbe, name: string): Promise<Decoder> {
  quietLibraries();
  // In the page, a chunk can fail to load (the page left open across a new export, or offline).
  const load = <T>(library: Promise<T>): Promise<T> =>
    library.catch((e: unknown) => {
      throw new SflError(`cannot load the ${FORMAT_NAMES[probe.format]} decoder: ${(e as Error)?.message ?? String(e)}`, name);
    });
  switch (probe.format) {
    case 'mp3': {
      const { MPEGDecoder } = await load(import('mpg123-decoder'));
      // Gapless: the LAME tag's encoder delay and padding are removed, so the output starts and
      // ends where the encoded sound did (and matches the length the probe computes).
      return new MPEGDecoder({ enableGapless: true });
    }
    case 'flac':
    case 'ogg-flac': {
      const { FLACDecoder } = await load(import('@wasm-audio-decoders/flac'));
      return new FLACDecoder();
    }
    case 'ogg-vorbis': {
      const { OggVorbisDecoder } = await load(import('@wasm-audio-decoders/ogg-vorbis'));
      return new OggVorbisDecoder();
    }
    case 'ogg-opus': {
      const { OggOpusDecoder } = await load(import('ogg-opus-decoder'));
      // forceStereo false: the stream's own channel count; no ML speech enhancement (it would
      // change the sound, and needs SIMD).
      return new OggOpusDecoder({ forceStereo: false, speechQualityEnhancement: 'none' });
    }
    default:
      throw new Error(`no decoder for ${probe.format}`);
  }
}

async function attempt(run: () => Decoded | Promise<Decoded>, name: string, what: string): Promise<Decoded> {
  let d: Decoded;
  try {
    d = await run();
  } catch (e) {
    if (e instanceof SflError) throw e;
    throw new SflError(`corrupt ${what} data: ${(e as Error)?.message ?? String(e)}`, name);
  }
  if (d.errors.length > 0) {
    const first = d.errors[0];
    throw new SflError(`corrupt ${what} data near byte ${first.inputBytes}: ${first.message}`, name);
  }
  return d;
}

/** A decoded block as mono, after checking it is at the rate the header declared. */
function checked(d: Decoded, probe: AudioProbe, name: string): Float32Array {
  if (d.samplesDecoded === 0) return new Float32Array(0);
  if (d.sampleRate !== probe.sampleRate) {
    throw new SflError(`${FORMAT_NAMES[probe.format]} stream changes its sample rate from ${probe.sampleRate} to ${d.sampleRate} Hz`, name);
  }
  // mpg123 always returns two channels (a mono stream twice); average only the real ones.
  const channels = d.channelData.slice(0, Math.max(1, Math.min(probe.channels, d.channelData.length)));
  const n = d.samplesDecoded;
  if ((probe.format === 'flac' || probe.format === 'ogg-flac') && d.bitDepth) rescaleFlac(channels, n, d.bitDepth);
  if (channels.length === 1) return channels[0].length === n ? channels[0] : channels[0].slice(0, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const c of channels) s += c[i];
    out[i] = s / channels.length;
  }
  return out;
}

/**
 * The FLAC decoder scales integer samples by 1/(2^(bits-1) - 1), so full-scale negative comes out
 * as -1.00003 (16 bits); the WAV reader, like libsndfile, scales by 1/2^(bits-1). Recover the
 * integer and rescale, so a FLAC file and the WAV it was made from decode to identical samples.
 */
function rescaleFlac(channels: Float32Array[], n: number, bits: number): void {
  const up = 2 ** (bits - 1) - 1;
  const down = 2 ** (bits - 1);
  for (const c of channels) for (let i = 0; i < n; i++) c[i] = Math.round(c[i] * up) / down;
}

/** WAV frames read from disk in blocks (the header already validated by the probe). */
async function* wavBlocks(src: ByteSource, probe: AudioProbe): AsyncGenerator<Float32Array> {
  const layout = probe.wav!;
  const framesPerRead = Math.max(1, Math.floor((1 << 20) / layout.blockAlign));
  const total = Math.floor(layout.dataBytes / layout.blockAlign);
  for (let f = 0; f < total; f += framesPerRead) {
    const n = Math.min(framesPerRead, total - f);
    yield mixDownFrames(await src.read(layout.dataOffset + f * layout.blockAlign, n * layout.blockAlign), layout);
  }
}

/**
 * The decoder libraries print every error they report to the console as well (and return it in
 * `errors`, which is what we act on). Those lines would reach the user beside our own one-sentence
 * error, so the console is filtered once for messages that start with the libraries' prefixes.
 */
const LIBRARY_PREFIXES = ['mpg123-decoder', '@wasm-audio-decoders', 'codec-parser', 'libopus', 'ogg-opus-decoder'];
let quiet = false;

function quietLibraries(): void {
  if (quiet) return;
  quiet = true;
  for (const level of ['error', 'warn'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && LIBRARY_PREFIXES.some((p) => (args[0] as string).startsWith(p))) return;
      original(...args);
    };
  }
}
