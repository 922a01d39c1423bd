import { SflError } from '../../util/errors.ts';
import { parseWavLayoutPrefix, type WavLayout } from '../riff.ts';
import type { ByteSource } from './source.ts';

/**
 * What a file is and what it declares, read from its first and last few KiB without decoding:
 * the format from the content (magic bytes), not the extension.
 */
export type AudioFormat = 'wav' | 'mp3' | 'flac' | 'ogg-flac' | 'ogg-vorbis' | 'ogg-opus';

export interface AudioProbe {
  format: AudioFormat;
  /** Rate of the decoded samples, Hz (always 48000 for Opus, whatever rate went into the encoder). */
  sampleRate: number;
  /** Channels in the file (decoding mixes them down to one). */
  channels: number;
  /**
   * Frames (samples per channel) the file declares: the WAV data chunk, FLAC STREAMINFO, the Ogg
   * stream's last granule position (minus Opus pre-skip), an MP3 Xing/Info/VBRI frame count (with
   * the LAME encoder delay and padding removed). Decoding must give this many (within
   * framesTolerance) or fail.
   * null when the file declares none (an MP3 without a VBR header, a FLAC stream with total 0).
   */
  frames: number | null;
  /**
   * How far the decoded length may differ from `frames`: 0 for every format but MP3, where it is
   * two MPEG frames (<= 2304 samples). Encoders fill the LAME tag's delay and padding differently
   * (some leave them 0) and the decoder trims its own 529-sample delay, so an MP3's exact length
   * is not knowable from its header; a cut or damaged file loses far more than two frames.
   */
  framesTolerance: number;
  /** frames / sampleRate; for an MP3 without a VBR header, estimated from the first frame's bitrate. */
  durationSeconds: number;
  /** True when durationSeconds is an estimate (see above). */
  durationEstimated: boolean;
  /** WAV only: where the samples are. */
  wav?: WavLayout;
}

/** Formats in messages, e.g. "Ogg Vorbis". */
export const FORMAT_NAMES: Record<AudioFormat, string> = {
  wav: 'WAV',
  mp3: 'MP3',
  flac: 'FLAC',
  'ogg-flac': 'Ogg FLAC',
  'ogg-vorbis': 'Ogg Vorbis',
  'ogg-opus': 'Opus',
};

/** File name extensions of the formats we decode (lower case, with the dot), for folder scans. */
export const AUDIO_EXTENSIONS = ['.wav', '.wave', '.mp3', '.flac', '.ogg', '.oga', '.opus'] as const;

const UNSUPPORTED = 'not a recognised audio file (WAV, MP3, FLAC, Ogg Vorbis and Opus are read)';
const HEAD = 1 << 16;
const TAIL = 1 << 16;

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

/** Size of an ID3v2 tag at `at` (header + body + footer), 0 if none. */
function id3Size(b: Uint8Array, at: number): number {
  if (b.length < at + 10 || ascii(b, at, 3) !== 'ID3') return 0;
  const s = ((b[at + 6] & 0x7f) << 21) | ((b[at + 7] & 0x7f) << 14) | ((b[at + 8] & 0x7f) << 7) | (b[at + 9] & 0x7f);
  return 10 + s + (b[at + 5] & 0x10 ? 10 : 0);
}

/**
 * Reads the head (and for Ogg the tail) of a source and says what it is and what it declares.
 * @throws SflError naming the file for an unknown format or a header that contradicts itself.
 */
export async function probeSource(src: ByteSource): Promise<AudioProbe> {
  if (src.size === 0) throw new SflError('empty file (0 bytes)', src.name);
  let head = await src.read(0, HEAD);
  const magic = head.length >= 4 ? ascii(head, 0, 4) : '';
  if (magic === 'RIFF' || magic === 'RIFX' || magic === 'RF64') return probeWav(src, head);
  if (magic === 'OggS') return probeOgg(src, head);
  // MP3 files (and some FLAC files) start with an ID3v2 tag, which may be large (cover art).
  const skip = id3Size(head, 0);
  if (skip > 0) {
    if (skip >= src.size) throw new SflError(`${UNSUPPORTED}: an ID3 tag and no audio after it`, src.name);
    head = await src.read(skip, HEAD);
  }
  if (head.length >= 4 && ascii(head, 0, 4) === 'fLaC') return probeFlac(src, head);
  const mp3 = probeMp3(head, skip, src.size);
  if (mp3) return mp3;
  const other = skip === 0 ? otherAudioFormat(head) : null;
  if (other) throw new SflError(`${other.name}, ${notReadAdvice(other.ext)}`, src.name);
  throw new SflError(UNSUPPORTED, src.name);
}

/** What the messages about audio in another format add: what is read, and how to convert (`ext`: the file's, for the example). */
export function notReadAdvice(ext: string): string {
  return `a format sfl does not read (it reads WAV, MP3, FLAC, Ogg Vorbis and Opus): convert it first, e.g. ffmpeg -i in${ext} out.flac`;
}

/**
 * Audio formats users have (a phone's voice memos are M4A) that sfl does not decode, told by their
 * magic bytes, so that such a file is named as what it is rather than as "not audio".
 */
