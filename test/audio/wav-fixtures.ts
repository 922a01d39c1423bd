/**
 * Builds WAV files in memory so the decoder tests run anywhere without fixture files.
 * Every field is written explicitly so a test can also build broken files (wrong sizes, cut short).
 */

export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

export interface WavSpec {
  encoding: WavEncoding;
  sampleRate?: number; // default 8000
  /**
   * One array per channel, all the same length, holding the values exactly as stored:
   * integer codes for PCM (8-bit: unsigned 0..255, others signed), floats for float encodings.
   */
  channels: number[][];
  /** Write WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE + SubFormat GUID) instead of tag 1/3. Default false. */
  extensible?: boolean;
  /** Extra chunks written between fmt and data, e.g. an odd-sized LIST to test padding. */
  extraChunks?: { id: string; body: Uint8Array }[];
  /** Override the data chunk's declared size (default: the real size). */
  declaredDataBytes?: number;
}

const BITS: Record<WavEncoding, number> = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64 };

/** The sample value a conforming decoder must produce for a stored code (before mix-down). */
export function expectedSample(encoding: WavEncoding, code: number): number {
  switch (encoding) {
    case 'pcm8':
      return (code - 128) / 128;
    case 'pcm16':
      return code / 2 ** 15;
    case 'pcm24':
      return code / 2 ** 23;
    case 'pcm32':
      return code / 2 ** 31;
    default:
      return code;
  }
}

class Writer {
  private parts: number[] = [];
  u8(v: number) { this.parts.push(v & 0xff); }
  u16(v: number) { this.u8(v); this.u8(v >>> 8); }
  u32(v: number) { this.u16(v & 0xffff); this.u16(v >>> 16); }
  ascii(s: string) { for (const ch of s) this.u8(ch.charCodeAt(0)); }
  bytes(b: Uint8Array) { for (const v of b) this.u8(v); }
  get length() { return this.parts.length; }
  result() { return Uint8Array.from(this.parts); }
}

/** Encode the sample data alone (interleaved, little-endian). */
function encodeData(spec: WavSpec): Uint8Array {
  const bytesPer = BITS[spec.encoding] / 8;
  const nCh = spec.channels.length;
  const frames = spec.channels[0].length;
  const buf = new Uint8Array(frames * nCh * bytesPer);
  const view = new DataView(buf.buffer);
  let at = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nCh; c++) {
      const v = spec.channels[c][i];
      switch (spec.encoding) {
        case 'pcm8': view.setUint8(at, v); break;
        case 'pcm16': view.setInt16(at, v, true); break;
        case 'pcm24': view.setUint16(at, v & 0xffff, true); view.setInt8(at + 2, v >> 16); break;
        case 'pcm32': view.setInt32(at, v, true); break;
        case 'float32': view.setFloat32(at, v, true); break;
        case 'float64': view.setFloat64(at, v, true); break;
      }
      at += bytesPer;
    }
  }
  return buf;
}

/** Build a complete RIFF/WAVE file. */
export function buildWav(spec: WavSpec): Uint8Array {
  const bits = BITS[spec.encoding];
  const nCh = spec.channels.length;
  const rate = spec.sampleRate ?? 8000;
  const blockAlign = nCh * (bits / 8);
  const tag = spec.encoding.startsWith('float') ? 3 : 1;
  const data = encodeData(spec);

  const fmt = new Writer();
  fmt.u16(spec.extensible ? 0xfffe : tag);
  fmt.u16(nCh);
  fmt.u32(rate);
  fmt.u32(rate * blockAlign);
  fmt.u16(blockAlign);
  fmt.u16(bits);
  if (spec.extensible) {
    fmt.u16(22); // cbSize
    fmt.u16(bits); // valid bits
    fmt.u32(nCh === 2 ? 0x3 : 0x4); // channel mask: FL|FR, or FC for mono
    fmt.u16(tag); // SubFormat GUID {000000tag-0000-0010-8000-00aa00389b71}
    fmt.bytes(Uint8Array.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]));
  }
  const fmtBody = fmt.result();

  const body = new Writer();
  body.ascii('WAVE');
  const chunk = (id: string, b: Uint8Array, declared = b.length) => {
    body.ascii(id);
    body.u32(declared);
    body.bytes(b);
    if (b.length & 1) body.u8(0);
  };
  chunk('fmt ', fmtBody);
  for (const c of spec.extraChunks ?? []) chunk(c.id, c.body);
  chunk('data', data, spec.declaredDataBytes ?? data.length);
  const inner = body.result();

  const file = new Writer();
  file.ascii('RIFF');
  file.u32(inner.length);
  file.bytes(inner);
  return file.result();
}

/** A mono 16-bit WAV of `samples` samples of a sine at `f` Hz, peak `amplitude` (integer codes). */
export function toneWav(samples: number, sampleRate: number, f: number, amplitude = 8000): Uint8Array {
  const codes = Array.from({ length: samples }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * f * i) / sampleRate)));
  return buildWav({ encoding: 'pcm16', sampleRate, channels: [codes] });
}
