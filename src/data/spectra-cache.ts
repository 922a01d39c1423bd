import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, createReadStream, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { access, open, rm, utimes, type FileHandle } from 'node:fs/promises';
import { endianness, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { explainFsError, makeDirs } from '../util/fs-errors.ts';
import { BLOCK_ROWS, blocksOfMatrix, collectRows, type RowBlocks } from './row-blocks.ts';
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
 * A recording of any length is cached without holding its spectrogram: an entry is written and
 * read a block of rows at a time (cachedBlocks). An entry above half of the cap is not kept.
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
 * An entry larger than this share of the cap is not kept: it would push out most of the cache for
 * one recording (with the default 2 GB cap, entries above 1 GB: about 28 hours of 40 mel bands,
 * float32, at 16 kHz with the default 256-sample hop). Such a recording is decoded again by each run; memory stays one
 * block either way, since entries are written and read a block of rows at a time.
 */
const MAX_ENTRY_SHARE = 0.5;

/**
 * The rows `open` gives for the file `filePath`, block by block, read from the cache when an entry
 * for the same content and `params` exists; otherwise `open`'s blocks, written to a new entry as
 * they pass (published only once every row has passed; a failure or an early stop leaves no
 * entry). `params` must hold every setting that changes the result (plain JSON values only). The
 * file is read here only to hash it (in pieces); `open` reads it itself. Memory: one block.
 */
export async function cachedBlocks(filePath: string, params: object, open: (filePath: string) => Promise<RowBlocks>, opts: CacheOptions = {}): Promise<RowBlocks> {
  return (await lookupCache(filePath, params, opts)).blocks(open);
}

/** cachedBlocks in two steps: the look-up, then the blocks. */
export interface CacheLookup {
  /** The entry's blocks when one was found; else `open`'s, written to a new entry as they pass. Call once. */
  blocks(open: (filePath: string) => Promise<RowBlocks>): Promise<RowBlocks>;
  /** Lets go of an entry found and not read (its open file), when `blocks` will not be called. */
  release(): Promise<void>;
}

/**
 * The first step of cachedBlocks: hash the file and open its entry, if there is one (a few file
 * system round trips, nothing decoded, one open file held on a hit). A caller that reads many files
 * looks a few files ahead of the one it reads (pipeline/spectra.ts), so the round trips overlap.
 */
export async function lookupCache(filePath: string, params: object, opts: CacheOptions = {}): Promise<CacheLookup> {
  const stats = opts.stats;
  const maxBytes = opts.maxBytes ?? cacheMaxBytes();
  const nothing = async () => undefined;
  if (opts.enabled === false || !HOST_IS_LE || maxBytes <= 0) {
    await requireReadable(filePath);
    return { blocks: (open) => open(filePath), release: nothing };
  }
  const dir = opts.dir ?? defaultCacheDir();
  const entry = cacheEntryPath(dir, cacheKeyOfContent(await contentHash(filePath), params));

  const cached = await openEntry(entry);
  if (cached === 'corrupt' && stats) stats.corrupt++;
  if (cached && cached !== 'corrupt') {
    if (stats) stats.hits++;
    // The entry's mtime is its last use: the size cap evicts the least recently used first.
    const now = new Date();
    await utimes(entry, now, now).catch(() => undefined);
    return { blocks: async () => cached, release: () => cached.close() };
  }
  if (stats) stats.misses++;
  return {
    blocks: async (open) => {
      const blocks = await open(filePath);
      if (entryBytes(blocks.rows, blocks.cols) > MAX_ENTRY_SHARE * maxBytes) return blocks;
      return writingEntry(blocks, entry, dir, maxBytes, stats);
    },
    release: nothing,
  };
}

/**
 * The matrix `compute` gives for the file `filePath`, through the cache (cachedBlocks), whole: for
 * values that are small or needed whole anyway.
 */
export async function cachedCompute(
  filePath: string,
  params: object,
  compute: (filePath: string) => Promise<Matrix> | Matrix,
  opts: CacheOptions = {},
): Promise<Matrix> {
  return collectRows(await cachedBlocks(filePath, params, async (f) => blocksOfMatrix(checkResult(await compute(f), f)), opts));
}

/** `blocks` passed through unchanged, each block also appended to a new cache entry at `entry`. */
function writingEntry(blocks: RowBlocks, entry: string, dir: string, maxBytes: number, stats: CacheStats | undefined): RowBlocks {
  const failed = (err: unknown) => {
    // A read-only or full disk must not stop the run: the values are still good, only not kept.
    if (stats) stats.writeErrors++;
    if (!warnedWrite) {
      warnedWrite = true;
      console.warn(`sfl: cannot write the spectra cache in ${dir} (${(err as Error).message}); going on without it`);
    }
  };
  return {
    rows: blocks.rows,
    cols: blocks.cols,
    async *[Symbol.asyncIterator]() {
      let writer: MatrixFileWriter | null = null;
      try {
        writer = new MatrixFileWriter(entry, blocks.cols);
      } catch (err) {
        failed(err);
      }
      let complete = false;
      try {
        for await (const b of blocks) {
          try {
            writer?.append(b);
          } catch (err) {
            writer?.abort();
            writer = null;
            failed(err);
          }
          yield b;
        }
        complete = true;
      } finally {
        if (writer && complete && writer.rows === blocks.rows) {
          try {
            keepUnderCap(dir, writer.close(), maxBytes);
          } catch (err) {
            failed(err);
          }
        } else {
          writer?.abort();
        }
      }
    },
  };
}

function entryBytes(rows: number, cols: number): number {
  return HEADER_END + 4 * rows * cols;
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

/** Room for the JSON header: written before the rows are known, so of a fixed length. */
const HEADER_ROOM = 120;
/** Where the float32 values start (4-byte aligned). */
const HEADER_END = 8 + HEADER_ROOM;

function entryHeader(rows: number, cols: number): Uint8Array {
  const json = JSON.stringify({ format: CACHE_FORMAT_VERSION, rows, cols, dtype: '<f4' }).padEnd(HEADER_ROOM, ' ');
  const out = new Uint8Array(HEADER_END);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(4, HEADER_ROOM, true);
  out.set(Buffer.from(json, 'latin1'), 8);
  return out;
}

/**
 * A file in the entry layout written a block of rows at a time (cache entries, and the spill file
 * of a recording whose length is not known before it is decoded, pipeline/spectra.ts): rows go
 * straight to disk, the header with the final row count is written last. Everything goes to
 * `<path>.<pid>.<random>.tmp`, renamed over `path` by close(); abort() removes it.
 */
export class MatrixFileWriter {
  private fd: number | null;
  private written = 0;
  private readonly tmp: string;

  /** @throws SflError (explainFsError) naming `path` when the file cannot be created. */
  constructor(readonly path: string, readonly cols: number) {
    this.tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      makeDirs(dirname(path));
      this.fd = openSync(this.tmp, 'w');
      this.write(entryHeader(0, cols), 0);
    } catch (e) {
      this.fd = null;
      rmSync(this.tmp, { force: true });
      throw explainFsError(e, path);
    }
  }

  get rows(): number {
    return this.written;
  }

  append(m: Matrix): void {
    if (m.cols !== this.cols) throw new Error(`MatrixFileWriter: ${m.cols} columns, the file has ${this.cols}`);
    this.guard(() => this.write(new Uint8Array(m.data.buffer, m.data.byteOffset, m.rows * m.cols * 4), HEADER_END + this.written * this.cols * 4));
    this.written += m.rows;
  }

  /** Writes the header, moves the file into place; returns its size in bytes. */
  close(): number {
    this.guard(() => {
      this.write(entryHeader(this.written, this.cols), 0);
      closeSync(this.fd!);
      this.fd = null;
      renameSync(this.tmp, this.path);
    });
    return entryBytes(this.written, this.cols);
  }

  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }

  private write(bytes: Uint8Array, position: number): void {
    if (this.fd === null) throw new Error('MatrixFileWriter: already closed');
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, position + done);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.abort();
      throw explainFsError(e, this.path);
    }
  }
}

