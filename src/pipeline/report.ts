/**
 * report.html for a run folder: gathers run.json, metrics.json, every PNG the experiment wrote
 * and, for sparse autoencoders on audio, the filter picture's caption recomputed from the model,
 * and renders them with src/viz/report.ts. Works on a staging folder (experiments call
 * writeReport(run.stagingPath) just before commit, so the report is part of the atomic run) and
 * on a finished run (`sfl report <run>` rebuilds it).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { replaceFile } from '../data/atomic-write.ts';
import { basename, extname, join, relative, resolve } from 'node:path';
import type { Matrix } from '../compute/matrix.ts';
import type { SpectrumParams } from '../audio/spectrogram.ts';
import { columnFrequencies } from '../audio/axis.ts';
import { spectrogramImage } from '../viz/heatmap.ts';
import { encodePng } from '../viz/png.ts';
import { timelineImage } from '../viz/timeline.ts';
import { renderReport, type MistakeRow, type ReportContent, type ReportFigure } from '../viz/report.ts';
import { humanMetricName, humanMetricValue } from './metric-names.ts';
import { dataSummary, readInputs, readPredictions, type DataSummary, type PredictionsRecord } from './run-records.ts';
import { spectrogramOfAudio } from './spectra.ts';
import type { InputDescription } from '../features/input-description.ts';
import { MODEL_FILE } from '../models/model-io.ts';
import { readRun, formatValue, formatAccuracy, runHeadline, type RunRecord } from './run-summary.ts';
import { evaluate, flatMetrics, type RunMetrics } from './run-metrics.ts';
import { loadSaeModel } from '../models/sae/saved-model.ts';
import { filterPicture } from '../models/sae/filter-picture.ts';

export const REPORT_FILE = 'report.html';

/** Builds report.html inside `runDir` (atomically) and returns its path. */
export async function writeReport(runDir: string): Promise<string> {
  const html = renderReport(await reportContent(runDir));
  const path = join(runDir, REPORT_FILE);
  await replaceFile(path, html);
  return path;
}

/**
 * Everything the page shows. A figure that cannot be read or drawn is listed under `problems`
 * rather than thrown: the report is written at the end of a run, and a damaged picture must not
 * cost the run itself.
 */
async function reportContent(runDir: string): Promise<ReportContent> {
  const run = readRun(runDir);
  const problems: string[] = [];
  const models = findFiles(runDir, (n) => n === MODEL_FILE).map((p) => ({ dir: join(p, '..'), json: readModelJson(p) }));
  const input = models.map((m) => m.json.input).find((i) => i !== undefined);
  const figures: ReportFigure[] = [];
  // An audio autoencoder's filters.png is a filter atlas: its caption (which view was drawn and why,
  // the scale, the order) is recomputed from the model, the picture itself is the one the run drew.
  const filterCaption = await audioFilterCaption(models, problems, runDir);
  for (const p of findFiles(runDir, (n) => n.endsWith('.png')).sort((a, b) => figureRank(a) - figureRank(b) || a.localeCompare(b))) {
    try {
      figures.push(pngFigure(p, relative(runDir, p), input, filterCaption));
    } catch (e) {
      problems.push(`${relative(runDir, p)}: ${(e as Error).message}`);
    }
  }
  const records = readRecords(runDir, problems);
  const spectrum = models.map((m) => m.json.input).find((i) => i?.kind === 'spectro-temporal') as SpectroInput | undefined;
  const mistakes = records.predictions ? await mistakesSection(records.predictions, records.data, spectrum?.spectrum, problems) : undefined;
  figures.push(...timelineFigures(records.predictions, problems));
  const config = (run.info.config ?? {}) as { description?: string };
  return {
    title: `sfl run ${run.info.name}`,
    description: config.description ? config.description + changedNote(run.info.argv) : undefined,
    command: `sfl ${run.info.argv.map(shellQuote).join(' ')}`,
    config: run.info.config,
    facts: facts(run),
    metrics: metricRows(run.metrics),
    classes: classSection(run.metrics, records.predictions),
    mistakes,
    data: records.data ?? undefined,
    figures,
    problems,
  };
}

