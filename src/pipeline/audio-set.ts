/**
 * The one loader of a folder of audio, used by every command that reads one: scan (recursive,
 * hidden files ignored), labels (only when the command needs them), spectra (one rate, cached),
 * the train/test split (only when a classifier is trained), and the account of every file:
 * a few lines saying which labels, which rate and which split were chosen, then one summary line
 * with the files used and the files skipped by reason, the first few named.
 *
 * Each file is decoded once here (to check it can be used, measure its length and fill the spectra
 * cache); a command that needs a recording's spectrogram asks for it again (`spectrum`, `spectra`).
 * The set keeps the spectrograms it read in memory up to a byte budget (KEPT_SPECTRA_BYTES), so a
 * small corpus is read once however many passes a command makes over it; a recording beyond the
 * budget comes from the cache again, or is decoded again when the cache is off or has evicted it.
 * Memory is then at most the budget plus what the command keeps of each recording, never a large
 * corpus.
 */
import { relative } from 'node:path';
import type { Matrix } from '../compute/matrix.ts';
import type { SpectrumParams } from '../audio/spectrogram.ts';
import { scanAudioFiles, type SkippedFile } from '../data/audio-files.ts';
import { labelFiles, labelNames, type LabelSource, type Recording } from '../data/labeled-set.ts';
import { planSplits, type Split, type SplitSpec } from '../data/splits.ts';
import { cachedBlocks, type CacheStats } from '../data/spectra-cache.ts';
import { blocksOfMatrix, collectRows, type RowBlocks } from '../data/row-blocks.ts';
import type { SpectrumList } from '../features/spectrum-list.ts';
import { SflError } from '../util/errors.ts';
import type { Config } from './config.ts';
import { progress } from '../util/progress.ts';
import { loadSpectra, openSpectrogram, type Framing, type SpectrogramBlocks, type SpectrumSettings } from './spectra.ts';
import { splitRecord, type InputsRecord } from './run-records.ts';

export interface AudioSetOptions {
  /** A folder (scanned recursively) or a single audio file. */
  dir: string;
  /**
   * Labels wanted: null for the unsupervised commands (then file names are still read for the
   * speaker and recording index when they fit `pattern`); else where they come from.
   */
  labels: LabelSource | null;
  /** File-name pattern for labels from names (and for speaker/index). Default FSDD's. */
  pattern?: string;
  spectrum: SpectrumSettings;
  /** The split, when a classifier is trained; null: no split. */
  split?: SplitSpec | null;
  /** Use the spectra cache (default true). */
  cache?: boolean;
  /** Where the lines for the user go (default stderr). */
  log?: (line: string) => void;
  /**
   * Do not log the summary line when all went well: the caller prints `summary` as its last line
   * (a short command whose result line would otherwise come after it). Logged anyway on failure.
   */
  deferSummary?: boolean;
  /**
   * Each recording's whole spectrogram as it is first computed, before it is dropped: one pass,
   * memory one recording's (onSpectrogramBlocks: one block's).
   */
  onSpectrum?: (recording: Recording, spectrum: Matrix) => void;
  /**
   * Streaming a block at a time: each recording's spectrogram goes to `onSpectrogramBlocks` as
   * blocks of frames with the frame count known first (see SpectrogramBlocks in spectra.ts), so
   * memory is a block, whatever the length of a recording. When the blocks throw, discard what
   * was taken from this recording and let the error through: the file is then skipped.
   */
  onSpectrogramBlocks?: (recording: Recording, spectrum: SpectrogramBlocks) => Promise<void>;
  /** Called with the recordings found and labelled, before any is decoded. */
  onScanned?: (recordings: readonly Recording[]) => void;
  /**
   * Bytes of spectrograms the set keeps for later `spectrum` calls (default KEPT_SPECTRA_BYTES;
   * 0: none, each call reads the cache). A set loaded with onSpectrum or onSpectrogramBlocks keeps
   * none: its command took what it needed as they passed.
   */
  keepBytes?: number;
}

/**
 * Spectrograms a set keeps in memory by default. A pass that reads them again from the cache costs
 * about 2 s for FSDD's 2500 recordings (a file opened and read per recording), and the labelled
 * experiments make two such passes (the window draw, the encoding); FSDD's spectrograms take 17 MB.
 * 256 MB holds about 7 hours of 40-band spectra at the default 16 ms hop; a larger corpus keeps
 * what fits and reads the rest again in each pass, so memory stays bounded whatever its size.
 */
export const KEPT_SPECTRA_BYTES = 256 << 20;

