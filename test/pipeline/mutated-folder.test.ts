/**
 * A folder of mutated WAV files (bit flips, truncations, header fields set to 0, huge or
 * inconsistent values, float files holding NaN, Inf or 1e38) put through `sfl features` and
 * `sfl train-sae` with tiny settings: every file must be used with finite output or skipped with
 * its name, the run must not abort, and no .npy or model may hold a non-finite value.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '../../src/data/npy.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { buildWav } from '../audio/wav-fixtures.ts';
import { runCli } from '../cli/run-cli.ts';

const tone = (n: number, f: number, amp: number) => Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / 8000));
const pcm = (n: number, f: number) => tone(n, f, 12000).map(Math.round);

/** The canonical 44-byte header layout of buildWav's pcm16 mono file: field -> [offset, bytes]. */
const FIELD = { riffSize: [4, 4], tag: [20, 2], channels: [22, 2], rate: [24, 4], byteRate: [28, 4], blockAlign: [32, 2], bits: [34, 2], dataSize: [40, 4] } as const;

function withField(bytes: Uint8Array, field: keyof typeof FIELD, value: number): Uint8Array {
  const out = bytes.slice();
  const [at, size] = FIELD[field];
  const view = new DataView(out.buffer);
  if (size === 2) view.setUint16(at, value, true);
  else view.setUint32(at, value, true);
  return out;
}

function mutatedFolder(): { dir: string; names: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sfl-mutated-'));
  const files: Record<string, Uint8Array> = {};
  const base = buildWav({ encoding: 'pcm16', sampleRate: 8000, channels: [pcm(4000, 440)] });
  files['good-pcm16.wav'] = base;
  files['good-pcm16-b.wav'] = buildWav({ encoding: 'pcm16', sampleRate: 8000, channels: [pcm(4000, 900)] });
  files['good-float32-16k.wav'] = buildWav({ encoding: 'float32', sampleRate: 16000, channels: [tone(8000, 300, 0.4)] });
  files['good-stereo-pcm24-22k.wav'] = buildWav({ encoding: 'pcm24', sampleRate: 22050, channels: [pcm(11025, 500).map((v) => v * 256), pcm(11025, 700).map((v) => v * 256)] });

  // Truncations.
  for (const n of [0, 8, 20, 43, 44, 45, 2000]) files[`cut-${n}.wav`] = base.subarray(0, n);
  // Header fields set to 0, huge, or inconsistent with each other.
  const fields: [keyof typeof FIELD, number][] = [
    ['rate', 0], ['rate', 1], ['rate', 500], ['rate', 8001], ['rate', 0xffffffff], ['rate', 4_000_000_000], ['rate', 400_000],
    ['channels', 0], ['channels', 2], ['channels', 0xffff],
    ['bits', 0], ['bits', 7], ['bits', 64], ['bits', 0xffff],
    ['blockAlign', 0], ['blockAlign', 3], ['blockAlign', 0xffff],
    ['byteRate', 0], ['byteRate', 0xffffffff],
    ['dataSize', 0], ['dataSize', 1], ['dataSize', 1001], ['dataSize', 0xffffffff],
    ['riffSize', 0], ['riffSize', 0xffffffff],
    ['tag', 0], ['tag', 2], ['tag', 3], ['tag', 0xffff],
  ];
  for (const [field, value] of fields) files[`${field}-${value}.wav`] = withField(base, field, value);
  // Bit flips: in the header only, and anywhere (seeded, so the corpus is the same every run).
  const rng = mulberry32(2024);
  for (let k = 0; k < 12; k++) {
    const b = base.slice();
    const flips = 1 + Math.floor(rng() * 6);
    for (let j = 0; j < flips; j++) {
      const at = k < 6 ? Math.floor(rng() * 44) : Math.floor(rng() * b.length);
      b[at] ^= 1 << Math.floor(rng() * 8);
    }
    files[`flip-${k < 6 ? 'header' : 'any'}-${k}.wav`] = b;
  }
  // Float files with values no recording holds.
  const f32 = (name: string, enc: 'float32' | 'float64', at: number, v: number) => {
    files[name] = buildWav({ encoding: enc, sampleRate: 8000, channels: [tone(4000, 440, 0.4).map((x, i) => (i === at ? v : x))] });
  };
  f32('float-nan.wav', 'float32', 1234, NaN);
  f32('float-inf.wav', 'float32', 10, Infinity);
  f32('float-neg-inf.wav', 'float32', 3999, -Infinity);
  f32('float-1e38.wav', 'float32', 2000, 1e38);
  f32('float64-nan.wav', 'float64', 0, NaN);
  f32('float64-1e300.wav', 'float64', 77, 1e300);
  files['float-all-1e38.wav'] = buildWav({ encoding: 'float32', sampleRate: 8000, channels: [tone(4000, 440, 1e38)] });
  files['float-subnormal.wav'] = buildWav({ encoding: 'float32', sampleRate: 8000, channels: [tone(4000, 440, 1e-40)] });
  files['silent.wav'] = buildWav({ encoding: 'pcm16', sampleRate: 8000, channels: [new Array(4000).fill(0)] });

  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return { dir, names: Object.keys(files).sort() };
}

