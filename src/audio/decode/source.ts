import { open } from 'node:fs/promises';
import { SflError } from '../../util/errors.ts';

/**
 * Random access to the bytes of one audio file, from disk or from memory, so the decoders read a
 * file of any length in pieces (bounded memory) and the probe reads only its head and tail.
 */
export interface ByteSource {
  /** The file's name in messages (its path for a file on disk). */
  readonly name: string;
  /** Total length in bytes. */
  readonly size: number;
  /** Bytes [offset, offset + length) clipped to the end; a view of memory or a new buffer. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the file handle, if any. Idempotent. */
  close(): Promise<void>;
}

/** A source over bytes already in memory (no copy). */
export function bytesSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    close: async () => {},
  };
}

/**
 * A source over a file on disk, read on demand.
 * @throws SflError naming the file when it cannot be opened.
 */
export async function fileSource(path: string): Promise<ByteSource> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new SflError(cannotRead(e), path);
  }
  const size = (await fh.stat()).size;
  let closed = false;
  return {
    name: path,
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      let done = 0;
      try {
        while (done < n) {
          const { bytesRead } = await fh.read(buf, done, n - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
      } catch (e) {
        throw new SflError(cannotRead(e), path);
      }
      if (done < n) throw new SflError(`the file shrank while it was read (${offset + done} of ${size} bytes)`, path);
      return buf;
    },
    async close() {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}

function cannotRead(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return `cannot read file${code ? ` (${code})` : ''}`;
}

/** The source's bytes from `offset` on, in chunks of `chunk` bytes. */
export async function* chunks(src: ByteSource, offset = 0, chunk = 1 << 16): AsyncGenerator<Uint8Array> {
  for (let at = offset; at < src.size; at += chunk) yield await src.read(at, chunk);
}
