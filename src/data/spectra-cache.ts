import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, readFile, utimes } from 'node:fs/promises';
import { endianness, homedir } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { sha256Hex, stableStringify } from './cache-key.ts';
import { cacheMaxBytes, cacheUsage, evictLeastRecentlyUsed } from './cache-eviction.ts';

/**
 * An on-disk cache of computed spectra (or any float32 matrix computed from one file), so that a
 * second run over the same recordings with the same settings skips decoding and the transform.
 * Where: defaultCacheDir(). How big: at most cacheMaxBytes() ($SFL_CACHE_MAX, default 2 GB);
 * beyond that the least recently used entries are deleted (cache-eviction.ts). `sfl cache` shows
 * its size, `sfl cache clear` empties it.
 *
 * Key: sha256 of the cache format version, the transform parameters (JSON with sorted keys) and
 * the sha256 of the file's bytes. So an entry is found again only for the same content and the
 * same parameters: editing a file or changing any parameter simply misses, and stale entries are
 * never returned (they are left on disk until the size cap evicts them).
 *
 * Entry file `<dir>/<key[0..1]>/<key>.f32`, one file so that one atomic rename publishes it whole:
 *   bytes 0-3   'SFLC'
 *   bytes 4-7   uint32 little-endian: length H of the JSON header (padded with spaces to 4n bytes)
 *   next H      JSON {"format":1,"rows":R,"cols":C,"dtype":"<f4"}
 *   the rest    R*C float32 little-endian, row-major
 * An entry that fails any check (wrong size, bad header, other format) is recomputed and rewritten.
 */

/** Bump when the entry layout or the meaning of cached values changes: old entries then miss. */
const CACHE_FORMAT_VERSION = 1;

const MAGIC = 'SFLC';

export interface CacheOptions {
  /** Cache folder; default defaultCacheDir(). */
  dir?: string;
  /** false: always compute, never read or write the cache. Default true. */
  enabled?: boolean;
  /** Counters added to on every call, e.g. for a "cache: 2480 hits, 20 misses" line. */
  stats?: CacheStats;
  /** Size cap in bytes; default cacheMaxBytes() ($SFL_CACHE_MAX or 2 GB). 0: no cache. */
  maxBytes?: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries found but unusable (then recomputed; also counted as misses). */
  corrupt: number;
  /** Entries that could not be written (the computed value is still returned). */
  writeErrors: number;
}

export function newCacheStats(): CacheStats {
  return { hits: 0, misses: 0, corrupt: 0, writeErrors: 0 };
}

/** $SFL_CACHE_DIR, else $XDG_CACHE_HOME/sfl/spectra, else ~/.cache/sfl/spectra. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SFL_CACHE_DIR) return env.SFL_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'sfl', 'spectra');
  return join(homedir(), '.cache', 'sfl', 'spectra');
}

/** The cache key (64 hex digits) of a file's bytes under transform parameters `params`. */
export function spectraCacheKey(bytes: Uint8Array, params: object): string {
  return cacheKeyOfContent(sha256Hex(bytes), params);
}

/** spectraCacheKey from the sha256 (hex) of the file's bytes. */
function cacheKeyOfContent(content: string, params: object): string {
  return sha256Hex(stableStringify({ format: CACHE_FORMAT_VERSION, params, content }));
}

/** Where the entry of `key` lives in `dir`. Two-hex-digit sub-folders keep folders small. */
export function cacheEntryPath(dir: string, key: string): string {
  return join(dir, key.slice(0, 2), `${key}.f32`);
}

// The entry stores float32 in little-endian order by copying memory; on a big-endian host the
// cache is bypassed rather than byte-swapped (no such Node target is in use).
const HOST_IS_LE = endianness() === 'LE';

let warnedWrite = false;

/**
 * The matrix `compute` gives for the file `filePath`, read from the cache when an entry for the
 * same content and `params` exists; otherwise computed, stored, and returned. `params` must hold
 * every setting that changes the result (plain JSON values only). The file is read here only to
 * hash it (in pieces, so a long recording is never held whole); `compute` reads it itself.
 */
