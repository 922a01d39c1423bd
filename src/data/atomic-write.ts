import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { environmentError, isEnvironmentError, makeDirs, writeFileNamed } from '../util/fs-errors.ts';

/**
 * Writes `chunks` (concatenated) to `path` so that readers only ever see the old file or the
 * whole new one: the bytes go to a temporary file in the same folder (same file system, so the
 * rename is atomic), then it is renamed over `path`. A crash mid-write leaves at most a stray
 * `*.tmp` file, never a half-written `path`. Creates the parent folder if needed. A full disk, a
 * read-only folder and the like are SflErrors naming `path` (the temporary file is removed).
 */
export function writeFileAtomic(path: string, ...chunks: Uint8Array[]): void {
  makeDirs(dirname(path));
  // pid + random suffix: concurrent writers of the same path never share a temp file.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      // Chunks are written one by one rather than concatenated, so a large matrix is not copied.
      for (const chunk of chunks) {
        let done = 0;
        while (done < chunk.byteLength) done += writeSync(fd, chunk, done);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw isEnvironmentError(err) ? environmentError(err, path) : err;
  }
}

/**
 * The same promise asynchronously, for files a user opens (pictures, report.html): the temporary
 * file is hidden (`.<name>.<pid>.<random>.tmp` beside `path`, whose folder must exist), and
 * errors are writeFileNamed's, or rename's, as they come.
 */
export async function replaceFile(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFileNamed(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
