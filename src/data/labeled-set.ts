import { readdirSync, statSync, type Dirent } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { SflError } from '../util/errors.ts';
import { AUDIO_EXTENSIONS } from '../audio/decode.ts';

/** One labeled recording. `speaker` and `index` are known only when the file name carries them. */
export interface Recording {
  path: string;
  label: string;
  speaker?: string;
  index?: number;
}

/** A file that was found but not used, and why (shown to the user, so the reason is plain text). */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface LabeledSet {
  /** Sorted by label, speaker, index, then path (labels and names compared "naturally": 2 < 10). */
  recordings: Recording[];
  skipped: SkippedFile[];
}

/**
 * Where labels come from:
 * - 'folders': `dir/<label>/**.wav`, the label being the top-level sub-folder's name;
 * - 'pattern': the file name, e.g. FSDD's `{label}_{speaker}_{index}.wav`;
 * - 'auto': 'folders' if any sub-folder holds a .wav file, else 'pattern'.
 */
export type LabelSource = 'auto' | 'folders' | 'pattern';

export interface ScanOptions {
  labelsFrom?: LabelSource;
  /**
   * File-name pattern (without the .wav extension) with the placeholders {label}, {speaker},
   * {index} (digits) and {*} (anything, ignored); all other characters are literal.
   * Default FSDD_PATTERN. In 'folders' mode it is used, when it matches, only for speaker and index.
   */
  pattern?: string;
}

/** The Free Spoken Digit Dataset's naming, e.g. `7_jackson_32.wav`. */
export const FSDD_PATTERN = '{label}_{speaker}_{index}';

export interface NameFields {
  label?: string;
  speaker?: string;
  index?: number;
}

/**
 * Turns a pattern such as '{label}_{speaker}_{index}' into a matcher of base names (no extension).
 * Text placeholders match lazily, so with '_' as separator the first field takes the shortest
 * run. Throws SflError for an unknown or repeated placeholder.
 */