// Flags that name or place a run, or quieten it, without changing what it computes.
const NOT_SETTINGS = new Set(['--name', '--outputs', '--overwrite', '--quiet']);
const TAKES_VALUE = new Set(['--name', '--outputs']);

/**
 * A config file's description is written for the file's own settings; when the command line
 * changed some (sfl run x.json --set ..., or flags), the description may no longer be true of the
 * run (another folder, fewer epochs), so the page says so and lists the changes.
 */
export function changedNote(argv: readonly string[]): string {
  const changes: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (NOT_SETTINGS.has(a.split('=')[0])) {
      if (TAKES_VALUE.has(a) && !a.includes('=')) i++;
      continue;
    }
    if (a !== '--set') changes.push(a);
  }
  if (argv[0] === 'run') changes.shift(); // the config file itself
  if (changes.length === 0) return '';
  return ` (Written for the config's own settings; this run changed: ${changes.join(' ')}.)`;
}

function facts(run: RunRecord): [string, string][] {
  const i = run.info;
  const h = runHeadline(run);
  const rows: [string, string][] = [
    ['run', i.name],
    ['experiment', h.experiment],
    ['command', i.command],
    ['started', i.startedAt],
    ['finished', i.endedAt ?? '(report written before the run was committed)'],
  ];
  if (h.seconds !== null) rows.push(['wall time', `${h.seconds.toFixed(1)} s`]);
  rows.push(
    ['seed', String(i.seed)],
    ['backend', i.backend],
    ['versions', `sfl ${i.versions.sfl}, tfjs ${i.versions.tfjs}, node ${i.versions.node}`],
  );
  return rows;
}

// Headline numbers first, in this order; everything else scalar after them as written.
const FIRST = [/accuracy/i, /^finalCost$/i, /cost$/i, /^iterations$/i, /stopReason/i, /^examples$/i, /^hidden$/i, /Seconds$/];

// Shown elsewhere on the page (test: the per-class table) or bookkeeping, not a result.
const NOT_A_METRIC = /^(schema|upgradedFrom|test\.|baseline\.(examples|accuracy)$)/;

function metricRows(metrics: Record<string, unknown>): [string, string, string][] {
  const flat = flatMetrics(metrics).filter(([k]) => !NOT_A_METRIC.test(k));
  const rank = (k: string) => {
    const i = FIRST.findIndex((re) => re.test(k));
    return i < 0 ? FIRST.length : i;
  };
  return flat
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e[0]) - rank(b.e[0]) || a.i - b.i)
    .map(({ e: [k, v] }) => [humanMetricName(k), typeof v === 'number' && /accuracy|error/i.test(k) ? formatAccuracy(v) : humanMetricValue(k, formatValue(v)), k]);
}

type SpectroInput = Extract<InputDescription, { kind: 'spectro-temporal' }>;

function readRecords(runDir: string, problems: string[]): { predictions: PredictionsRecord | null; data: DataSummary | null } {
  const attempt = <T>(read: () => T | null): T | null => {
    try {
      return read();
    } catch (e) {
      problems.push((e as Error).message);
      return null;
    }
  };
  return { predictions: attempt(() => readPredictions(runDir)), data: attempt(() => { const inputs = readInputs(runDir); return inputs && dataSummary(inputs); }) };
}

/**
 * Per-class scores of the run's test evaluation (metrics.json's `test`, the one schema); for a run
 * whose metrics have none, scored from its recorded test predictions.
 */
function classSection(metrics: RunMetrics, p: PredictionsRecord | null): ReportContent['classes'] {
  if (metrics.test && metrics.test.perClass.length) {
    return { source: `the ${metrics.test.examples} test examples${p ? ` (${p.split})` : ''}`, rows: metrics.test.perClass };
  }
  if (!p || p.test.length === 0) return undefined;
  const index = (l: string) => p.classNames.indexOf(l);
  const e = evaluate(p.test.map((t) => index(t.label)), p.test.map((t) => index(t.predicted)), p.classNames);
  return { source: `the ${p.test.length} test recordings (${p.split})`, rows: e.perClass };
}

