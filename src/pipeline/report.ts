/**
 * report.html for a run folder: gathers run.json, metrics.json, every PNG the experiment wrote
 * and, for sparse autoencoders on audio, the filter picture's caption recomputed from the model,
 * and renders them with src/viz/report.ts. Works on a staging folder (experiments call
 * writeReport(run.stagingPath) just before commit, so the report is part of the atomic run) and
 * on a finished run (`sfl report <run>` rebuilds it).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { writeFileNamed } from '../util/fs-errors.ts';
import { basename, join, relative } from 'node:path';
import { renderReport, type ReportContent, type ReportFigure } from '../viz/report.ts';
import type { InputDescription } from '../features/input-description.ts';
import { MODEL_FILE } from '../models/model-io.ts';
import { readRun, formatValue, formatAccuracy, runHeadline, type RunRecord } from './run-summary.ts';
import { flatMetrics } from './run-metrics.ts';
import { loadSaeModel } from '../models/sae/saved-model.ts';
import { filterPicture } from '../models/sae/filter-picture.ts';

export const REPORT_FILE = 'report.html';

/** Builds report.html inside `runDir` (atomically) and returns its path. */
export async function writeReport(runDir: string): Promise<string> {
  const html = renderReport(await reportContent(runDir));
  const path = join(runDir, REPORT_FILE);
  const tmp = join(runDir, `.${REPORT_FILE}.${process.pid}.tmp`);
  try {
    await writeFileNamed(tmp, html);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  return path;
}

/**
 * Everything the page shows. A figure that cannot be read or drawn is listed under `problems`
 * rather than thrown: the report is written at the end of a run, and a damaged picture must not
 * cost the run itself.
 */
export async function reportContent(runDir: string): Promise<ReportContent> {
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
  const config = (run.info.config ?? {}) as { description?: string };
  return {
    title: `sfl run ${run.info.name}`,
    description: config.description || undefined,
    command: `sfl ${run.info.argv.map(shellQuote).join(' ')}`,
    config: run.info.config,
    facts: facts(run),
    metrics: metricRows(run.metrics),
    figures,
    problems,
  };
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

function metricRows(metrics: Record<string, unknown>): [string, string][] {
  const flat = flatMetrics(metrics);
  const rank = (k: string) => {
    const i = FIRST.findIndex((re) => re.test(k));
    return i < 0 ? FIRST.length : i;
  };
  return flat
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e[0]) - rank(b.e[0]) || a.i - b.i)
    .map(({ e: [k, v] }) => [k, typeof v === 'number' && /accuracy/i.test(k) ? formatAccuracy(v) : formatValue(v)]);
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
  if (base === 'filters' && filterCaption) {
    title = `Learned filters (${name})`;
    caption = filterCaption;
    alt = 'one spectro-temporal patch per hidden unit, each row of tiles with a time (ms) axis across and a frequency (Hz) axis upwards, and a colour bar';
  } else if (base.startsWith('filters')) {
    title = `Learned filters (${name})`;
    caption = `One tile per hidden unit: the weights from the input to that unit, each tile scaled by its own largest |weight| (mid-grey = 0, white positive, black negative). ${describeTile(input)}`;
    enlarge = true;
  } else if (base.startsWith('cost')) {
    title = `Cost per iteration (${name})`;
    caption = 'Training cost (log scale) after each optimiser iteration.';
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