/** An entry's blocks, read from a file held open until they have been read or close() is called. */
export interface EntryBlocks extends RowBlocks {
  /** Closes the file of blocks that will not be read. */
  close(): Promise<void>;
}

/**
 * Entries up to this size are read whole when opened: header and values in one read, and the file
 * closed at once, so a look-up made ahead of its use holds no open file and the use itself waits on
 * no read (FSDD's entries are about 7 KB). Larger entries are read a block at a time as they are
 * iterated.
 */
const READ_WHOLE_BYTES = 1 << 20;

/**
 * The file at `path` (entry layout) as blocks of rows (read as they are iterated, or at once for a
 * small file); null if there is no such file, 'corrupt' if it fails a check (magic, header, format,
 * size). With `unlink`, the file is removed once open (its blocks stay readable through the open
 * handle): a spill file.
 */
export async function openEntry(path: string, unlink = false): Promise<EntryBlocks | null | 'corrupt'> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  let shape: EntryShape | null = null;
  let whole: Uint8Array | null = null;
  try {
    const size = (await fh.stat()).size;
    if (size <= READ_WHOLE_BYTES) {
      whole = await readWhole(fh, size);
      shape = whole && shapeOfBytes(whole, size);
    } else {
      shape = await readEntryShape(fh, size);
    }
  } finally {
    if (!shape || whole) await fh.close();
  }
  if (!shape) return 'corrupt';
  if (unlink) await rm(path, { force: true });
  const { rows, cols, start } = shape;
  if (whole) {
    const n = rows * cols;
    // A view when the values are float32-aligned in the file (always, as written here), else a copy.
    const data = start % 4 === 0 ? new Float32Array(whole.buffer, whole.byteOffset + start, n) : new Float32Array(whole.slice(start, start + 4 * n).buffer);
    return { ...blocksOfMatrix({ data, rows, cols }), close: async () => undefined };
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return {
    rows,
    cols,
    close,
    async *[Symbol.asyncIterator]() {
      try {
        for (let r = 0; r < rows; r += BLOCK_ROWS) {
          const n = Math.min(BLOCK_ROWS, rows - r);
          // A fresh buffer per block: float32-aligned, and the consumer may keep it.
          const data = new Float32Array(n * cols);
          const bytes = new Uint8Array(data.buffer);
          let got = 0;
          while (got < bytes.length) {
            const { bytesRead } = await fh.read(bytes, got, bytes.length - got, start + r * cols * 4 + got);
            if (bytesRead === 0) throw new SflError(`the file ended early (another process removed or cut it?)`, path);
            got += bytesRead;
          }
          yield { data, rows: n, cols };
        }
      } finally {
        await close();
      }
    },
  };
}

