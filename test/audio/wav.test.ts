import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode as wavDecoderDecode } from 'wav-decoder';
import { decodeWav, readWav } from '../../src/audio/wav.ts';
import { SflError } from '../../src/util/errors.ts';
import { buildWav, expectedSample, type WavEncoding, type WavSpec } from './wav-fixtures.ts';

const CODES: Record<WavEncoding, number[]> = {
  pcm8: [0, 128, 255, 64, 200],
  pcm16: [-32768, 0, 32767, 1234, -1],
  pcm24: [-8388608, 0, 8388607, 123456, -1],
  pcm32: [-2147483648, 0, 2147483647, 123456789, -1],
  float32: [-1, 0, 0.5, 0.25, -0.125],
  float64: [-1, 0, 0.5, 1 / 3, -0.125],
};

/** What decodeWav must return for a spec: the average over channels of each expected sample, as float32. */
function expected(spec: WavSpec): Float32Array {
  const n = spec.channels[0].length;
  return Float32Array.from({ length: n }, (_, i) =>
    spec.channels.reduce((s, ch) => s + expectedSample(spec.encoding, ch[i]), 0) / spec.channels.length);
}

function errorOf(f: () => unknown): SflError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SflError);
    return e as SflError;
  }
  throw new Error('expected an SflError, nothing was thrown');
}

describe('decodeWav: formats', () => {
  for (const encoding of Object.keys(CODES) as WavEncoding[]) {
    for (const extensible of [false, true]) {
      it(`${encoding} mono${extensible ? ' (EXTENSIBLE)' : ''} matches the encoded values`, () => {
        const spec: WavSpec = { encoding, channels: [CODES[encoding]], extensible, sampleRate: 11025 };
        const wav = decodeWav(buildWav(spec), 'x.wav');
        expect(Array.from(wav.samples)).toEqual(Array.from(expected(spec)));
        expect(wav.sampleRate).toBe(11025);
        expect(wav.channels).toBe(1);
        expect(wav.durationSeconds).toBeCloseTo(5 / 11025, 12);
      });
    }
  }

  it('full-scale extremes map to exactly -1 and 0 maps to exactly 0 for every PCM width', () => {
    for (const encoding of ['pcm8', 'pcm16', 'pcm24', 'pcm32'] as const) {
      const s = decodeWav(buildWav({ encoding, channels: [CODES[encoding].slice(0, 2)] }), 'x.wav').samples;
      expect([s[0], s[1]]).toEqual([-1, 0]);
    }
  });

  it('mixes stereo down to mono by averaging (16-bit and EXTENSIBLE 24-bit, float32)', () => {
    const specs: WavSpec[] = [
      { encoding: 'pcm16', channels: [[1000, -32768, 32767, 0], [3000, 32767, 32767, -20]] },
      { encoding: 'pcm24', extensible: true, channels: [[8388607, -8388608, 5, 0], [-8388608, -8388608, 7, 100]] },
      { encoding: 'float32', extensible: true, channels: [[0.5, -1, 0.25, 0], [0.25, 1, 0.25, 0.5]] },
    ];
    for (const spec of specs) {
      const wav = decodeWav(buildWav(spec), 'stereo.wav');
      expect(wav.channels).toBe(2);
      expect(wav.samples.length).toBe(4);
      expect(Array.from(wav.samples)).toEqual(Array.from(expected(spec)));
    }
  });

  it('mixes 6 channels down', () => {
    const channels = [[100], [200], [300], [400], [500], [600]];
    const wav = decodeWav(buildWav({ encoding: 'pcm16', extensible: true, channels }), 'surround.wav');
    expect(wav.channels).toBe(6);
    expect(wav.samples[0]).toBeCloseTo(350 / 32768, 7);
  });

  it('skips unknown chunks, including odd-sized ones with their pad byte', () => {
    const spec: WavSpec = {
      encoding: 'pcm16',
      channels: [[1, 2, 3]],
      extraChunks: [{ id: 'LIST', body: Uint8Array.from([1, 2, 3]) }, { id: 'fact', body: new Uint8Array(4) }],
    };
    expect(Array.from(decodeWav(buildWav(spec), 'x.wav').samples)).toEqual(Array.from(expected(spec)));
  });

  it('agrees with wav-decoder (symmetric scaling) on the formats wav-decoder reads', async () => {
    const ramp = Array.from({ length: 64 }, (_, i) => (i * 977) % 65536 - 32768);
    for (const spec of [
      { encoding: 'pcm16', channels: [ramp] },
      { encoding: 'float32', channels: [ramp.map((v) => v / 40000)] },
      { encoding: 'pcm32', channels: [ramp.map((v) => v * 65536)] },
    ] as WavSpec[]) {
      const bytes = buildWav(spec);
      const ref = await wavDecoderDecode(bytes.slice().buffer, { symmetric: true });
      expect(Array.from(decodeWav(bytes, 'x.wav').samples)).toEqual(Array.from(ref.channelData[0]));
    }
  });
});

