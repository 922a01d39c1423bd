/**
 * Finding the audio files in a folder as users have them: sub-folders at any depth, a mix of
 * formats, and the clutter that operating systems leave beside recordings. Only names are looked
 * at here (no file is opened): decoding problems are found, and reported, when a file is read.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { SflError } from '../util/errors.ts';

import { AUDIO_EXTENSIONS, notReadAdvice } from '../audio/decode.ts';

export { AUDIO_EXTENSIONS };

/** A file that was found but not used, and why (shown to the user, so the reason is plain text). */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface AudioFiles {
  /** The folder (or file) that was scanned. */
  root: string;
  /** Audio files by extension, in natural order of their paths relative to root. */
  files: string[];
  /** Files that are not audio (by extension), named so that nothing goes missing silently. */
  skipped: SkippedFile[];
  /**
   * Hidden files and folders (name starting with '.', which includes macOS `._*` resource forks)
   * that were not looked at: they are system clutter, not recordings, so they are only counted.
   */
  hidden: number;
}

export const NOT_AUDIO = `not an audio file (reads ${AUDIO_EXTENSIONS.join(' ')})`;

/**
 * Extensions of audio formats that sfl does not decode. Such a file is still skipped by its name,
 * but named as audio in another format, with how to convert it: "not an audio file" would be
 * wrong, and a phone's recordings are often .m4a.
 */
const OTHER_AUDIO_EXTENSIONS = ['.m4a', '.m4b', '.mp4', '.aac', '.aif', '.aiff', '.aifc', '.caf', '.wma', '.amr', '.3gp', '.webm', '.mka', '.wv', '.ape', '.ac3', '.alac'];

/** Why a file found in a folder is not used, by its name alone. */
function skipReason(path: string): string {
  const ext = extname(path).toLowerCase();
  return OTHER_AUDIO_EXTENSIONS.includes(ext) ? `audio in ${ext}, ${notReadAdvice(ext)}` : NOT_AUDIO;
}

function isAudioFile(path: string): boolean {
  return (AUDIO_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** A dot file, a `._name` resource fork (also a dot file) or anything inside a dot folder. */
function isHidden(name: string): boolean {
  return basename(name).startsWith('.');
}

/**
 * Every audio file under `target` (recursively; symbolic links to folders are followed), or
 * `target` itself when it is a file (whatever its extension). Throws SflError naming the path when it is missing or
 * unreadable, and when a folder holds no audio file at all (saying what it holds instead).
 */
export function scanAudioFiles(target: string): AudioFiles {
  const st = statSync(target, { throwIfNoEntry: false });
  if (!st) throw new SflError('no such file or folder', target);
  // A file named on purpose is read whatever its extension: the decoder tells formats by content.
  if (st.isFile()) return { root: target, files: [target], skipped: [], hidden: 0 };
  const out: AudioFiles = { root: target, files: [], skipped: [], hidden: 0 };
  walk(target, target, out, new Set());
  const byRelative = (a: string, b: string) => naturalCompare(relative(target, a), relative(target, b));
  out.files.sort(byRelative);
  out.skipped.sort((a, b) => byRelative(a.path, b.path));
  if (out.files.length === 0) {
    if (out.skipped.length === 0) throw new SflError(`the folder holds no audio files (${AUDIO_EXTENSIONS.join(' ')})`, target);
    throw new SflError(
      `no audio files (${AUDIO_EXTENSIONS.join(' ')}) in this folder; ${out.skipped.length} other file(s), e.g. ` +
        out.skipped.slice(0, 3).map((s) => relative(target, s.path)).join(', '),
      target,
    );
  }
  return out;
}

function walk(dir: string, root: string, out: AudioFiles, seen: Set<string>): void {
  // A symbolic link loop would recurse forever: each real folder is entered once.
  const real = statSync(dir, { throwIfNoEntry: false });
  const id = real ? `${real.dev}:${real.ino}` : dir;
  if (seen.has(id)) return;
  seen.add(id);
  for (const e of listDir(dir, root)) {
    const path = join(dir, e.name);
    if (isHidden(e.name)) {
      out.hidden++;
      continue;
    }
    const isDir = e.isDirectory() || (e.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isDirectory());
    if (isDir) walk(path, root, out, seen);
    else if (isAudioFile(path)) out.files.push(path);
    else out.skipped.push({ path, reason: skipReason(path) });
  }
}

/** Directory entries, with fs errors turned into SflErrors that name `root` and the problem. */
function listDir(path: string, root: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = path === root ? '' : ` (in ${relative(root, path)})`;
    if (code === 'ENOENT') throw new SflError(`no such folder${where}`, path);
    if (code === 'ENOTDIR') throw new SflError(`not a folder${where}`, path);
    if (code === 'EACCES' || code === 'EPERM') throw new SflError(`cannot read the folder: permission denied${where}`, path);
    throw new SflError(`cannot read the folder${where}: ${(err as Error).message}`, path);
  }
}

/**
 * Compares strings with digit runs taken as numbers ('2' < '10'), else by UTF-16 code units.
 * Locale-free on purpose, so the order is the same on every machine.
 */
export function naturalCompare(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === y) continue;
    const xd = /^\d/.test(x);
    const yd = /^\d/.test(y);
    if (xd && yd) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length || (a < b ? -1 : a > b ? 1 : 0);
}