/** The most confidently wrong first: those are the mistakes worth hearing. */
const MAX_MISTAKES = 40;
const MAX_AUDIO_BYTES = 2_000_000;
const MIME: Record<string, string> = { '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.flac': 'audio/flac', '.ogg': 'audio/ogg', '.opus': 'audio/ogg' };

async function mistakesSection(p: PredictionsRecord, data: DataSummary | null, spectrum: SpectrumParams | undefined, problems: string[]): Promise<ReportContent['mistakes']> {
  const wrong = p.test.filter((t) => t.label !== t.predicted).sort((a, b) => b.confidence - a.confidence || a.path.localeCompare(b.path));
  const folder = data ? resolve(data.folder) : null;
  const rows: MistakeRow[] = [];
  for (const t of wrong.slice(0, MAX_MISTAKES)) {
    const name = folder && !relative(folder, t.path).startsWith('..') ? relative(folder, t.path) : basename(t.path);
    const row: MistakeRow = { name, label: t.label, predicted: t.predicted, confidence: t.confidence, audio: null, spectrogram: null };
    let bytes: Uint8Array | null = null;
    try {
      bytes = readFileSync(t.path);
    } catch (e) {
      row.note = `cannot be read now: ${(e as Error).message}`;
    }
    if (bytes && bytes.length <= MAX_AUDIO_BYTES) row.audio = { bytes, mime: MIME[extname(t.path).toLowerCase()] ?? 'audio/wav' };
    else if (bytes) row.note = `not embedded: ${(bytes.length / 1e6).toFixed(1)} MB`;
    if (bytes && spectrum) {
      try {
        row.spectrogram = smallSpectrogram(await spectrogramOfAudio({ bytes, name: t.path }, spectrum), spectrum);
      } catch (e) {
        problems.push(`no spectrogram of ${name}: ${(e as Error).message}`);
      }
    }
    rows.push(row);
  }
  if (rows.some((r) => r.note?.startsWith('cannot'))) problems.push('some misclassified recordings could not be read (moved or deleted since the run?): their rows have no player');
  return { total: wrong.length, tested: p.test.length, split: p.split, rows };
}

function smallSpectrogram(S: Matrix, params: SpectrumParams) {
  const hz = columnFrequencies(params) ?? Array.from({ length: S.cols }, (_, i) => i);
  const img = spectrogramImage(S, {
    frameRate: params.sampleRate / params.hop,
    bandHz: hz,
    pixelsPerFrame: Math.max(1, Math.min(4, Math.round(240 / S.rows))),
    pixelsPerBand: Math.max(1, Math.round(80 / S.cols)),
    colorbar: false,
  });
  return { png: encodePng(img), width: img.width, height: img.height };
}