function otherAudioFormat(b: Uint8Array): { name: string; ext: string } | null {
  const at = (i: number, text: string) => b.length >= i + text.length && ascii(b, i, text.length) === text;
  const bytes = (...x: number[]) => b.length >= x.length && x.every((v, i) => b[i] === v);
  if (at(4, 'ftyp')) return { name: 'MP4/M4A audio (AAC or ALAC)', ext: '.m4a' };
  if (at(0, 'FORM') && (at(8, 'AIFF') || at(8, 'AIFC'))) return { name: 'AIFF audio', ext: '.aiff' };
  if (at(0, 'caff')) return { name: 'Core Audio (CAF) audio', ext: '.caf' };
  if (at(0, '#!AMR')) return { name: 'AMR audio', ext: '.amr' };
  if (at(0, 'wvpk')) return { name: 'WavPack audio', ext: '.wv' };
  if (at(0, 'MAC ')) return { name: "Monkey's Audio (APE)", ext: '.ape' };
  if (bytes(0x30, 0x26, 0xb2, 0x75)) return { name: 'WMA (ASF) audio', ext: '.wma' };
  if (bytes(0x1a, 0x45, 0xdf, 0xa3)) return { name: 'WebM/Matroska audio', ext: '.webm' };
  // ADTS (raw .aac): a 12-bit sync like MPEG audio's, with the layer bits 00 that MP3 never has.
  if (b.length >= 7 && b[0] === 0xff && (b[1] & 0xf6) === 0xf0) return { name: 'raw AAC (ADTS) audio', ext: '.aac' };
  return null;
}

async function probeWav(src: ByteSource, head: Uint8Array): Promise<AudioProbe> {
  let prefix = head;
  for (;;) {
    const r = parseWavLayoutPrefix(prefix, src.size, src.name);
    if (!('needBytes' in r)) {
      const layout: WavLayout = r;
      const frames = Math.floor(layout.dataBytes / layout.blockAlign);
      return {
        format: 'wav',
        sampleRate: layout.sampleRate,
        channels: layout.channels,
        frames,
        framesTolerance: 0,
        durationSeconds: frames / layout.sampleRate,
        durationEstimated: false,
        wav: layout,
      };
    }
    // Chunks before the data (long metadata) run past what we read: read more of the head.
    prefix = await src.read(0, Math.max(r.needBytes, prefix.length * 2));
  }
}

function probeFlac(src: ByteSource, b: Uint8Array): AudioProbe {
  // fLaC, then the STREAMINFO metadata block (type 0, 34 bytes): bits 80..99 of its body are the
  // rate, 100..102 channels - 1, 103..107 bits - 1, 108..143 total samples (0 = unknown).
  if (b.length < 42 || (b[4] & 0x7f) !== 0) throw new SflError('corrupt FLAC header: no STREAMINFO block', src.name);
  const s = 8;
  const sampleRate = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const channels = ((b[s + 12] >> 1) & 7) + 1;
  const total = (b[s + 13] & 0x0f) * 2 ** 32 + ((b[s + 14] << 24) >>> 0) + (b[s + 15] << 16) + (b[s + 16] << 8) + b[s + 17];
  if (sampleRate === 0) throw new SflError('corrupt FLAC header: sample rate 0', src.name);
  return {
    format: 'flac',
    sampleRate,
    channels,
    frames: total || null,
    framesTolerance: 0,
    durationSeconds: total / sampleRate,
    durationEstimated: false,
  };
}

/** Header fields of the Ogg page at `at`, or null if no page starts there. */
function oggPage(b: Uint8Array, at: number) {
  if (at + 27 > b.length || ascii(b, at, 4) !== 'OggS') return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const segments = b[at + 26];
  if (at + 27 + segments > b.length) return null;
  let body = 0;
  for (let i = 0; i < segments; i++) body += b[at + 27 + i];
  return {
    flags: b[at + 5],
    granule: view.getUint32(at + 6, true) + view.getInt32(at + 10, true) * 2 ** 32,
    serial: view.getUint32(at + 14, true),
    bodyAt: at + 27 + segments,
    end: at + 27 + segments + body,
  };
}

