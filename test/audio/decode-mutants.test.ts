import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio, openAudio } from '../../src/audio/decode.ts';
import { SflError } from '../../src/util/errors.ts';
import { buildWav } from './wav-fixtures.ts';

/**
 * A corpus of damaged files through the decoder (every format): each mutant either decodes to
 * finite samples within [-1, 1], or throws an SflError whose message starts with the file's name.
 * Never another error type, never a hang (each decode gets 10 s), never a non-finite sample.
 */

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

const sine = (n: number, amp: number) => Array.from({ length: n }, (_, i) => amp * Math.sin(i / 7));

const BASES: Record<string, Uint8Array> = {
  'pcm16-mono': buildWav({ encoding: 'pcm16', sampleRate: 8000, channels: [sine(1500, 20000).map(Math.round)] }),
  'pcm24-stereo': buildWav({ encoding: 'pcm24', sampleRate: 44100, channels: [sine(800, 4e6).map(Math.round), sine(800, -3e6).map(Math.round)] }),
  'float32-mono': buildWav({ encoding: 'float32', sampleRate: 16000, channels: [sine(1200, 0.5)] }),
  'pcm16-extensible': buildWav({ encoding: 'pcm16', sampleRate: 22050, extensible: true, channels: [sine(900, 9000).map(Math.round), sine(900, 100).map(Math.round)] }),
};

/** Little-endian field offsets of a plain 44-byte header (buildWav, non-extensible). */
const FIELDS: [string, number, number][] = [
  ['riff size', 4, 4], ['fmt size', 16, 4], ['format tag', 20, 2], ['channels', 22, 2], ['sample rate', 24, 4],
  ['byte rate', 28, 4], ['block align', 32, 2], ['bits', 34, 2], ['data size', 40, 4],
];

function mutants(): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const [base, bytes] of Object.entries(BASES)) {
    for (const flips of [1, 4, 32, 256]) {
      for (let k = 0; k < 4; k++) {
        const b = bytes.slice();
        // Half the mutants aim at the header, where one bit changes the meaning of everything after it.
        for (let f = 0; f < flips; f++) {
          const at = k % 2 === 0 ? Math.floor(rand() * Math.min(60, b.length)) : Math.floor(rand() * b.length);
          b[at] ^= 1 << Math.floor(rand() * 8);
        }
        out.push({ name: `${base}-flip${flips}-${k}.wav`, bytes: b });
      }
    }
    for (const keep of [0, 1, 4, 11, 12, 20, 35, 36, 43, 44, 45, 47, Math.floor(bytes.length / 2), bytes.length - 1]) {
      out.push({ name: `${base}-cut${keep}.wav`, bytes: bytes.slice(0, keep) });
    }
    if (base === 'pcm16-extensible') continue; // its fmt chunk is longer: offsets differ
    for (const [field, at, size] of FIELDS) {
      const values = size === 2 ? [0, 1, 3, 0x7fff, 0xffff] : [0, 1, 7, 0x7fffffff, 0xffffffff];
      for (const v of values) {
        const b = bytes.slice();
        const view = new DataView(b.buffer);
        if (size === 2) view.setUint16(at, v, true);
        else view.setUint32(at, v >>> 0, true);
        out.push({ name: `${base}-${field.replace(' ', '-')}=${v}.wav`, bytes: b });
      }
    }
  }
  // Float files holding what corrupt float data looks like.
  for (const bad of [NaN, Infinity, -Infinity, 1e38, -3.4e38, 5e3, 1.0000001, 999]) {
    for (const where of [0, 600, 1199]) {
      const x = sine(1200, 0.5);
      x[where] = bad;
      out.push({ name: `float-${bad}-at-${where}.wav`, bytes: buildWav({ encoding: 'float32', sampleRate: 16000, channels: [x] }) });
      const y = sine(300, 0.5);
      y[where % 300] = bad;
      out.push({ name: `float64-${bad}-at-${where % 300}.wav`, bytes: buildWav({ encoding: 'float64', sampleRate: 8000, channels: [y, sine(300, 0.1)] }) });
    }
  }
  // Compressed fixtures, damaged the same ways.
  for (const f of ['speech.mp3', 'speech.flac', 'speech.ogg', 'speech.opus']) {
    const bytes = new Uint8Array(readFileSync(join('test/fixtures/audio', f))); // a copy: Buffer.slice would not copy
    for (const flips of [1, 16, 200]) {
      for (let k = 0; k < 3; k++) {
        const b = bytes.slice();
        for (let i = 0; i < flips; i++) {
          const at = k === 0 ? Math.floor(rand() * 200) : Math.floor(rand() * b.length);
          b[at] ^= 1 << Math.floor(rand() * 8);
        }
        out.push({ name: `${f}-flip${flips}-${k}`, bytes: b });
      }
    }
    for (const keep of [0, 3, 4, 30, 100, Math.floor(bytes.length / 3), bytes.length - 10]) {
      out.push({ name: `${f}-cut${keep}`, bytes: bytes.slice(0, keep) });
    }
  }
  return out;
}

const TIMEOUT_MS = 10_000;

async function outcome(name: string, run: () => Promise<Float32Array>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: hung for ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    const samples = await Promise.race([run(), hang]);
    for (let i = 0; i < samples.length; i++) {
      if (!(Math.abs(samples[i]) <= 1)) return `${name}: decoded sample ${i} = ${samples[i]}`;
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof SflError)) return `${name}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
    if (!e.message.startsWith(`${name}: `)) return `${name}: SflError does not start with the file's name: ${e.message}`;
    return "refused";
  } finally {
    clearTimeout(timer);
  }
}

describe('damaged files: finite samples or an SflError naming the file, never anything else', () => {
  const corpus = mutants();

  it(`${corpus.length} mutants through decodeAudio (own rate, and resampled to 16 kHz)`, async () => {
    const problems: string[] = [];
    const counts = { ok: 0, refused: 0 };
    for (const m of corpus) {
      for (const sampleRate of [undefined, 16000]) {
        const r = await outcome(m.name, async () => (await decodeAudio(m.bytes, m.name, { sampleRate })).samples);
        if (r === "ok" || r === "refused") counts[r]++;
        else problems.push(r);
      }
    }
    expect(problems).toEqual([]);
    console.log(`decode mutants: ${counts.ok} decoded to finite samples, ${counts.refused} refused with the file named`);
    // The corpus exercises both outcomes (a corpus of only refusals would test little).
    expect(counts.ok).toBeGreaterThan(50);
    expect(counts.refused).toBeGreaterThan(200);
  }, 300_000);

  it('the streaming form agrees: every mutant is refused or yields finite blocks', async () => {
    const problems: string[] = [];
    for (const m of corpus.filter((_, i) => i % 3 === 0)) {
      const r = await outcome(m.name, async () => {
        const parts: number[] = [];
        for await (const b of await openAudio({ bytes: m.bytes, name: m.name }, { blockSize: 256 })) parts.push(...b);
        return Float32Array.from(parts);
      });
      if (r !== 'ok' && r !== 'refused') problems.push(r);
    }
    expect(problems).toEqual([]);
  }, 300_000);
});