/** Long recordings classified segment by segment: one strip each (at most 10). */
function timelineFigures(p: PredictionsRecord | null, problems: string[]): ReportFigure[] {
  if (!p) return [];
  const out: ReportFigure[] = [];
  for (const t of p.test.filter((x) => (x.segments?.length ?? 0) > 1).slice(0, 10)) {
    try {
      const img = timelineImage(t.segments!, { classNames: p.classNames });
      out.push({
        title: `Segment predictions (${basename(t.path)})`,
        caption: `What each stretch of ${basename(t.path)} was classified as (true label ${t.label}, whole recording predicted ${t.predicted}); colour = predicted class, paler = less sure.`,
        png: encodePng(img),
        width: img.width,
        height: img.height,
        alt: `timeline of segment predictions of ${basename(t.path)}`,
      });
    } catch (e) {
      problems.push(`could not draw the segment predictions of ${basename(t.path)}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Files under `dir` whose name passes `want`, depth-first, skipping hidden folders. */
function findFiles(dir: string, want: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, want));
    else if (want(name)) out.push(p);
  }
  return out;
}

interface ModelSummary {
  kind?: string;
  input?: InputDescription;
}

function readModelJson(path: string): ModelSummary {
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology?: { kind?: string }; userDefinedMetadata?: { input?: InputDescription } };
    return { kind: j.modelTopology?.kind, input: j.userDefinedMetadata?.input };
  } catch {
    return {};
  }
}

// Figures are ordered: filter grids, then curves, then the rest.
function figureRank(path: string): number {
  const n = basename(path);
  return [/^filters/, /^cost/, /accuracy/, /^confusion/].findIndex((re) => re.test(n)) >>> 0;
}

/** Width and height from the PNG header (IHDR), without decoding the image. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) throw new Error('not a PNG image');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

async function audioFilterCaption(models: { dir: string; json: ModelSummary }[], problems: string[], runDir: string): Promise<string | undefined> {
  const m = models.find((x) => x.json.kind === 'sparse-autoencoder' && x.json.input?.kind === 'spectro-temporal');
  if (!m) return undefined;
  try {
    return filterPicture(await loadSaeModel(m.dir)).caption;
  } catch (e) {
    problems.push(`could not read the autoencoder in ${relative(runDir, m.dir) || '.'}: ${(e as Error).message}`);
    return undefined;
  }
}

function pngFigure(path: string, name: string, input: InputDescription | undefined, filterCaption?: string): ReportFigure {
  const png = readFileSync(path);
  const { width, height } = pngSize(png);
  const base = basename(path, '.png');
  let title = name;
  let caption = `${name}.`;
  let enlarge = false;
  let alt: string | undefined;
  // A caption the experiment wrote beside its picture says best what the picture is.
  const written = path.replace(/\.png$/, '.caption.txt');
  const own = existsSync(written) ? readFileSync(written, 'utf8').trim() : null;
  if (own && base.startsWith('filters')) {
    title = `Learned filters (${name})`;
    caption = own;
    alt = /time \(ms\)|frequency \(Hz\)|band offset/.test(own) ? `${name}: spectro-temporal patches with time and frequency axes and a colour bar` : title;
  } else if (own) {
    caption = own;
  } else if (base === 'filters' && filterCaption) {
    title = `Learned filters (${name})`;
    caption = filterCaption;
    alt = 'one spectro-temporal patch per hidden unit, each row of tiles with a time (ms) axis across and a frequency (Hz) axis upwards, and a colour bar';
  } else if (base.startsWith('filters')) {
    title = `Learned filters (${name})`;
    caption = `One tile per hidden unit: the weights from the input to that unit, each tile scaled by its own largest |weight| (mid-grey = 0, white positive, black negative). ${describeTile(input)}`;
    enlarge = true;
  } else if (base.startsWith('cost')) {
    title = `Training cost (${name})`;
    caption = 'Training cost (log scale) at each step of the optimiser: an L-BFGS iteration, or for minibatch training (Adam) the mean cost over an epoch; the x axis says which.';
  } else if (/accuracy/.test(base)) {
    title = `Accuracy (${name})`;
    caption = 'Classification accuracy during training.';
  } else if (base.startsWith('confusion')) {
    title = `Confusion matrix (${name})`;
    caption = 'Rows: true class, columns: predicted class; cells shaded by the fraction of their row, with the count written in.';
  } else if (base.startsWith('spectrogram')) {
    title = `Spectrogram (${name})`;
    caption = 'Time to the right, frequency upwards.';
  }
  return { title, caption, png, width, height, enlarge, alt };
}

function describeTile(input: InputDescription | undefined): string {
  if (!input) return '';
  if (input.kind === 'image') return `Each tile is a ${input.width} x ${input.height} image.`;
  if (input.kind === 'pooled-features') return `Each tile is ${input.units} window features across by ${input.blocks} pooled blocks (segment and statistic) down.`;
  const s = input.spectrum;
  const hopMs = (1000 * s.hop) / s.sampleRate;
  const hz = input.bandHz?.filter(Number.isFinite);
  const range = hz && hz.length ? `, ${Math.round(hz[0])} Hz to ${Math.round(hz[hz.length - 1])} Hz` : '';
  return (
    `Each tile is ${input.frames} ${s.transform} frames wide (time to the right, ${hopMs.toFixed(1)} ms apart, ` +
    `${(input.frames * hopMs).toFixed(0)} ms in all) and ${input.bands} bands tall (low frequency at the bottom${range}).`
  );
}

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
