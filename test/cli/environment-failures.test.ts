/**
 * The machine's faults as sentences: each ends the command with one line naming the path and what
 * to do, exit code 1, earlier runs intact and nothing half-written left in the outputs folder.
 * The disk-full and read-only cases mount a small tmpfs, which needs root (as in CI); where that
 * is impossible they say so and skip.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run-cli.ts';

const MNIST = ['--mnist', join(ROOT, 'test/fixtures/mnist'), '--count', '200', '--iterations', '2', '--quiet'];
const scratch = mkdtempSync(join(tmpdir(), 'sfl-env-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(scratch, { recursive: true, force: true });
});

/** A tmpfs of `size` at a new folder, or null (with the reason printed) when it cannot be mounted. */
function smallDisk(size: string): string | null {
  const dir = join(scratch, `disk-${mounts.length}`);
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.warn(`skipping: cannot mount a tmpfs (needs root): ${(r.stderr || r.error?.message || '').trim()}`);
    return null;
  }
  mounts.push(dir);
  return dir;
}

/** Everything under `dir`, relative paths, sorted: shows any half-written leftover. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** The one line a failure prints (after the log lines of what went before). */
function lastLine(stderr: string): string {
  return stderr.trim().split('\n').pop() ?? '';
}

describe('environment failures are sentences', () => {
  it('a file where the outputs folder should be', () => {
    const file = join(scratch, 'not-a-folder');
    writeFileSync(file, 'keep me');
    for (const outputs of [file, join(file, 'runs')]) {
      const r = runCli(['train-sae', ...MNIST, '--hidden', '4', '--outputs', outputs]);
      expect(r.code).toBe(1);
      const who = outputs === file ? 'this' : file;
      expect(lastLine(r.stderr)).toBe(`sfl: ${outputs}: ${who} is a file, not a folder; move it away or choose another --outputs folder`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it.skipIf(!existsSync('/proc/self'))('a path that cannot be a folder (/proc/x) is refused at once, not looped on', () => {
    const t0 = Date.now();
    const r = runCli(['train-sae', ...MNIST, '--hidden', '4', '--outputs', '/proc/sfl-test/x']);
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe('sfl: /proc/sfl-test: cannot be created as a folder: the file system there does not allow it; choose another --outputs folder');
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('sizes that cannot fit in memory are refused before they are allocated, saying how much they need', () => {
    const outputs = join(scratch, 'mem');
    const hidden = runCli(['train-sae', ...MNIST, '--hidden', '1e9', '--outputs', outputs]);
    expect(hidden.code).toBe(1);
    expect(lastLine(hidden.stderr)).toMatch(
      /^sfl: a sparse autoencoder of 1000000000 hidden units on 784 inputs and 200 examples would need about [\d.]+ PB of memory, more than the [\d.]+ [GT]B this machine has; choose fewer hidden units \(--hidden, sae\.hidden\)$/,
    );
    const audio = join(scratch, 'audio');
    mkdirSync(join(audio, 'speech'), { recursive: true });
    for (const f of ['0_george_0', '1_george_10']) copyFileSync(join(ROOT, 'audio/fsdd/recordings', `${f}.wav`), join(audio, 'speech', `${f}.wav`));
    const windows = runCli(['train-sae', '--audio', audio, '--windows', '1e12', '--quiet', '--outputs', outputs]);
    expect(windows.code).toBe(1);
    expect(lastLine(windows.stderr)).toMatch(
      /^sfl: 1000000000000 windows of 4 x 40 values would need about [\d.]+ PB of memory, more than the [\d.]+ [GT]B this machine has; use fewer windows \(--windows, windows\.count\)$/,
    );
    // Nothing was left behind: no run, no staging folder.
    expect(existsSync(outputs) ? tree(outputs) : []).toEqual([]);
  });

  it('a full disk: the sentence, the earlier run intact, nothing half-written left', (ctx) => {
    const disk = smallDisk('300k');
    if (!disk) return ctx.skip();
    const outputs = join(disk, 'outputs');
    const early = runCli(['train-sae', ...MNIST, '--hidden', '4', '--outputs', outputs, '--name', 'early']);
    expect(early.code, early.stderr).toBe(0);
    const before = tree(outputs);
    const model = readFileSync(join(outputs, 'early/model/weights.bin'));
    // 2 x 200 x 784 float32 weights are 1.25 MB: they cannot fit.
    const big = runCli(['train-sae', ...MNIST, '--hidden', '200', '--outputs', outputs, '--name', 'big']);
    expect(big.code).toBe(1);
    expect(lastLine(big.stderr)).toBe(`sfl: ${resolve(outputs)}: the disk is full (no space left on the device); free some space or choose another --outputs folder`);
    expect(tree(outputs)).toEqual(before);
    expect(readFileSync(join(outputs, 'early/model/weights.bin'))).toEqual(model);
  });

  it('a read-only file system: the sentence, the earlier run intact', (ctx) => {
    const disk = smallDisk('1m');
    if (!disk) return ctx.skip();
    const outputs = join(disk, 'outputs');
    const early = runCli(['train-sae', ...MNIST, '--hidden', '4', '--outputs', outputs, '--name', 'early']);
    expect(early.code, early.stderr).toBe(0);
    const before = tree(outputs);
    const ro = spawnSync('mount', ['-o', 'remount,ro', disk], { encoding: 'utf8' });
    if (ro.status !== 0) {
      console.warn(`skipping: cannot remount the tmpfs read-only: ${ro.stderr.trim()}`);
      return ctx.skip();
    }
    for (const [where, name] of [
      [outputs, 'late'],
      [join(disk, 'elsewhere'), 'late'],
    ]) {
      const r = runCli(['train-sae', ...MNIST, '--hidden', '4', '--outputs', where, '--name', name]);
      expect(r.code).toBe(1);
      expect(lastLine(r.stderr)).toBe(`sfl: ${resolve(where)}: this is on a read-only file system; remount it writable or choose another --outputs folder`);
    }
    expect(tree(outputs)).toEqual(before);
  });
});
