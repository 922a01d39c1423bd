import { describe, expect, it, vi } from 'vitest';
import { readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Matrix } from '../../src/compute/matrix.ts';
import {
  cacheEntryPath, cachedBlocks, cachedCompute, defaultCacheDir, newCacheStats, spectraCacheKey,
} from '../../src/data/spectra-cache.ts';
import { blocksOfMatrix, collectRows } from '../../src/data/row-blocks.ts';
import { stableStringify } from '../../src/data/cache-key.ts';
import { tempDir } from './helpers.ts';

/** A stand-in "spectrum": one row per byte of the file, scaled by params.gain. */
function fakeSpectrum(gain: number) {
  return vi.fn((path: string): Matrix => {
    const bytes = readFileSync(path);
    const data = new Float32Array(bytes.length * 3);
    for (let i = 0; i < data.length; i++) data[i] = bytes[Math.floor(i / 3)] * gain + i / 7;
    return { data, rows: bytes.length, cols: 3 };
  });
}

function setup() {
  const root = tempDir();
  const file = join(root, 'a.wav');
  writeFileSync(file, new Uint8Array([1, 2, 3, 250]));
  return { file, cacheDir: join(root, 'cache') };
}

describe('cachedCompute', () => {
  it('returns identical arrays on a second call without computing again', async () => {
    const { file, cacheDir } = setup();
    const compute = fakeSpectrum(0.5);
    const stats = newCacheStats();
    const first = await cachedCompute(file, { gain: 0.5, fft: 256 }, compute, { dir: cacheDir, stats });
    const second = await cachedCompute(file, { fft: 256, gain: 0.5 }, compute, { dir: cacheDir, stats });
    expect(compute).toHaveBeenCalledTimes(1);
    expect(second.data).not.toBe(first.data);
    expect([second.rows, second.cols]).toEqual([4, 3]);
    expect(Buffer.from(second.data.buffer).equals(Buffer.from(first.data.buffer))).toBe(true);
    expect(stats).toEqual({ hits: 1, misses: 1, corrupt: 0, writeErrors: 0 });
  });

  it('recomputes when a parameter changes, also deep inside', async () => {
    const { file, cacheDir } = setup();
    const compute = fakeSpectrum(1);
    await cachedCompute(file, { gain: 1, mel: { bands: 40 } }, compute, { dir: cacheDir });
    await cachedCompute(file, { gain: 1, mel: { bands: 64 } }, compute, { dir: cacheDir });
    await cachedCompute(file, { gain: 1, mel: { bands: 40 }, log: true }, compute, { dir: cacheDir });
    expect(compute).toHaveBeenCalledTimes(3);
    await cachedCompute(file, { mel: { bands: 64 }, gain: 1 }, compute, { dir: cacheDir });
    expect(compute).toHaveBeenCalledTimes(3);
  });

  it('recomputes when the file content changes', async () => {
    const { file, cacheDir } = setup();
    const compute = fakeSpectrum(1);
    const before = await cachedCompute(file, { gain: 1 }, compute, { dir: cacheDir });
    writeFileSync(file, new Uint8Array([9, 9]));
    const after = await cachedCompute(file, { gain: 1 }, compute, { dir: cacheDir });
    expect(compute).toHaveBeenCalledTimes(2);
    expect(after.rows).toBe(2);
    expect(before.rows).toBe(4);
  });

  it('recomputes and repairs a corrupt (wrong-size) entry', async () => {
    const { file, cacheDir } = setup();
    const compute = fakeSpectrum(1);
    const stats = newCacheStats();
    const good = await cachedCompute(file, { gain: 1 }, compute, { dir: cacheDir, stats });
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const entry = cacheEntryPath(cacheDir, spectraCacheKey(bytes, { gain: 1 }));
    const size = statSync(entry).size;
    truncateSync(entry, size - 4);
    const again = await cachedCompute(file, { gain: 1 }, compute, { dir: cacheDir, stats });
    expect(compute).toHaveBeenCalledTimes(2);
    expect(again.data).toEqual(good.data);
    expect(statSync(entry).size).toBe(size);
    expect(stats.corrupt).toBe(1);
    // The entry folder holds the entry and no leftover temporary file.
    expect(readdirSync(dirname(entry))).toEqual([basename(entry)]);
  });

  it('writes nothing when disabled', async () => {
    const { file, cacheDir } = setup();
    const compute = fakeSpectrum(1);
    await cachedCompute(file, { gain: 1 }, compute, { dir: cacheDir, enabled: false });
    await cachedCompute(file, { gain: 1 }, compute, { dir: cacheDir, enabled: false });
    expect(compute).toHaveBeenCalledTimes(2);
    expect(statSync(cacheDir, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('still returns the result when the cache cannot be written', async () => {
    const { file } = setup();
    const blocker = join(file, 'not-a-dir'); // a path below a file: mkdir fails
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const stats = newCacheStats();
    const m = await cachedCompute(file, { gain: 1 }, fakeSpectrum(1), { dir: blocker, stats });
    expect(m.rows).toBe(4);
    expect(stats.writeErrors).toBe(1);
    warn.mockRestore();
  });

  it('names a missing input file', async () => {
    const { cacheDir } = setup();
    await expect(cachedCompute('no/such.wav', {}, fakeSpectrum(1), { dir: cacheDir })).rejects.toThrow('no/such.wav: file not found');
  });
});

describe('cachedBlocks', () => {
  /** 100,000 rows x 3 columns (1.2 MB: an entry too big to be read whole) in blocks of 1,000, counting the blocks handed out. */
  function bigSource() {
    const m: Matrix = { data: Float32Array.from({ length: 300_000 }, (_, i) => i / 3), rows: 100_000, cols: 3 };
    const opened = vi.fn(async () => blocksOfMatrix(m, 1000));
    return { m, opened };
  }

  it('writes an entry as the blocks pass and reads it back in blocks, never whole', async () => {
    const { file, cacheDir } = setup();
    const { m, opened } = bigSource();
    const stats = newCacheStats();
    const first = await cachedBlocks(file, { p: 1 }, opened, { dir: cacheDir, stats });
    expect(Array.from((await collectRows(first)).data)).toEqual(Array.from(m.data));
    const again = await cachedBlocks(file, { p: 1 }, opened, { dir: cacheDir, stats });
    expect([again.rows, again.cols]).toEqual([100_000, 3]);
    const sizes: number[] = [];
    const values: number[] = [];
    for await (const b of again) {
      sizes.push(b.rows);
      values.push(...b.data);
    }
    expect(opened).toHaveBeenCalledTimes(1);
    expect(stats).toMatchObject({ hits: 1, misses: 1 });
    expect(sizes).toEqual([...new Array(24).fill(4096), 1696]);
    expect(values.length).toBe(m.data.length);
    expect(values.every((v, i) => v === m.data[i])).toBe(true);
  });

  it('keeps no entry when the reader stops early, nor one above half of the cap', async () => {
    const { file, cacheDir } = setup();
    const { opened } = bigSource();
    for await (const _ of await cachedBlocks(file, { p: 1 }, opened, { dir: cacheDir })) break;
    const entry = cacheEntryPath(cacheDir, spectraCacheKey(new Uint8Array([1, 2, 3, 250]), { p: 1 }));
    expect(statSync(entry, { throwIfNoEntry: false })).toBeUndefined();
    expect(readdirSync(dirname(entry))).toEqual([]);
    // 1.2 MB of values: kept under a 2,401 kB cap, not under a 2,399 kB one.
    await collectRows(await cachedBlocks(file, { p: 1 }, opened, { dir: cacheDir, maxBytes: 2_399_000 }));
    expect(statSync(entry, { throwIfNoEntry: false })).toBeUndefined();
    await collectRows(await cachedBlocks(file, { p: 1 }, opened, { dir: cacheDir, maxBytes: 2_401_000 }));
    expect(statSync(entry).size).toBe(128 + 1_200_000);
  });
});

describe('cache keys and folder', () => {
  it('sorts keys at every depth and refuses values JSON would change', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { z: 0, y: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":1,"z":0}]},"b":1}');
    expect(stableStringify({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(() => stableStringify({ a: NaN })).toThrow(/\$\.a is NaN/);
    expect(() => stableStringify({ w: new Float32Array(2) })).toThrow(/Float32Array/);
  });

  it('uses SFL_CACHE_DIR, else XDG_CACHE_HOME/sfl/spectra, else ~/.cache/sfl/spectra', () => {
    expect(defaultCacheDir({ SFL_CACHE_DIR: 'c', XDG_CACHE_HOME: 'x' })).toBe('c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'x' })).toBe(join('x', 'sfl', 'spectra'));
    expect(defaultCacheDir({})).toMatch(/\.cache[/\\]sfl[/\\]spectra$/);
  });
});