async function probeOgg(src: ByteSource, head: Uint8Array): Promise<AudioProbe> {
  const first = oggPage(head, 0);
  if (!first || first.end > head.length) throw new SflError('corrupt Ogg file: the first page is cut short', src.name);
  const p = first.bodyAt;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let format: AudioFormat, sampleRate: number, channels: number, preSkip = 0;
  if (head.length >= p + 30 && head[p] === 1 && ascii(head, p + 1, 6) === 'vorbis') {
    format = 'ogg-vorbis';
    channels = head[p + 11];
    sampleRate = view.getUint32(p + 12, true);
  } else if (head.length >= p + 19 && ascii(head, p, 8) === 'OpusHead') {
    format = 'ogg-opus';
    channels = head[p + 9];
    preSkip = view.getUint16(p + 10, true);
    sampleRate = 48000;
  } else if (head.length >= p + 51 && head[p] === 0x7f && ascii(head, p + 1, 4) === 'FLAC') {
    // Ogg FLAC mapping: 0x7F "FLAC" major minor (2 bytes) header count, then "fLaC" + STREAMINFO.
    const flac = probeFlac(src, head.subarray(p + 9));
    return { ...flac, format: 'ogg-flac' };
  } else {
    throw new SflError('unsupported Ogg codec (Ogg Vorbis, Opus and Ogg FLAC are read)', src.name);
  }
  if (channels < 1 || sampleRate < 1) throw new SflError(`corrupt ${FORMAT_NAMES[format]} header: ${channels} channels at ${sampleRate} Hz`, src.name);
  // The last page of the stream carries the total length as its granule position.
  const tailAt = Math.max(0, src.size - TAIL);
  const tail = await src.read(tailAt, TAIL);
  let last = null;
  for (let i = tail.length - 27; i >= 0 && !last; i--) {
    const page = oggPage(tail, i);
    if (page && page.serial === first.serial && page.granule >= 0 && page.end <= tail.length) last = page;
  }
  if (!last || !(last.flags & 4)) {
    throw new SflError(`truncated ${FORMAT_NAMES[format]} file: the stream's last page is missing`, src.name);
  }
  const frames = Math.max(0, last.granule - preSkip);
  return { format, sampleRate, channels, frames, framesTolerance: 0, durationSeconds: frames / sampleRate, durationEstimated: false };
}

const MPEG_RATES = [[11025, 12000, 8000], [0, 0, 0], [22050, 24000, 16000], [44100, 48000, 32000]];
const BITRATES: Record<string, number[]> = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};

/** An MPEG audio frame header at `at`, or null. */
function mpegFrame(b: Uint8Array, at: number) {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return null;
  const version = (b[at + 1] >> 3) & 3; // 0 = 2.5, 2 = 2, 3 = 1
  const layer = 4 - ((b[at + 1] >> 1) & 3); // 1, 2, 3 (4 = reserved)
  const brIndex = b[at + 2] >> 4;
  const srIndex = (b[at + 2] >> 2) & 3;
  if (version === 1 || layer === 4 || brIndex === 0 || brIndex === 15 || srIndex === 3) return null;
  const v1 = version === 3;
  const table = v1 ? `v1l${layer}` : layer === 1 ? 'v2l1' : 'v2l23';
  const bitrate = BITRATES[table][brIndex] * 1000;
  const sampleRate = MPEG_RATES[version][srIndex];
  const padding = (b[at + 2] >> 1) & 1;
  const samples = layer === 1 ? 384 : layer === 3 && !v1 ? 576 : 1152;
  const bytes = layer === 1 ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4 : Math.floor((samples / 8) * bitrate / sampleRate) + padding;
  const mono = b[at + 3] >> 6 === 3;
  return { v1, layer, bitrate, sampleRate, samples, bytes, channels: mono ? 1 : 2 };
}

/**
 * The MP3 (MPEG audio) probe: the first frame must be followed by another valid frame (a lone
 * 0xFFE sync is too weak a signature). The frame count comes from a Xing/Info or VBRI header in
 * the first frame; the LAME tag's encoder delay and padding are removed, as the decoder does.
 */
function probeMp3(b: Uint8Array, offset: number, fileSize: number): AudioProbe | null {
  const f = mpegFrame(b, 0);
  if (!f) return null;
  const next = mpegFrame(b, f.bytes);
  if (!next && f.bytes < b.length && f.bytes + offset < fileSize) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const side = f.v1 ? (f.channels === 1 ? 17 : 32) : f.channels === 1 ? 9 : 17;
  const x = 4 + side;
  let frames: number | null = null;
  if (f.layer === 3 && b.length >= x + 120 && (ascii(b, x, 4) === 'Xing' || ascii(b, x, 4) === 'Info')) {
    const flags = view.getUint32(x + 4, false);
    let at = x + 8;
    let count: number | null = null;
    if (flags & 1) {
      count = view.getUint32(at, false);
      at += 4;
    }
    if (flags & 2) at += 4;
    if (flags & 4) at += 100;
    if (flags & 8) at += 4;
    if (count !== null) {
      frames = count * f.samples;
      if (at + 24 <= b.length && /^(LAME|Lavc|Lavf|L3.9)/.test(ascii(b, at, 4))) {
        const delay = (b[at + 21] << 4) | (b[at + 22] >> 4);
        const padding = ((b[at + 22] & 0x0f) << 8) | b[at + 23];
        frames = Math.max(0, frames - delay - padding);
      }
    }
  } else if (b.length >= 4 + 32 + 18 && ascii(b, 36, 4) === 'VBRI') {
    frames = view.getUint32(36 + 14, false) * f.samples;
  }
  const durationSeconds = frames !== null ? frames / f.sampleRate : ((fileSize - offset) * 8) / f.bitrate;
  return {
    format: 'mp3',
    sampleRate: f.sampleRate,
    channels: f.channels,
    frames,
    framesTolerance: 2 * f.samples,
    durationSeconds,
    durationEstimated: frames === null,
  };
}
