import { readFileOrSay } from '../util/fs-errors.ts';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SflError } from '../util/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';

/**
 * The idx format of MNIST, unsigned-byte flavour only (the only one MNIST uses):
 * a big-endian int32 magic 0x00000800 + number of dimensions (2051 = 3 dims for images,
 * 2049 = 1 dim for labels), one big-endian int32 size per dimension, then the bytes row-major.
 * Files may be gzip-compressed (detected by the gzip signature, not the name).
 */
export interface IdxArray {
  /** e.g. [60000, 28, 28] for images, [60000] for labels. */
  dims: number[];
  /** prod(dims) bytes, row-major. */
  data: Uint8Array;
}

export const IDX_MAGIC_IMAGES = 2051;
export const IDX_MAGIC_LABELS = 2049;

function magicName(magic: number): string {
  return magic === IDX_MAGIC_IMAGES ? 'idx3 images' : magic === IDX_MAGIC_LABELS ? 'idx1 labels' : 'idx';
}

/** Reads the whole file, gunzipping if it starts with the gzip signature (1f 8b). */
function readMaybeGzip(path: string): Uint8Array {
  const raw = readFileOrSay(path);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (err) {
      throw new SflError(`corrupt gzip data: ${(err as Error).message}`, path);
    }
  }
  return raw;
}

/**
 * Reads an idx file and checks it: the magic must be `expectMagic`, and the data must hold
 * exactly prod(dims) bytes. Every failure is an SflError naming the file.
 */
export function readIdx(path: string, expectMagic: number): IdxArray {
  const bytes = readMaybeGzip(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new SflError(`too short for an idx file (${bytes.length} bytes)`, path);
  const magic = view.getInt32(0, false);
  if (magic !== expectMagic) {
    throw new SflError(
      `bad magic 0x${(magic >>> 0).toString(16).padStart(8, '0')} expected ${expectMagic} (${magicName(expectMagic)})`,
      path,
    );
  }
  const nDims = magic & 0xff;
  const headerBytes = 4 + 4 * nDims;
  if (bytes.length < headerBytes) throw new SflError(`truncated idx header (${bytes.length} bytes)`, path);
  const dims: number[] = [];
  for (let d = 0; d < nDims; d++) {
    const size = view.getInt32(4 + 4 * d, false);
    if (size < 0) throw new SflError(`negative size ${size} in dimension ${d}`, path);
    dims.push(size);
  }
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    throw new SflError(
      `header says ${dims.join(' x ')} = ${expected} bytes of data but the file holds ${actual}` +
        (actual < expected ? ' (truncated?)' : ''),
      path,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Encodes an unsigned-byte idx array (magic 0x0800 + dims.length). */
function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`encodeIdx: ${data.length} bytes for dims ${dims.join('x')}`);
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setInt32(0, 0x0800 + dims.length, false);
  dims.forEach((size, d) => header.setInt32(4 + 4 * d, size, false));
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(data, header.byteLength);
  return out;
}

/** Writes an idx file atomically, gzip-compressed (level 9) unless `gzip` is false. */
export function writeIdx(path: string, dims: readonly number[], data: Uint8Array, gzip = true): void {
  const bytes = encodeIdx(dims, data);
  // Node's gzip header carries no timestamp, so the same data always gives the same file.
  writeFileAtomic(path, gzip ? gzipSync(bytes, { level: 9 }) : bytes);
}