describe('decodeWav: errors name the file', () => {
  const good = () => buildWav({ encoding: 'pcm16', channels: [Array.from({ length: 50 }, (_, i) => i)] });

  it('truncated data chunk (file cut short)', () => {
    const bytes = good().subarray(0, 44 + 40); // 44-byte header, 40 of the 100 data bytes
    const e = errorOf(() => decodeWav(bytes, 'cut.wav'));
    expect(e.message).toBe('cut.wav: truncated: data chunk declares 100 bytes, file holds 40');
  });

  it('truncated data chunk (size field larger than the data)', () => {
    const bytes = buildWav({ encoding: 'pcm16', channels: [[1, 2, 3, 4]], declaredDataBytes: 1000 });
    expect(errorOf(() => decodeWav(bytes, 'big.wav')).message).toMatch(/^big\.wav: truncated: data chunk declares 1000 bytes, file holds 8$/);
  });

  it('file cut inside the header', () => {
    expect(errorOf(() => decodeWav(good().subarray(0, 30), 'head.wav')).message).toMatch(/^head\.wav: corrupt or truncated header/);
    expect(errorOf(() => decodeWav(good().subarray(0, 40), 'head.wav')).message).toMatch(/^head\.wav: truncated or corrupt: no data chunk/);
  });

  it('non-WAV files', () => {
    const text = new TextEncoder().encode('this is not a sound, just some text in a file');
    expect(errorOf(() => decodeWav(text, 'notes.txt')).message).toBe('notes.txt: not a WAV file (no RIFF/WAVE header)');
    expect(errorOf(() => decodeWav(new Uint8Array(0), 'empty.wav')).message).toMatch(/^empty\.wav: not a WAV file/);
    const avi = good();
    avi.set(new TextEncoder().encode('AVI '), 8);
    expect(errorOf(() => decodeWav(avi, 'movie.avi')).message).toMatch(/^movie\.avi: not a WAV file/);
  });

  it('empty data chunk', () => {
    const bytes = buildWav({ encoding: 'pcm16', channels: [[]] });
    expect(errorOf(() => decodeWav(bytes, 'silent.wav')).message).toBe('silent.wav: no samples: the data chunk is empty');
  });

  it('corrupt fmt chunk', () => {
    const bytes = good();
    new DataView(bytes.buffer).setUint16(32, 7, true); // block align 7 for mono 16-bit
    expect(errorOf(() => decodeWav(bytes, 'bad.wav')).message).toMatch(/^bad\.wav: corrupt header: block align 7/);
    const zeroCh = good();
    new DataView(zeroCh.buffer).setUint16(22, 0, true);
    expect(errorOf(() => decodeWav(zeroCh, 'bad.wav')).message).toMatch(/^bad\.wav: corrupt header: 0 channels/);
  });

  it('unsupported encodings', () => {
    const mulaw = good();
    new DataView(mulaw.buffer).setUint16(20, 7, true);
    expect(errorOf(() => decodeWav(mulaw, 'phone.wav')).message).toMatch(/^phone\.wav: unsupported format tag 0x0007 \(mu-law\)/);
    const ext = buildWav({ encoding: 'pcm16', extensible: true, channels: [[1, 2]] });
    ext[20 + 24] = 0x07; // SubFormat GUID -> KSDATAFORMAT_SUBTYPE_MULAW
    expect(errorOf(() => decodeWav(ext, 'ext.wav')).message).toMatch(/^ext\.wav: unsupported WAVE_FORMAT_EXTENSIBLE sub-format 0700/);
    const bits12 = good();
    new DataView(bits12.buffer).setUint16(34, 12, true);
    expect(errorOf(() => decodeWav(bits12, 'odd.wav')).message).toMatch(/^odd\.wav: unsupported 12-bit PCM/);
  });

  it('readWav reads a file from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sfl-wav-'));
    try {
      const path = join(dir, 'tone.wav');
      await writeFile(path, buildWav({ encoding: 'pcm16', channels: [[16384, -16384]], sampleRate: 16000 }));
      const wav = await readWav(path);
      expect([Array.from(wav.samples), wav.sampleRate]).toEqual([[0.5, -0.5], 16000]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('readWav reports a missing file', async () => {
    await expect(readWav('no-such-dir/missing.wav')).rejects.toThrow(/^no-such-dir\/missing\.wav: cannot read file \(ENOENT\)$/);
  });
});
