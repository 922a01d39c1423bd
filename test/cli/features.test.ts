import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '../../src/data/npy.ts';
import { runCli, ROOT } from './run-cli.ts';
import { buildWav } from '../audio/wav-fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'sfl-cli-'));
const fsdd = (name: string) => join(ROOT, 'audio/fsdd/recordings', name);

describe('sfl features', () => {
  it('writes a .npy of the frames and a JSON sidecar of the parameters', () => {
    const dir = tmp();
    const out = join(dir, 'mel.npy');
    const r = runCli(['features', fsdd('3_jackson_7.wav'), '--transform', 'mel', '--bands', '24', '--out', out, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const arr = readNpy(out);
    const side = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(arr.shape[1]).toBe(24);
    expect(side.shape).toEqual(arr.shape);
    expect(side.params).toMatchObject({ transform: 'mel', bands: 24, sampleRate: 8000, frameSize: 256, hop: 128 });
    expect(side.files[0].rows).toEqual([0, arr.shape[0]]);
  });

  it('skips a corrupt file in a folder with a warning naming it, and keeps the rest', () => {
    const dir = tmp();
    const audio = join(dir, 'in');
    mkdirSync(audio);
    copyFileSync(fsdd('0_george_0.wav'), join(audio, 'a.wav'));
    writeFileSync(join(audio, 'b.wav'), 'not audio at all');
    const out = join(dir, 'f.npy');
    const r = runCli(['features', audio, '--transform', 'fft', '--out', out, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: skipped .*b\.wav: not a recognised audio file/);
    expect(r.stdout).toMatch(/from 1 file \(1 skipped\)/);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`${audio}: 1 file used; 1 skipped: 1 unknown format (b.wav)`);
    expect(readNpy(out).shape[1]).toBe(129);
  });

  it('a file found bad part-way (after some of its frames were written) is taken out again; the rest follow on', () => {
    const dir = tmp();
    const audio = join(dir, 'in');
    mkdirSync(audio);
    copyFileSync(fsdd('0_george_0.wav'), join(audio, 'a.wav'));
    // 80 s at 8 kHz with a NaN near its end: found after more than one block of frames has passed.
    const values = Array.from({ length: 640_000 }, (_, i) => (i === 600_000 ? NaN : 0.2 * Math.sin(i / 7)));
    writeFileSync(join(audio, 'b.wav'), buildWav({ encoding: 'float32', sampleRate: 8000, channels: [values] }));
    copyFileSync(fsdd('1_george_0.wav'), join(audio, 'c.wav'));
    const out = join(dir, 'f.npy');
    const r = runCli(['features', audio, '--transform', 'mel', '--bands', '8', '--out', out, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: skipped .*b\.wav: non-finite sample value NaN at sample 600000/);
    const one = (name: string) => {
      const o = join(dir, `${name}.npy`);
      expect(runCli(['features', fsdd(name), '--transform', 'mel', '--bands', '8', '--out', o, '--no-cache']).code).toBe(0);
      return readNpy(o);
    };
    const [a, c] = [one('0_george_0.wav'), one('1_george_0.wav')];
    const all = readNpy(out);
    expect(all.shape).toEqual([a.shape[0] + c.shape[0], 8]);
    expect(Array.from(all.data)).toEqual([...a.data, ...c.data]);
    const side = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(side.files.map((f: { rows: number[] }) => f.rows)).toEqual([[0, a.shape[0]], [a.shape[0], a.shape[0] + c.shape[0]]]);
  });

  it('a single bad file, an empty folder and a missing path each give one sentence naming it, no stack', () => {
    const dir = tmp();
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'RIFF');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    for (const [target, why] of [
      [bad, /bad\.wav: not a WAV file/],
      [empty, /empty: the folder holds no audio files/],
      [join(dir, 'nope'), /nope: no such file or folder/],
    ] as const) {
      const r = runCli(['features', target, '--out', join(dir, 'x.npy')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("--preset librosa writes librosa's power_to_db(melspectrogram(y, sr)) for a float WAV of the reference signal, and an MP3 is read too", () => {
    const ref = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/librosa/reference.json'), 'utf8'));
    const b = Buffer.from(ref.signal_f32le_base64, 'base64');
    const y = Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
    const dir = tmp();
    writeFileSync(join(dir, 'ref.wav'), buildWav({ encoding: 'float32', sampleRate: ref.sr, channels: [y] }));
    const out = join(dir, 'lib.npy');
    const r = runCli(['features', join(dir, 'ref.wav'), '--preset', 'librosa', '--out', out, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const arr = readNpy(out);
    expect(arr.shape).toEqual([ref.results.constant.shape[1], 128]);
    let worst = 0;
    for (let i = 0; i < arr.data.length; i++) worst = Math.max(worst, Math.abs(Number(arr.data[i]) - ref.results.constant.db[Math.floor(i / 128)][i % 128]));
    expect(worst).toBeLessThan(0.01);
    const mp3 = runCli(['features', join(ROOT, 'test/fixtures/audio/speech.mp3'), '--preset', 'librosa', '--out', join(dir, 'mp3.npy'), '--no-cache']);
    expect(mp3.code, mp3.stderr).toBe(0);
    expect(readNpy(join(dir, 'mp3.npy')).shape).toEqual([1 + Math.floor(44100 / 512), 128]);
  });
});