interface EntryShape {
  rows: number;
  cols: number;
  /** Byte offset of the values. */
  start: number;
}

/** The file's `size` bytes, or null when fewer could be read (it was cut meanwhile). */
async function readWhole(fh: FileHandle, size: number): Promise<Uint8Array | null> {
  const bytes = new Uint8Array(size);
  let got = 0;
  while (got < size) {
    const { bytesRead } = await fh.read(bytes, got, size - got, got);
    if (bytesRead === 0) return null;
    got += bytesRead;
  }
  return bytes;
}

/** The shape and data offset of an entry read whole, or null when it fails a check. */
function shapeOfBytes(bytes: Uint8Array, size: number): EntryShape | null {
  const headerLength = headerLengthOf(bytes, size);
  return headerLength === null ? null : shapeOfHeader(bytes.subarray(8, 8 + headerLength), size);
}

/** The shape and data offset of an entry, or null when the file fails a check. */
async function readEntryShape(fh: FileHandle, size: number): Promise<EntryShape | null> {
  const head = Buffer.alloc(8);
  if (size < 8 || (await fh.read(head, 0, 8, 0)).bytesRead < 8) return null;
  const headerLength = headerLengthOf(head, size);
  if (headerLength === null) return null;
  const json = Buffer.alloc(headerLength);
  await fh.read(json, 0, headerLength, 8);
  return shapeOfHeader(json, size);
}

/** The JSON header's length from an entry's first 8 bytes, or null when they fail a check. */
function headerLengthOf(head: Uint8Array, size: number): number | null {
  if (size < 8 || head.length < 8 || Buffer.from(head.buffer, head.byteOffset, 4).toString('latin1') !== MAGIC) return null;
  const headerLength = new DataView(head.buffer, head.byteOffset, 8).getUint32(4, true);
  if (8 + headerLength > size || headerLength > 4096) return null;
  return headerLength;
}

/** The shape from the JSON header `json` of an entry of `size` bytes, or null when it fails a check. */
function shapeOfHeader(json: Uint8Array, size: number): EntryShape | null {
  let header: { format?: unknown; rows?: unknown; cols?: unknown; dtype?: unknown };
  try {
    header = JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.length).toString('latin1'));
  } catch {
    return null;
  }
  const { format, rows, cols, dtype } = header;
  if (format !== CACHE_FORMAT_VERSION || dtype !== '<f4') return null;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || (rows as number) < 0 || (cols as number) < 0) return null;
  if (size !== 8 + json.length + 4 * (rows as number) * (cols as number)) return null;
  return { rows: rows as number, cols: cols as number, start: 8 + json.length };
}
