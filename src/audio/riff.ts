import { SflError } from '../util/errors.ts';

/**
 * Where the samples of a WAV file are and how they are encoded, after validating the RIFF
 * structure. `encoding` is already resolved for WAVE_FORMAT_EXTENSIBLE files (their fmt tag
 * 0xFFFE says nothing by itself; the SubFormat GUID carries the real PCM/float tag).
 */
export interface WavLayout {
  /** 'pcm' = integer samples (8-bit unsigned, 16/24/32-bit signed); 'float' = IEEE float. */
  encoding: 'pcm' | 'float';
  /** Interleaved channels per frame, >= 1. */
  channels: number;
  /** Frames per second (Hz). */
  sampleRate: number;
  /** Bytes per sample in the file (the container: 1, 2, 3, 4 or 8). */
  bytesPerSample: number;
  /** Bytes per frame = channels * bytesPerSample. */
  blockAlign: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Length of the data chunk in bytes, as declared and verified to be present in the file. */
  dataBytes: number;
  /** True when the file used WAVE_FORMAT_EXTENSIBLE (0xFFFE). */
  extensible: boolean;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Names of common tags we do not decode, so the error says what the file is. */
const KNOWN_UNSUPPORTED: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MPEG layer 3',
};

/**
 * Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID derived from a classic format tag
 * ({tag-0000-0010-8000-00aa00389b71}); bytes 0..1 hold the tag itself, little-endian.
 */
const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function hex(n: number, digits = 4): string {
  return '0x' + n.toString(16).toUpperCase().padStart(digits, '0');
}

/**
 * Walk the RIFF chunks of a WAV file and check every size against the bytes actually present.
 *
 * We parse the header ourselves rather than trusting a decoder because the usual decoders
 * (wav-decoder among them) clamp a data chunk that runs past the end of the file and so
 * silently return a shorter sound; here that is an error. Chunks after the data chunk are
 * not needed and are not checked (trailing metadata cut short does not lose audio).
 *
 * @param bytes whole file contents.
 * @param name  file name used in error messages.
 * @returns the validated layout.
 * @throws SflError for a non-WAV file, a corrupt or truncated header, a truncated data chunk,
 *   an unsupported encoding, or a data chunk without a single whole frame.
 */
export function parseWavLayout(bytes: Uint8Array, name: string): WavLayout {
  const r = parseWavLayoutPrefix(bytes, bytes.length, name);
  if ('needBytes' in r) throw new Error('unreachable: the whole file was given');
  return r;
}

/**
 * parseWavLayout from the first bytes of a file of `fileSize` bytes, for reading a long file in
 * pieces: sizes are checked against `fileSize`; when the chunks up to the data chunk's header are
 * not all in `prefix`, returns how many leading bytes are needed instead (read them and call again).
 */
export function parseWavLayoutPrefix(prefix: Uint8Array, fileSize: number, name: string): WavLayout | { needBytes: number } {
  const bytes = prefix;
  if (fileSize < 12 || (bytes.length >= 12 && fourcc(bytes, 8) !== 'WAVE')) {
    throw new SflError('not a WAV file (no RIFF/WAVE header)', name);
  }
  if (bytes.length < 12) return { needBytes: 12 };
  const riff = fourcc(bytes, 0);
  if (riff === 'RIFX' || riff === 'RF64') {
    throw new SflError(`unsupported WAV variant ${riff} (only little-endian RIFF is read)`, name);
  }
  if (riff !== 'RIFF') throw new SflError('not a WAV file (no RIFF/WAVE header)', name);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Omit<WavLayout, 'dataOffset' | 'dataBytes'> | undefined;
  let pos = 12;
  while (pos + 8 <= fileSize) {
    if (pos + 8 > bytes.length) return { needBytes: pos + 8 };
    const id = fourcc(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    const available = fileSize - body;
    if (id === 'data') {
      if (!fmt) throw new SflError('corrupt header: data chunk comes before the fmt chunk', name);
      if (size > available) {
        throw new SflError(`truncated: data chunk declares ${size} bytes, file holds ${available}`, name);
      }
      if (size < fmt.blockAlign) throw new SflError('no samples: the data chunk is empty', name);
      return { ...fmt, dataOffset: body, dataBytes: size };
    }
    if (size > available) {
      throw new SflError(`corrupt or truncated header: '${id}' chunk declares ${size} bytes, file holds ${available}`, name);
    }
    if (id === 'fmt ') {
      if (body + size > bytes.length) return { needBytes: body + size };
      fmt = parseFmt(view, body, size, name);
    }
    // RIFF chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    pos = body + size + (size & 1);
  }
  if (!fmt) throw new SflError('corrupt header: no fmt chunk', name);
  throw new SflError('truncated or corrupt: no data chunk', name);
}

function parseFmt(view: DataView, at: number, size: number, name: string): Omit<WavLayout, 'dataOffset' | 'dataBytes'> {
  if (size < 16) throw new SflError(`corrupt header: fmt chunk is ${size} bytes, need at least 16`, name);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  const extensible = tag === WAVE_FORMAT_EXTENSIBLE;
  if (extensible) {
    // WAVEFORMATEXTENSIBLE: cbSize(2) validBits(2) channelMask(4) SubFormat GUID(16) after the 16 base bytes.
    if (size < 40 || view.getUint16(at + 16, true) < 22) {
      throw new SflError(`corrupt header: WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, need 40`, name);
    }
    const guid = at + 24;
    const tail = SUBFORMAT_GUID_TAIL.every((b, i) => view.getUint8(guid + 2 + i) === b);
    const subTag = view.getUint16(guid, true);
    if (!tail || (subTag !== WAVE_FORMAT_PCM && subTag !== WAVE_FORMAT_IEEE_FLOAT)) {
      const g = Array.from({ length: 16 }, (_, i) => view.getUint8(guid + i).toString(16).padStart(2, '0')).join('');
      throw new SflError(`unsupported WAVE_FORMAT_EXTENSIBLE sub-format ${g} (only PCM and IEEE float are read)`, name);
    }
    // Valid bits (e.g. 20 of 24) are left-justified in the container, so scaling by the
    // container width (wBitsPerSample) is still right; validBits needs no further handling.
    tag = subTag;
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const what = KNOWN_UNSUPPORTED[tag] ? ` (${KNOWN_UNSUPPORTED[tag]})` : '';
    throw new SflError(`unsupported format tag ${hex(tag)}${what}: only PCM and IEEE float WAV are read`, name);
  }
  if (channels < 1) throw new SflError('corrupt header: 0 channels', name);
  if (sampleRate < 1) throw new SflError('corrupt header: sample rate 0', name);
  const encoding = tag === WAVE_FORMAT_PCM ? 'pcm' : 'float';
  const supported = encoding === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!supported.includes(bits)) {
    throw new SflError(`unsupported ${bits}-bit ${encoding === 'pcm' ? 'PCM' : 'float'} (supported: ${supported.join(', ')} bits)`, name);
  }
  const bytesPerSample = bits / 8;
  if (blockAlign !== channels * bytesPerSample) {
    throw new SflError(`corrupt header: block align ${blockAlign} != ${channels} channels x ${bytesPerSample} bytes`, name);
  }
  return { encoding, channels, sampleRate, bytesPerSample, blockAlign, extensible };
}
