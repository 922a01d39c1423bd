import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Matrix } from '../../src/compute/matrix.ts';
import { cacheEntryPath, cachedCompute, newCacheStats, spectraCacheKey } from '../../src/data/spectra-cache.ts';
import { cacheMaxBytes, cacheUsage, clearCache, DEFAULT_CACHE_MAX_BYTES, listCacheEntries, parseSize } from '../../src/data/cache-eviction.ts';
import { runCli } from '../cli/run-cli.ts';
import { tempDir } from './helpers.ts';

/** 100 rows x 10 columns whatever the file: every entry has the same size. */
const compute = (path: string): Matrix => ({ data: new Float32Array(1000).fill(readFileSync(path)[0]), rows: 100, cols: 10 });
const PARAMS = { transform: 'test' };

function files(dir: string, names: string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((n, i) => {
      const p = join(dir, `${n}.wav`);
      writeFileSync(p, new Uint8Array([i + 1, 7]));
      return [n, p];
    }),
  );
}

const entryOf = (cacheDir: string, bytes: number[]) => cacheEntryPath(cacheDir, spectraCacheKey(new Uint8Array(bytes), PARAMS));

describe('the spectra cache size cap', () => {
  it('evicts the least recently used entries; a hit counts as a use', async () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const f = files(root, ['a', 'b', 'c', 'd']);
    const opts = { dir: cacheDir, maxBytes: 1e9 };
    for (const n of ['a', 'b', 'c']) await cachedCompute(f[n], PARAMS, compute, opts);
    const entry = { a: entryOf(cacheDir, [1, 7]), b: entryOf(cacheDir, [2, 7]), c: entryOf(cacheDir, [3, 7]), d: entryOf(cacheDir, [4, 7]) };
    const size = cacheUsage(cacheDir).bytes / 3;
    // Written a, b, c a minute apart, long ago; then a is read again (a hit), so b is the least recently used.
    const t = Date.now() / 1000 - 3600;
    utimesSync(entry.a, t, t);
    utimesSync(entry.b, t + 60, t + 60);
    utimesSync(entry.c, t + 120, t + 120);
    const stats = newCacheStats();
    await cachedCompute(f.a, PARAMS, compute, { ...opts, stats });
    expect(stats.hits).toBe(1);
    expect(listCacheEntries(cacheDir).map((e) => e.path)).toEqual([entry.b, entry.c, entry.a]);

    // Room for three and a half entries: writing d makes four, and the cache is trimmed (to 90%).
    await cachedCompute(f.d, PARAMS, compute, { dir: cacheDir, maxBytes: Math.floor(3.5 * size) });
    expect([entry.a, entry.b, entry.c, entry.d].map((p) => existsSync(p))).toEqual([true, false, true, true]);
    expect(cacheUsage(cacheDir)).toEqual({ entries: 3, bytes: 3 * size });
  });

  it('a cap of 0 turns the cache off; sizes read from $SFL_CACHE_MAX', async () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const f = files(root, ['a']);
    await cachedCompute(f.a, PARAMS, compute, { dir: cacheDir, maxBytes: 0 });
    expect(cacheUsage(cacheDir).entries).toBe(0);
    expect(cacheMaxBytes({})).toBe(DEFAULT_CACHE_MAX_BYTES);
    expect(cacheMaxBytes({ SFL_CACHE_MAX: '500MB' })).toBe(5e8);
    expect(parseSize('1.5 GiB', 'x')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('750000', 'x')).toBe(750000);
    expect(() => cacheMaxBytes({ SFL_CACHE_MAX: 'lots' })).toThrow('SFL_CACHE_MAX must be a size like 2GB, 500MB or a number of bytes (got "lots")');
  });

  it('clearCache empties it; `sfl cache` shows the folder and size, `sfl cache clear` empties it', async () => {
    const root = tempDir();
    const cacheDir = join(root, 'cache');
    const f = files(root, ['a', 'b']);
    for (const n of ['a', 'b']) await cachedCompute(f[n], PARAMS, compute, { dir: cacheDir });
    const env = { SFL_CACHE_DIR: cacheDir, SFL_CACHE_MAX: '1MB' };
    const shown = runCli(['cache'], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(`spectra cache: ${cacheDir}\n2 entries, 8.3 kB of at most 1.0 MB\n`);
    const cleared = runCli(['cache', 'clear'], env);
    expect(cleared.stdout).toBe(`removed 2 entries (8.3 kB) from ${cacheDir}\n`);
    expect(cacheUsage(cacheDir)).toEqual({ entries: 0, bytes: 0 });
    expect(clearCache(cacheDir)).toEqual({ entries: 0, bytes: 0 });
  });
});
