/**
 * The spectra cache's size cap: least recently used entries go first.
 *
 * "Used" is an entry's modification time: writing an entry sets it, and every hit sets it again
 * (spectra-cache.ts touches the file), so sorting by mtime orders entries from least to most
 * recently used without an index file that concurrent processes would have to share. Access times
 * would say the same without the touch, but most file systems are mounted noatime or relatime.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SflError } from '../util/errors.ts';

/** Default cap: room for the spectra of about 40 hours of speech as 40 mel bands. */
export const DEFAULT_CACHE_MAX_BYTES = 2e9;

/** Entries are `<dir>/<2 hex>/<64 hex>.f32`; temporary files of interrupted writes end in .tmp. */
const SHARD = /^[0-9a-f]{2}$/;
const ENTRY = /^[0-9a-f]{64}\.f32$/;
const TEMPORARY = /\.tmp$/;
/** A temporary file this old was left by a process that died while writing it. */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** "2GB", "500 MB", "1.5g", "750000000" -> bytes. `what` names the setting in the error. */
export function parseSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new SflError(`${what} must be a size like 2GB, 500MB or a number of bytes (got "${text}")`);
  return Math.round(Number(m[1]) * unit);
}

/** The cap: $SFL_CACHE_MAX (a size; 0 turns the cache off) or DEFAULT_CACHE_MAX_BYTES. */
export function cacheMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.SFL_CACHE_MAX;
  return given === undefined || given.trim() === '' ? DEFAULT_CACHE_MAX_BYTES : parseSize(given, 'SFL_CACHE_MAX');
}

export interface CacheEntryInfo {
  path: string;
  bytes: number;
  /** Last use (write or hit), ms since the epoch. */
  usedAt: number;
}

/** Every entry of the cache in `dir` (none if it does not exist), least recently used first. */
export function listCacheEntries(dir: string): CacheEntryInfo[] {
  const out: CacheEntryInfo[] = [];
  for (const path of shardFiles(dir, ENTRY)) {
    try {
      const st = statSync(path);
      out.push({ path, bytes: st.size, usedAt: st.mtimeMs });
    } catch {
      // Removed meanwhile by another process: not an entry any more.
    }
  }
  return out.sort((a, b) => a.usedAt - b.usedAt);
}

export interface CacheUsage {
  entries: number;
  bytes: number;
}

export function cacheUsage(dir: string): CacheUsage {
  const entries = listCacheEntries(dir);
  return { entries: entries.length, bytes: entries.reduce((n, e) => n + e.bytes, 0) };
}

/**
 * Removes least recently used entries until the cache holds at most `maxBytes`, and temporary
 * files of writes that died long ago. Returns what was removed and what is left.
 */
export function evictLeastRecentlyUsed(dir: string, maxBytes: number): { removed: CacheUsage; left: CacheUsage } {
  removeStaleTemporaries(dir, Date.now() - STALE_TEMPORARY_MS);
  const entries = listCacheEntries(dir);
  let bytes = entries.reduce((n, e) => n + e.bytes, 0);
  const removed: CacheUsage = { entries: 0, bytes: 0 };
  for (const e of entries) {
    if (bytes <= maxBytes) break;
    rmSync(e.path, { force: true });
    bytes -= e.bytes;
    removed.entries++;
    removed.bytes += e.bytes;
  }
  return { removed, left: { entries: entries.length - removed.entries, bytes } };
}

/** Empties the cache (entries and temporary files); returns what the entries took. */
export function clearCache(dir: string): CacheUsage {
  const usage = cacheUsage(dir);
  for (const shard of safeReaddir(dir)) if (SHARD.test(shard)) rmSync(join(dir, shard), { recursive: true, force: true });
  return usage;
}

function removeStaleTemporaries(dir: string, olderThan: number): void {
  for (const path of shardFiles(dir, TEMPORARY)) {
    try {
      if (statSync(path).mtimeMs < olderThan) rmSync(path, { force: true });
    } catch {
      // gone already
    }
  }
}

/** Paths of the files in the cache's shard folders whose names match `name`. */
function* shardFiles(dir: string, name: RegExp): Generator<string> {
  for (const shard of safeReaddir(dir)) {
    if (!SHARD.test(shard)) continue;
    for (const file of safeReaddir(join(dir, shard))) if (name.test(file)) yield join(dir, shard, file);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
