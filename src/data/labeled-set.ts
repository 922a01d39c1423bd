import { basename, extname, relative, sep } from 'node:path';
import { SflError } from '../util/errors.ts';
import { naturalCompare, scanAudioFiles, type AudioFiles, type SkippedFile } from './audio-files.ts';

export { naturalCompare, type SkippedFile };

/**
 * One recording. `label` is '' when the set was read without labels; `speaker` and `index` are
 * known only when the file name carries them.
 */
export interface Recording {
  path: string;
  label: string;
  speaker?: string;
  index?: number;
}

export interface LabeledSet {
  /** Sorted by label, speaker, index, then path (labels and names compared "naturally": 2 < 10). */
  recordings: Recording[];
  /** Files found but not used: not audio, or not fitting the labelling scheme. */
  skipped: SkippedFile[];
  /** Hidden files not looked at (see AudioFiles.hidden). */
  hidden: number;
  /** The scheme that was applied ('auto' resolved). */
  labelsFrom: Exclude<LabelSource, 'auto'>;
  /** One line for the user: where the labels came from. */
  note: string;
}

/**
 * Where labels come from:
 * - 'folders': `dir/<label>/**', the label being the top-level sub-folder's name;
 * - 'pattern': the file name, e.g. FSDD's `{label}_{speaker}_{index}.wav`;
 * - 'none': no labels (unsupervised commands); every audio file is used;
 * - 'auto': 'folders' if any audio file sits in a sub-folder, else 'pattern'.
 */
export type LabelSource = 'auto' | 'folders' | 'pattern' | 'none';

export const LABEL_SOURCES: readonly LabelSource[] = ['auto', 'folders', 'pattern', 'none'];

export interface ScanOptions {
  labelsFrom?: LabelSource;
  /**
   * File-name pattern (without the extension) with the placeholders {label}, {speaker},
   * {index} (digits) and {*} (anything, ignored); all other characters are literal.
   * Default FSDD_PATTERN. In 'folders' and 'none' modes it is used, when it matches, only for
   * speaker and index.
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
 * Scans `dir` recursively for audio files and labels them (see LabelSource). Throws SflError
 * naming `dir` when it is missing, unreadable or holds no audio, and, unless labelsFrom is
 * 'none', when no file gets a label (saying which other scheme to try).
 */
export function scanLabeledSet(dir: string, opts: ScanOptions = {}): LabeledSet {
  return labelFiles(scanAudioFiles(dir), opts);
}

/** Labels the audio files of a scan; files that do not fit the scheme are skipped with the reason. */
export function labelFiles(found: AudioFiles, opts: ScanOptions = {}): LabeledSet {
  const pattern = opts.pattern ?? FSDD_PATTERN;
  const match = compilePattern(pattern);
  const root = found.root;
  const rel = (path: string) => relative(root, path);
  const inSubFolder = (path: string) => rel(path).includes(sep);
  const fieldsOf = (path: string) => match(basename(path, extname(path)));

  let mode = opts.labelsFrom ?? 'auto';
  const auto = mode === 'auto';
  if (mode === 'auto') mode = found.files.some(inSubFolder) ? 'folders' : 'pattern';

  const recordings: Recording[] = [];
  const skipped: SkippedFile[] = [...found.skipped];
  for (const path of found.files) {
    const fields = fieldsOf(path);
    if (mode === 'none') {
      recordings.push(withFields({ path, label: '' }, fields));
    } else if (mode === 'folders') {
      if (!inSubFolder(path)) {
        skipped.push({ path, reason: 'no label: not inside a label sub-folder' });
        continue;
      }
      // The folder gives the label; a matching name may still tell speaker and index.
      recordings.push(withFields({ path, label: rel(path).split(sep)[0] }, fields));
    } else {
      if (!fields || fields.label === undefined) {
        skipped.push({ path, reason: `no label: the name does not match the pattern '${pattern}'` });
        continue;
      }
      recordings.push(withFields({ path, label: fields.label }, fields));
    }
  }

  if (recordings.length === 0) {
    if (mode === 'folders') {
      throw new SflError(
        `no labels: every audio file is at the top level, and labels from folder names need dir/<label>/<files> ` +
          `(or take labels from the names: --labels pattern:<pattern>; or none)`,
        root,
      );
    }
    throw new SflError(
      `no labels: none of the ${found.files.length} audio file(s) matches the pattern '${pattern}' ` +
        `(e.g. ${basename(found.files[0])}); put the files in one sub-folder per label, or give a pattern ` +
        `that fits the names (--labels pattern:<pattern>, with {label}, {speaker}, {index}, {*})`,
      root,
    );
  }

  recordings.sort(compareRecordings);
  skipped.sort((a, b) => naturalCompare(rel(a.path), rel(b.path)));
  const classes = mode === 'none' ? 0 : new Set(recordings.map((r) => r.label)).size;
  const how = auto ? ' (chosen automatically; --labels folders|pattern:<pattern>|none to change)' : '';
  const note =
    mode === 'none'
      ? 'labels: none (not needed)'
      : mode === 'folders'
        ? `labels: from sub-folder names, ${classes} class${classes === 1 ? '' : 'es'}${how}`
        : `labels: from file names matching '${pattern}', ${classes} class${classes === 1 ? '' : 'es'}${how}`;
  return { recordings, skipped, hidden: found.hidden, labelsFrom: mode, note };
}

function withFields(rec: Recording, fields: NameFields | null): Recording {
  if (fields?.speaker !== undefined) rec.speaker = fields.speaker;
  if (fields?.index !== undefined) rec.index = fields.index;
  return rec;
}

/** Order: label, speaker (absent first), index (absent first), path. */
function compareRecordings(a: Recording, b: Recording): number {
  return (
    naturalCompare(a.label, b.label) ||
    naturalCompare(a.speaker ?? '', b.speaker ?? '') ||
    (a.index ?? -1) - (b.index ?? -1) ||
    naturalCompare(a.path, b.path)
  );
}

/** The distinct labels of `recs`, naturally sorted; a label's class id is its position here. */
export function labelNames(recs: readonly Recording[]): string[] {
  return [...new Set(recs.map((r) => r.label))].sort(naturalCompare);
}

/** The distinct speakers of `recs`, naturally sorted (recordings without a speaker are ignored). */
export function speakerNames(recs: readonly Recording[]): string[] {
  return [...new Set(recs.flatMap((r) => (r.speaker === undefined ? [] : [r.speaker])))].sort(naturalCompare);
}
