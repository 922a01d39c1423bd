import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { SflError } from '../util/errors.ts';
import { parseWavLayout, type WavLayout } from './riff.ts';

/** A decoded sound, mixed down to one channel. */
export interface DecodedWav {
  /** Mono samples, nominally in [-1, 1] (float files are passed through unclipped). Length = frames. */
  samples: Float32Array;
  /** Samples per second (Hz). */
  sampleRate: number;
  /** Channel count of the file before the mix-down. */
  channels: number;
  /** samples.length / sampleRate, in seconds. */
  durationSeconds: number;
}

/**
 * Decode a WAV file held in memory and mix it down to mono by averaging the channels.
 *
 * Reads PCM 8-bit (unsigned), 16/24/32-bit (signed) and IEEE float 32/64-bit, with the classic
 * fmt tags (1, 3) or WAVE_FORMAT_EXTENSIBLE (0xFFFE, whose SubFormat GUID names PCM or float).
 * Integer samples are scaled by 2^(bits-1) (8-bit: (u - 128) / 128), the libsndfile convention,
 * so full-scale negative is exactly -1 and zero is exactly 0.
 *
 * Why not wav-decoder: it rejects EXTENSIBLE files, decodes a truncated data chunk as a shorter
 * sound without complaint, maps the most negative 24-bit value (0x800000) to +1, and its
 * symmetric 8-bit mode has no exact zero. Once the header is parsed and checked (riff.ts),
 * converting samples is a few lines, so we do it here; the tests cross-check against wav-decoder
 * on the formats it does handle.
 *
 * A trailing partial frame (data size not a multiple of the block size) is ignored.
 *
 * @param bytes whole file contents.
 * @param name  file name, used in error messages.
 * @throws SflError for a non-WAV, corrupt, truncated, unsupported or empty file.
 */
export function decodeWav(bytes: Uint8Array, name: string): DecodedWav {
  const layout = parseWavLayout(bytes, name);
  const samples = mixDown(bytes, layout);
  return {
    samples,
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    durationSeconds: samples.length / layout.sampleRate,
  };
}

/**
 * Read and decode a WAV file (see decodeWav).
 * @param path file to read.
 * @throws SflError naming the file if it cannot be read or decoded.
 */
export async function readWav(path: string): Promise<DecodedWav> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SflError(`cannot read file${code ? ` (${code})` : ''}`, path);
  }
  return decodeWav(bytes, path);
}

const HOST_IS_LE = endianness() === 'LE';

/** Returns a reader for one sample at a byte offset, scaled to [-1, 1]. */
function sampleReader(view: DataView, layout: WavLayout): (at: number) => number {
  if (layout.encoding === 'float') {
    return layout.bytesPerSample === 4 ? (at) => view.getFloat32(at, true) : (at) => view.getFloat64(at, true);
  }
  switch (layout.bytesPerSample) {
    case 1:
      return (at) => (view.getUint8(at) - 128) / 128;
    case 2:
      return (at) => view.getInt16(at, true) / 32768;
    case 3:
      // Assemble the low 16 bits unsigned and the top byte signed, so the sign comes for free.
      return (at) => (view.getUint16(at, true) + view.getInt8(at + 2) * 65536) / 8388608;
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}

function mixDown(bytes: Uint8Array, layout: WavLayout): Float32Array {
  const frames = Math.floor(layout.dataBytes / layout.blockAlign);
  return mixDownFrames(bytes.subarray(layout.dataOffset, layout.dataOffset + frames * layout.blockAlign), layout);
}

/**
 * Mono samples of whole interleaved frames encoded as `layout` says (averaging the channels).
 * @param data bytes starting at a frame boundary; a trailing partial frame is ignored.
 */
export function mixDownFrames(data: Uint8Array, layout: WavLayout): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = sampleReader(view, layout);
  const { channels, bytesPerSample, blockAlign } = layout;
  const frames = Math.floor(data.length / blockAlign);
  const out = new Float32Array(frames);
  if (layout.encoding === 'pcm' && bytesPerSample === 2 && HOST_IS_LE && data.byteOffset % 2 === 0) {
    // 16-bit PCM, the common case, read through an Int16Array view: the same values as the
    // DataView reader (x / 32768, summed in the same order), several times faster.
    const s = new Int16Array(data.buffer, data.byteOffset, frames * channels);
    if (channels === 1) {
      for (let i = 0; i < frames; i++) out[i] = s[i] / 32768;
      return out;
    }
    for (let i = 0, at = 0; i < frames; i++, at += channels) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += s[at + c] / 32768;
      out[i] = sum / channels;
    }
    return out;
  }
  if (channels === 1) {
    for (let i = 0, at = 0; i < frames; i++, at += blockAlign) out[i] = read(at);
    return out;
  }
  // Sum in float64 then divide once, so averaging adds no rounding beyond the final float32 store.
  for (let i = 0, at = 0; i < frames; i++, at += blockAlign) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(at + c * bytesPerSample);
    out[i] = sum / channels;
  }
  return out;
}