const allFinite = (xs: ArrayLike<number>) => Array.prototype.every.call(xs, (x: number) => Number.isFinite(x));

/** Every number in a JSON value is finite (JSON turns NaN and Infinity into null: no null in numeric arrays either). */
function jsonNumbersFinite(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => x !== null && jsonNumbersFinite(x));
  if (v && typeof v === 'object') return Object.values(v).every((x) => x === null || jsonNumbersFinite(x));
  return true;
}

/** "DIR: 12 files used; 40 skipped: ..." -> [12, 40]. */
function counts(summary: string): [number, number] {
  const m = /: (\d+) files? used(?:; (\d+) skipped|, none skipped)/.exec(summary);
  if (!m) throw new Error(`not a summary line: ${summary}`);
  return [Number(m[1]), Number(m[2] ?? 0)];
}

describe('a folder of mutated WAV files', () => {
  const { dir, names } = mutatedFolder();
  const name = (p: string) => p.slice(dir.length + 1);

  it('features: every file used with finite spectra or skipped and named; the run goes on', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sfl-mutated-out-')), 'f.npy');
    const r = runCli(['features', dir, '--out', out, '--no-cache', '--bands', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const arr = readNpy(out);
    expect(allFinite(arr.data)).toBe(true);
    const side = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    const used: string[] = side.files.map((f: { path: string }) => name(f.path));
    const skipped: string[] = side.skipped.map((s: { path: string }) => name(s.path));
    expect([...used, ...skipped].sort()).toEqual(names);
    for (const good of ['good-pcm16.wav', 'good-float32-16k.wav', 'good-stereo-pcm24-22k.wav']) expect(used).toContain(good);
    for (const bad of ['float-nan.wav', 'float-1e38.wav', 'rate-0.wav', 'rate-4000000000.wav', 'cut-0.wav', 'silent.wav']) expect(skipped).toContain(bad);
    for (const s of side.skipped) expect(s.reason).toContain(s.path);
    const summary = r.stderr.trim().split('\n').at(-1)!;
    expect(summary.startsWith(`${dir}: `)).toBe(true);
    expect(counts(summary)).toEqual([used.length, skipped.length]);
  }, 120_000);

  it('train-sae: the model and every saved number finite; every file accounted for in inputs.json', () => {
    const outputs = mkdtempSync(join(tmpdir(), 'sfl-mutated-runs-'));
    const r = runCli(['train-sae', '--audio', dir, '--hidden', '4', '--iterations', '3', '--windows', '300', '--frames', '2', '--bands', '12', '--outputs', outputs, '--name', 'm', '--quiet'], {
      SFL_CACHE_DIR: mkdtempSync(join(tmpdir(), 'sfl-mutated-cache-')),
    });
    expect(r.code, r.stderr).toBe(0);
    const run = join(outputs, 'm');
    const inputs = JSON.parse(readFileSync(join(run, 'inputs.json'), 'utf8'));
    const accounted = [...inputs.used, ...inputs.skipped.map((s: { path: string }) => s.path)].map(name).sort();
    expect(accounted).toEqual(names);
    const summary = r.stderr.split('\n').find((l) => l.startsWith(`${dir}: `))!;
    expect(counts(summary)).toEqual([inputs.used.length, inputs.skipped.length]);
    const bin = readFileSync(join(run, 'model', 'weights.bin'));
    const weights = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
    expect(weights.length).toBeGreaterThan(0);
    expect(allFinite(weights)).toBe(true);
    const model = JSON.parse(readFileSync(join(run, 'model', 'model.json'), 'utf8'));
    expect(jsonNumbersFinite(model.userDefinedMetadata.preprocess)).toBe(true);
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    expect(Number.isFinite(metrics.finalCost)).toBe(true);
    expect(readdirSync(run)).toContain('filters.png');
  }, 180_000);
});