/** A named group of skipped files. */
export interface SkipGroup {
  reason: string;
  files: SkippedFile[];
}

export interface AudioSet {
  dir: string;
  /** The recordings whose spectra loaded, sorted (label, speaker, index, path). */
  recordings: Recording[];
  params: SpectrumParams;
  /** The frame and hop asked for and used, in samples and ms (run records keep it). */
  framing: Framing;
  /** Columns of every spectrogram (bands or coefficients). */
  bands: number;
  /** Sorted distinct labels (empty without labels); a label's class id is its index here. */
  classNames: string[];
  /** The splits of `recordings` (one per run), empty when no split was asked for. */
  splits: Split[];
  /** Every file found and not used, with its own reason (for result files). */
  skipped: SkippedFile[];
  /** The same files grouped by kind of reason (for the summary line). */
  skipGroups: SkipGroup[];
  hidden: number;
  /** The lines that were logged: labels, rate, split, then the summary line last. */
  notes: string[];
  summary: string;
  audioSeconds: number;
  cache: CacheStats;
  /** Frames of a recording's spectrogram (measured when the set was loaded). */
  framesOf(r: Recording): number;
  /** A recording's spectrogram: the one kept in memory, else produced now (cache, else decoded again) and not kept. */
  spectrum(r: Recording): Promise<Matrix>;
  /** Recordings of this set as a list whose spectrograms are produced one at a time, on demand. */
  spectra(recs: readonly Recording[]): SpectrumList;
  /** Class ids of recordings (index into classNames). */
  classIds(recs: readonly Recording[]): Int32Array;
}

/** How many skipped files the summary names per reason. */
const NAMED_PER_REASON = 3;
/** How many unusable files get a line of their own with the full reason before the summary. */
const DETAILED = 5;

