/**
 * The machine's faults as sentences: a full disk, a read-only file system, a permission, a file
 * where a folder should be, a path that cannot be a folder. Each becomes an SflError naming the
 * path and what to do, so the CLI prints one line and exits 1 instead of a stack trace.
 *
 * Also `makeDirs`, the replacement for `mkdir(path, { recursive: true })` on paths a user gives:
 * Node's recursive mkdir loops forever (at 100% CPU) when the file system answers ENOENT for a
 * folder whose parent exists, which is what /proc and similar pseudo file systems do
 * (`--outputs /proc/x`). Here each level is made with a plain mkdir, so that answer is an error.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SflError } from './errors.ts';

/** Error codes that describe the machine (disk, permissions, paths), not a bug in sfl. */
const ENVIRONMENT_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOENT', 'ENAMETOOLONG', 'EMFILE', 'ENFILE', 'EIO']);

/** True for a Node file-system error (it has an errno code) caused by the environment. */
export function isEnvironmentError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && ENVIRONMENT_CODES.has((e as NodeJS.ErrnoException).code!);
}

/**
 * The sentence for file-system error `e` met while working on `path`. `advice` is the other way
 * out besides fixing the machine, e.g. "choose another --outputs folder" (default: "choose another
 * location").
 */
export function environmentError(e: NodeJS.ErrnoException, path = e.path ?? '', advice = 'choose another location'): SflError {
  const p = path || '(unknown path)';
  switch (e.code) {
    case 'ENOSPC':
      return new SflError(`the disk is full (no space left on the device); free some space or ${advice}`, p);
    case 'EDQUOT':
      return new SflError(`your disk quota is used up; free some space or ${advice}`, p);
    case 'EROFS':
      return new SflError(`this is on a read-only file system; remount it writable or ${advice}`, p);
    case 'EACCES':
    case 'EPERM':
      return new SflError(`permission denied; change the permissions or ${advice}`, p);
    case 'ENOTDIR':
    case 'EEXIST':
      return new SflError(`${fileInTheWay(p)} is a file, not a folder; move it away or ${advice}`, p);
    case 'EISDIR':
      return new SflError(`this is a folder, where a file is needed; give a file name or ${advice}`, p);
    case 'ENOENT':
      return new SflError(`this file or folder does not exist (or cannot be created here); check the path or ${advice}`, p);
    case 'ENAMETOOLONG':
      return new SflError(`the path is too long for the file system; use a shorter one or ${advice}`, p);
    case 'EMFILE':
    case 'ENFILE':
      return new SflError(`too many open files; raise the limit (ulimit -n) or ${advice}`, p);
    case 'EIO':
      return new SflError(`input/output error from the device; check the disk or ${advice}`, p);
    default:
      return new SflError(`${e.message}; ${advice}`, p);
  }
}

/** `e` as a sentence naming `path` when it is a fault of the environment (environmentError), else `e` as it was. */
export function explainFsError(e: unknown, path: string, advice?: string): unknown {
  return isEnvironmentError(e) ? environmentError(e, path, advice) : e;
}

/** A file that cannot be read, as the sentence naming it: "file not found", else "cannot read: <why>". */
export function cannotRead(err: unknown, path: string): SflError {
  const code = (err as NodeJS.ErrnoException).code;
  return new SflError(code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`, path);
}

/** fs.readFileSync, its failure the cannotRead sentence naming `path`. */
export function readFileOrSay(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw cannotRead(err, path);
  }
}

/**
 * fs.promises.writeFile, except that its errors always carry the path: Node leaves `path` out of
 * an error from write() itself (ENOSPC), and a sentence about a full disk should say where.
 */
export async function writeFileNamed(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    if (isEnvironmentError(e) && !e.path) e.path = path;
    throw e;
  }
}

/** Which part of `path` is a file where a folder should be, in words. */
function fileInTheWay(path: string): string {
  const p = notAFolder(path);
  return p === null ? 'part of this path' : p === resolve(path) ? 'this' : p;
}

/** The closest existing ancestor of `path` (itself included) that is not a folder, if any. */
function notAFolder(path: string): string | null {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return statSync(p).isDirectory() ? null : p;
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

/**
 * Creates folder `path` and its missing parents (like `mkdir -p`), without Node's recursive
 * mkdir (see the file comment). Errors are sentences naming the path; `advice` as for
 * environmentError.
 */
export function makeDirs(path: string, advice = 'choose a folder elsewhere'): void {
  const full = resolve(path);
  try {
    mkdirLevel(full, advice);
  } catch (e) {
    if (e instanceof SflError) throw e;
    throw explainFsError(e, full, advice);
  }
}

function mkdirLevel(p: string, advice: string): void {
  try {
    mkdirSync(p);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (statSync(p).isDirectory()) return;
      throw e;
    }
    if (code !== 'ENOENT' || dirname(p) === p) throw e;
  }
  // ENOENT: a parent is missing. Make it, then try once more: a second ENOENT means the file
  // system will not have a folder here.
  mkdirLevel(dirname(p), advice);
  try {
    mkdirSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(p).isDirectory()) return;
    if (code === 'ENOENT') throw new SflError(`cannot be created as a folder: the file system there does not allow it; ${advice}`, p);
    throw e;
  }
}