export async function cachedCompute(
  filePath: string,
  params: object,
  compute: (filePath: string) => Promise<Matrix> | Matrix,
  opts: CacheOptions = {},
): Promise<Matrix> {
  const stats = opts.stats;
  const maxBytes = opts.maxBytes ?? cacheMaxBytes();
  if (opts.enabled === false || !HOST_IS_LE || maxBytes <= 0) {
    await requireReadable(filePath);
    return checkResult(await compute(filePath), filePath);
  }
  const dir = opts.dir ?? defaultCacheDir();
  const entry = cacheEntryPath(dir, cacheKeyOfContent(await contentHash(filePath), params));

  const cached = await readEntry(entry);
  if (cached === 'corrupt' && stats) stats.corrupt++;
  if (cached && cached !== 'corrupt') {
    if (stats) stats.hits++;
    // The entry's mtime is its last use: the size cap evicts the least recently used first.
    const now = new Date();
    await utimes(entry, now, now).catch(() => undefined);
    return cached;
  }
  if (stats) stats.misses++;

  const result = checkResult(await compute(filePath), filePath);
  try {
    const chunks = encodeEntry(result);
    writeFileAtomic(entry, ...chunks);
    keepUnderCap(dir, chunks.reduce((n, c) => n + c.byteLength, 0), maxBytes);
  } catch (err) {
    // A read-only or full disk must not stop the run: the value is still good, only not kept.
    if (stats) stats.writeErrors++;
    if (!warnedWrite) {
      warnedWrite = true;
      console.warn(`sfl: cannot write the spectra cache in ${dir} (${(err as Error).message}); going on without it`);
    }
  }
  return result;
}

/**
 * Bytes in each cache folder as this process last knew them: the folder is measured once (at the
 * first write), then each write adds its size, and only when that passes the cap is the folder
 * listed again and trimmed, to 90% of the cap so that the next writes do not each trigger a
 * listing. Other processes' writes are seen at that listing.
 */
const knownBytes = new Map<string, number>();

function keepUnderCap(dir: string, written: number, maxBytes: number): void {
  const bytes = (knownBytes.get(dir) ?? cacheUsage(dir).bytes - written) + written;
  if (bytes <= maxBytes) {
    knownBytes.set(dir, bytes);
    return;
  }
  knownBytes.set(dir, evictLeastRecentlyUsed(dir, Math.floor(0.9 * maxBytes)).left.bytes);
}

/** sha256 of the file's bytes, read in pieces. */
async function contentHash(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (err) {
    throw unreadable(err, filePath);
  }
  return hash.digest('hex');
}

async function requireReadable(filePath: string): Promise<void> {
  try {
    await access(filePath, constants.R_OK);
  } catch (err) {
    throw unreadable(err, filePath);
  }
}

function unreadable(err: unknown, filePath: string): SflError {
  const code = (err as NodeJS.ErrnoException).code;
  return new SflError(code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`, filePath);
}

function checkResult(m: Matrix, filePath: string): Matrix {
  if (!(m.data instanceof Float32Array) || m.data.length !== m.rows * m.cols) {
    throw new Error(`cachedCompute: compute for ${filePath} returned a malformed matrix (${m.rows} x ${m.cols}, ${m.data?.length} values)`);
  }
  return m;
}

function encodeEntry(m: Matrix): Uint8Array[] {
  let header = JSON.stringify({ format: CACHE_FORMAT_VERSION, rows: m.rows, cols: m.cols, dtype: '<f4' });
  // Pad so the float data starts on a 4-byte boundary (8 + 4n).
  header += ' '.repeat((4 - (header.length % 4)) % 4);
  const prefix = new Uint8Array(8 + header.length);
  prefix.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(prefix.buffer).setUint32(4, header.length, true);
  prefix.set(Buffer.from(header, 'latin1'), 8);
  return [prefix, new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength)];
}

/** The cached matrix, null if there is no entry, 'corrupt' if there is one that fails a check. */
async function readEntry(path: string): Promise<Matrix | null | 'corrupt'> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch {
    return null;
  }
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) return 'corrupt';
  const headerLength = buf.readUInt32LE(4);
  if (8 + headerLength > buf.length) return 'corrupt';
  let header: { format?: unknown; rows?: unknown; cols?: unknown; dtype?: unknown };
  try {
    header = JSON.parse(buf.toString('latin1', 8, 8 + headerLength));
  } catch {
    return 'corrupt';
  }
  const { format, rows, cols, dtype } = header;
  if (format !== CACHE_FORMAT_VERSION || dtype !== '<f4') return 'corrupt';
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || (rows as number) < 0 || (cols as number) < 0) return 'corrupt';
  const n = (rows as number) * (cols as number);
  if (buf.length !== 8 + headerLength + 4 * n) return 'corrupt';
  // Copy into a fresh buffer: the file's bytes need not be 4-byte aligned in memory.
  const data = new Float32Array(n);
  new Uint8Array(data.buffer).set(buf.subarray(8 + headerLength));
  return { data, rows: rows as number, cols: cols as number };
}