export async function loadAudioSet(o: AudioSetOptions): Promise<AudioSet> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const found = scanAudioFiles(o.dir);
  const labelled = labelFiles(found, { labelsFrom: o.labels ?? 'none', pattern: o.pattern });
  const notes: string[] = [];
  const say = (line: string) => {
    notes.push(line);
    log(line);
  };
  if (o.labels !== null) {
    say(labelled.note);
    requireTwoClasses(labelNames(labelled.recordings), o.dir);
  }

  o.onScanned?.(labelled.recordings);
  const bar = progress({ stage: 'spectra', total: labelled.recordings.length });
  const recordingOf = new Map(labelled.recordings.map((r) => [r.path, r] as const));
  // Each spectrogram is measured and handed on: block by block (memory one block), or whole when
  // the command asked for it whole (onSpectrum); without a consumer, kept while the budget lasts.
  const frames = new Map<string, number>();
  const kept = new Map<string, Matrix>();
  let keepBytes = o.onSpectrum || o.onSpectrogramBlocks ? 0 : (o.keepBytes ?? KEPT_SPECTRA_BYTES);
  let bands = 0;
  const measure = (path: string, rows: number, cols: number) => {
    frames.set(path, rows);
    bands = cols;
  };
  const consume = o.onSpectrum && ((path: string, m: Matrix) => {
    measure(path, m.rows, m.cols);
    o.onSpectrum!(recordingOf.get(path)!, m);
  });
  const consumeBlocks = consume && !o.onSpectrogramBlocks ? undefined : async (path: string, b: SpectrogramBlocks) => {
    measure(path, b.rows, b.cols);
    if (o.onSpectrogramBlocks) return o.onSpectrogramBlocks(recordingOf.get(path)!, b);
    const bytes = 4 * b.rows * b.cols;
    if (bytes > keepBytes) return;
    // Whole before it is kept: a file found bad part-way throws here and is skipped, never kept.
    kept.set(path, await collectRows(b));
    keepBytes -= bytes;
  };
  let spectra;
  try {
    spectra = await loadSpectra(labelled.recordings.map((r) => r.path), o.spectrum, {
      skipBad: true,
      allowNone: true,
      cache: o.cache ?? true,
      onProgress: (d) => bar.update(d),
      consume,
      consumeBlocks,
    });
  } finally {
    bar.stop();
  }
  say(spectra.rateNote);
  const used = new Set(spectra.paths);
  const recordings = labelled.recordings.filter((r) => used.has(r.path));

  // labelFiles passes the scan's skipped entries through as they are: the rest had no label.
  const scanSkipped = new Set(found.skipped);
  const notAudio = labelled.skipped.filter((s) => scanSkipped.has(s));
  const noLabel = labelled.skipped.filter((s) => !scanSkipped.has(s));
  const skipGroups = groupSkipped(notAudio, noLabel, spectra.skipped);
  const skipped = [...labelled.skipped, ...spectra.skipped];

  const classNames = o.labels === null ? [] : labelNames(recordings);
  const classIndex = new Map(classNames.map((c, i) => [c, i] as const));
  let splits: Split[] = [];
  let splitError: unknown = null;
  if (o.split) {
    try {
      requireTwoClasses(classNames, o.dir, ' that could be read');
      const plan = planSplits(recordings, o.split);
      splits = plan.splits;
      say(plan.note);
    } catch (e) {
      splitError = e;
    }
  }
  for (const s of spectra.skipped.slice(0, DETAILED)) log(`warning: skipped ${s.reason}`);
  for (const w of spectra.warnings.slice(0, DETAILED)) log(`warning: ${w}`);
  const clipped = [...new Set(spectra.warnings.map((w) => spectra.paths.find((p) => w.startsWith(`${p}: `)) ?? w))];
  const summary = summaryLine(o.dir, recordings.length, skipGroups, found.hidden, clipped);
  notes.push(summary);
  const failed = recordings.length === 0 || splitError !== null;
  if (!o.deferSummary || failed) log(summary);
  // After the summary, so the user sees what was (not) read before the complaint.
  if (recordings.length === 0) {
    throw new SflError(`none of the ${labelled.recordings.length} audio file(s) could be used; first problem: ${spectra.skipped[0]?.reason}`, o.dir);
  }
  if (splitError) throw splitError;

  const params = spectra.params;
  const cache = o.cache ?? true;
  const framesOf = (r: Recording) => {
    const n = frames.get(r.path);
    if (n === undefined) throw new Error(`not a recording of this set: ${r.path}`);
    return n;
  };
  const unchanged = (r: Recording, m: { rows: number; cols: number }) => {
    if (m.rows !== framesOf(r) || m.cols !== bands) {
      throw new SflError(`its spectrogram has ${m.rows} x ${m.cols} values now and had ${framesOf(r)} x ${bands} when the folder was read: was it changed during the run?`, r.path);
    }
  };
  // The loader's own read path: blocks from the cache, else decoded again (the decoder's warnings were told when the folder was read).
  const blocks = async (r: Recording): Promise<RowBlocks> => {
    const held = kept.get(r.path);
    if (held) return blocksOfMatrix(held);
    const b = await cachedBlocks(r.path, params, () => openSpectrogram(r.path, params), { enabled: cache });
    unchanged(r, b);
    return b;
  };
  const spectrum = async (r: Recording) => {
    const held = kept.get(r.path);
    if (held) return held;
    const m = await collectRows(await blocks(r));
    unchanged(r, m);
    return m;
  };
  return {
    dir: o.dir,
    recordings,
    params,
    framing: spectra.framing,
    bands,
    classNames,
    splits,
    skipped,
    skipGroups,
    hidden: found.hidden,
    notes,
    summary,
    audioSeconds: spectra.audioSeconds,
    cache: spectra.cache,
    framesOf,
    spectrum,
    spectra: (recs) => ({ length: recs.length, bands, frames: (i) => framesOf(recs[i]), load: (i) => spectrum(recs[i]), blocks: (i) => blocks(recs[i]), name: (i) => recs[i].path }),
    classIds: (recs) => Int32Array.from(recs, (r) => classIndex.get(r.label) ?? -1),
  };
}

function requireTwoClasses(classNames: string[], dir: string, which = ''): void {
  if (classNames.length >= 2) return;
  throw new SflError(
    `a classifier needs at least 2 classes, and the recordings${which} have ${classNames.length === 0 ? 'none' : `one (${classNames[0]})`}: ` +
      'put each class in its own sub-folder, or give a file-name pattern with {label} (--labels pattern:<pattern>)',
    dir,
  );
}

/** Groups skipped files by the kind of their reason, in the order a user would fix them. */
function groupSkipped(notAudio: SkippedFile[], noLabel: SkippedFile[], unusable: SkippedFile[]): SkipGroup[] {
  const groups = new Map<string, SkippedFile[]>();
  const add = (reason: string, s: SkippedFile) => {
    const g = groups.get(reason);
    if (g) g.push(s);
    else groups.set(reason, [s]);
  };
  for (const s of notAudio) add('not audio', s);
  for (const s of noLabel) add('no label', s);
  for (const s of unusable) add(unusableKind(s.reason), s);
  return [...groups].map(([reason, files]) => ({ reason, files }));
}