export function compilePattern(pattern: string): (name: string) => NameFields | null {
  const fields: string[] = [];
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(/\{([^{}]*)\}/g)) {
    source += escapeRegex(pattern.slice(last, m.index));
    const field = m[1];
    if (field === '*') {
      source += '.*?';
    } else if (field === 'label' || field === 'speaker' || field === 'index') {
      if (fields.includes(field)) throw new SflError(`pattern '${pattern}' names {${field}} twice`);
      fields.push(field);
      source += field === 'index' ? '(\\d+)' : '(.+?)';
    } else {
      throw new SflError(`pattern '${pattern}': unknown placeholder {${field}} (use {label}, {speaker}, {index} or {*})`);
    }
    last = m.index + m[0].length;
  }
  source += escapeRegex(pattern.slice(last));
  const re = new RegExp(`^${source}$`);
  return (name) => {
    const m = re.exec(name);
    if (!m) return null;
    const out: NameFields = {};
    fields.forEach((field, i) => {
      const value = m[i + 1];
      if (field === 'index') out.index = Number(value);
      else if (field === 'label') out.label = value;
      else out.speaker = value;
    });
    return out;
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Scans `dir` for labeled .wav recordings (synchronously: a listing of a few thousand names is
 * quick, and callers get plain values). Throws SflError naming `dir` when it is missing,
 * unreadable, not a folder, empty, or yields no labeled recording.
 */
export function scanLabeledSet(dir: string, opts: ScanOptions = {}): LabeledSet {
  const pattern = opts.pattern ?? FSDD_PATTERN;
  const match = compilePattern(pattern);
  const entries = listDir(dir, dir);
  if (entries.length === 0) throw new SflError('the folder is empty: expected .wav files or label sub-folders', dir);

  const labelDirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const wavsByLabelDir = new Map<string, string[]>();
  for (const name of labelDirs) {
    wavsByLabelDir.set(name, walk(join(dir, name), dir));
  }
  const folderWavCount = [...wavsByLabelDir.values()].reduce((n, files) => n + files.filter(isWav).length, 0);

  let mode = opts.labelsFrom ?? 'auto';
  if (mode === 'auto') mode = folderWavCount > 0 ? 'folders' : 'pattern';

  const recordings: Recording[] = [];
  const skipped: SkippedFile[] = [];
  const topFiles = entries.filter((e) => !e.isDirectory()).map((e) => join(dir, e.name));

  if (mode === 'folders') {
    for (const path of topFiles) {
      skipped.push({ path, reason: isWav(path) ? 'not inside a label sub-folder' : 'not a .wav file' });
    }
    for (const [label, files] of wavsByLabelDir) {
      for (const path of files) {
        if (!isWav(path)) {
          skipped.push({ path, reason: 'not a .wav file' });
          continue;
        }
        // The folder gives the label; a matching name may still tell speaker and index.
        const fields = match(basename(path, extname(path)));
        recordings.push(withFields({ path, label }, fields));
      }
    }
  } else {
    // Files in sub-folders are not looked at in pattern mode; only the top level is scanned.
    for (const path of topFiles) {
      if (!isWav(path)) {
        skipped.push({ path, reason: 'not a .wav file' });
        continue;
      }
      const fields = match(basename(path, extname(path)));
      if (!fields || fields.label === undefined) {
        skipped.push({ path, reason: `name does not match the pattern '${pattern}.wav'` });
        continue;
      }
      recordings.push(withFields({ path, label: fields.label }, fields));
    }
  }

  if (recordings.length === 0) {
    const topWavCount = topFiles.filter(isWav).length;
    if (topWavCount + folderWavCount === 0) {
      throw new SflError(`no .wav files found (${skipped.length} other file(s) skipped)`, dir);
    }
    if (mode === 'folders') {
      throw new SflError('no labels: no sub-folder holds .wav files (labels from folder names need dir/<label>/*.wav)', dir);
    }
    if (topWavCount === 0) {
      throw new SflError('no .wav files at the top level (labels from file names do not look into sub-folders)', dir);
    }
    throw new SflError(
      `no labels: none of the ${topWavCount} .wav file(s) matches the pattern '${pattern}.wav' ` +
        `and there are no label sub-folders (dir/<label>/*.wav)`,
      dir,
    );
  }

  recordings.sort(compareRecordings);
  skipped.sort((a, b) => naturalCompare(a.path, b.path));
  return { recordings, skipped };
}

function withFields(rec: Recording, fields: NameFields | null): Recording {
  if (fields?.speaker !== undefined) rec.speaker = fields.speaker;
  if (fields?.index !== undefined) rec.index = fields.index;
  return rec;
}

function isWav(path: string): boolean {
  // Any format the decoder reads (the name is kept to keep this change small).
  return (AUDIO_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
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

/** All files under `dir`, recursively (symlinks followed once via stat). */
function walk(dir: string, root: string): string[] {
  const out: string[] = [];
  for (const e of listDir(dir, root)) {
    const path = join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isDirectory());
    if (isDir) out.push(...walk(path, root));
    else out.push(path);
  }
  return out;
}

/** Order: label, speaker (absent first), index (absent first), path. */
export function compareRecordings(a: Recording, b: Recording): number {
  return (
    naturalCompare(a.label, b.label) ||
    naturalCompare(a.speaker ?? '', b.speaker ?? '') ||
    (a.index ?? -1) - (b.index ?? -1) ||
    naturalCompare(a.path, b.path)
  );
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

/** The distinct labels of `recs`, naturally sorted; a label's class id is its position here. */
export function labelNames(recs: readonly Recording[]): string[] {
  return [...new Set(recs.map((r) => r.label))].sort(naturalCompare);
}

/** The distinct speakers of `recs`, naturally sorted (recordings without a speaker are ignored). */
export function speakerNames(recs: readonly Recording[]): string[] {
  return [...new Set(recs.flatMap((r) => (r.speaker === undefined ? [] : [r.speaker])))].sort(naturalCompare);
}