function unusableKind(reason: string): string {
  if (/not a recognised audio file/.test(reason)) return 'unknown format';
  if (/sample rate/.test(reason)) return 'bad sample rate';
  if (/non-finite|full scale/.test(reason)) return 'bad sample values';
  if (/silent/.test(reason)) return 'silent';
  if (/too short/.test(reason)) return 'too short';
  if (/cannot read/.test(reason)) return 'unreadable';
  return 'cannot be decoded';
}

/**
 * `DIR: 57 files used; 4 skipped: 2 cannot be decoded (a.wav, b.wav), 1 no label (x.wav), 1 not
 * audio (notes.txt); 3 hidden files ignored`.
 */
export function summaryLine(dir: string, used: number, groups: SkipGroup[], hidden: number, clipped: string[] = [], base: string | null = dir): string {
  const n = groups.reduce((k, g) => k + g.files.length, 0);
  const name = (p: string) => (base === null ? p : relative(base, p) || p);
  const few = (paths: string[]) => {
    const shown = paths.slice(0, NAMED_PER_REASON).map(name);
    return `(${shown.join(', ')}${paths.length > shown.length ? `, +${paths.length - shown.length} more` : ''})`;
  };
  const parts = groups.map((g) => `${g.files.length} ${g.reason} ${few(g.files.map((s) => s.path))}`);
  let line = `${dir}: ${used} file${used === 1 ? '' : 's'} used`;
  if (clipped.length > 0) line += `, ${clipped.length} of them clipped to full scale ${few(clipped)}`;
  line += n === 0 ? ', none skipped' : `; ${n} skipped: ${parts.join(', ')}`;
  if (hidden > 0) line += `; ${hidden} hidden file${hidden === 1 ? '' : 's'} ignored`;
  return line;
}

/** What a run folder records about its inputs (inputs.json; its report reads it). */
export function audioSetRecord(set: AudioSet): InputsRecord {
  return {
    dir: set.dir,
    notes: set.notes,
    used: set.recordings.map((r) => r.path),
    skipped: set.skipped,
    hidden: set.hidden,
    splits: set.splits.map((s) => splitRecord(s.name, s.train, s.test)),
    spectrum: set.framing,
  };
}

/**
 * The loader as the experiments use it: config.data says where and how to label, config.spectrum
 * how to analyse; `classifier` asks for labels and config.split's splits.
 */
export function loadConfiguredAudioSet(
  config: Pick<Config, 'data' | 'spectrum' | 'split' | 'run'>,
  use: 'unsupervised' | 'classifier',
  log?: (line: string) => void,
  stream: Pick<AudioSetOptions, 'onSpectrum' | 'onSpectrogramBlocks' | 'onScanned'> = {},
): Promise<AudioSet> {
  const d = config.data;
  const s = config.split;
  return loadAudioSet({
    dir: d.audioDir,
    labels: use === 'classifier' ? d.labels : null,
    pattern: d.pattern,
    spectrum: config.spectrum,
    split: use === 'classifier' ? { kind: s.kind, testFraction: s.testFraction, testSpeakers: s.testSpeakers, folds: s.folds, seed: s.seed ?? config.run.seed } : null,
    log,
    ...stream,
  });
}

/** The audio files of command-line arguments (files or folders), and what was found beside them. */
export interface AudioTargets {
  targets: string[];
  paths: string[];
  /** Files in the folders that are not audio. */
  notAudio: SkippedFile[];
  hidden: number;
}

/** Scans each argument (a file is taken as it is, a folder recursively; see scanAudioFiles). */
export function scanAudioTargets(targets: string[]): AudioTargets {
  const out: AudioTargets = { targets, paths: [], notAudio: [], hidden: 0 };
  for (const t of targets) {
    const found = scanAudioFiles(t);
    out.paths.push(...found.files);
    out.notAudio.push(...found.skipped);
    out.hidden += found.hidden;
  }
  return out;
}

/**
 * The summary line of a command that read `t` (classify, encode): files used, and skipped by
 * reason (`unusable`: the files that could not be read), the first few named.
 */
export function targetsSummary(t: AudioTargets, used: number, unusable: SkippedFile[], clipped: string[] = []): string {
  const single = t.targets.length === 1 ? t.targets[0] : null;
  const label = single ?? `${t.targets.length} inputs`;
  const base = single !== null && !t.paths.includes(single) ? single : null;
  return summaryLine(label, used, groupSkipped(t.notAudio, [], unusable), t.hidden, clipped, base);
}
