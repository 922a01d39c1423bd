/**
 * report.html of a run as one self-contained page: figures inlined as data: URIs, styles inline,
 * no scripts and nothing fetched from anywhere, so the file can be mailed, archived or opened
 * offline and still shows everything. This module only turns content into HTML; gathering the
 * content from a run folder is src/pipeline/report.ts.
 */

export interface ReportFigure {
  /** Short heading, e.g. "Learned filters". */
  title: string;
  /** A sentence or two saying how to read the picture. */
  caption: string;
  png: Uint8Array;
  /** Text for the image's alt attribute (what the picture shows); default the title. */
  alt?: string;
  width: number;
  height: number;
  /**
   * Shown enlarged by a whole factor with pixelated scaling (filter grids: tiles of a few pixels
   * must stay sharp and readable). Default: natural size, shrunk to the page width if wider.
   */
  enlarge?: boolean;
}

/** Per-class scores on the test set (scikit-learn's classification_report). */
export interface ClassRow {
  name: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number;
}

/** A misclassified test recording: what it is, what it was taken for, and how to hear and see it. */
export interface MistakeRow {
  name: string;
  label: string;
  predicted: string;
  confidence: number;
  /** The file's bytes and MIME type, played in place (null with a note when too big or unreadable). */
  audio: { bytes: Uint8Array; mime: string } | null;
  /** A small spectrogram PNG (null with a note when it could not be drawn). */
  spectrogram: { png: Uint8Array; width: number; height: number } | null;
  note?: string;
}

export interface DataSection {
  folder: string;
  split: string;
  classes: { label: string; train: number; test: number }[];
  skipped: { path: string; reason: string }[];
}

export interface ReportContent {
  title: string;
  description?: string;
  /** The command line that made the run. */
  command: string;
  /** The resolved config, shown as JSON. */
  config: unknown;
  /** Run facts as label/value rows: seed, versions, backend, dates. */
  facts: [string, string][];
  /** Key metrics as label/value rows (human names; the raw key, when given, shows on hover). */
  metrics: ([string, string] | [string, string, string])[];
  /** Per-class precision, recall, F1, support, and which evaluation they come from. */
  classes?: { source: string; rows: ClassRow[] };
  /** Misclassified test recordings (at most a page of them) and how many there were in all. */
  mistakes?: { total: number; tested: number; split: string; rows: MistakeRow[] };
  data?: DataSection;
  figures: ReportFigure[];
  /** Parts that could not be shown, one sentence each (the page still shows the rest). */
  problems?: string[];
}

/** Width the page lays figures out in, CSS pixels. */
const PAGE_WIDTH = 1100;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Whole-number magnification that brings a small picture near `target` CSS pixels (1 if already
 * wide), at most 4x: beyond that a grid of a few tiles would fill several screens.
 */
export function enlargeFactor(width: number, target = 900): number {
  return Math.max(1, Math.min(4, Math.floor(target / width)));
}

function table(rows: ([string, string] | [string, string, string])[], cls: string): string {
  if (rows.length === 0) return '<p class="none">none recorded</p>';
  const body = rows
    .map(([k, v, key]) => `<tr><th scope="row"${key ? ` title="${escapeHtml(key)}"` : ''}>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  return `<table class="${cls}">\n${body}\n</table>`;
}

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function classTable(c: NonNullable<ReportContent['classes']>): string {
  const head = '<tr><th scope="col">class</th><th scope="col">precision</th><th scope="col">recall</th><th scope="col">F1</th><th scope="col">support</th></tr>';
  const rows = c.rows.map(
    (r) => `<tr><th scope="row">${escapeHtml(r.name)}</th><td>${pct(r.precision)}</td><td>${pct(r.recall)}</td><td>${pct(r.f1)}</td><td>${r.support}</td></tr>`,
  );
  return [
    `<p>On ${escapeHtml(c.source)}. Precision: of the recordings predicted as the class, the share that were; recall: of the recordings of the class, the share found; F1: their harmonic mean; support: recordings of the class.</p>`,
    `<table class="classes">\n${head}\n${rows.join('\n')}\n</table>`,
  ].join('\n');
}

function mistakesTable(m: NonNullable<ReportContent['mistakes']>): string {
  if (m.total === 0) return `<p>None: all ${m.tested} test recordings (${escapeHtml(m.split)}) were classified correctly.</p>`;
  const rows = m.rows.map((r) => {
    const audio = r.audio ? `<audio controls preload="metadata" src="data:${r.audio.mime};base64,${b64(r.audio.bytes)}"></audio>` : '';
    const img = r.spectrogram
      ? `<img class="spec" src="data:image/png;base64,${b64(r.spectrogram.png)}" width="${r.spectrogram.width}" height="${r.spectrogram.height}" alt="spectrogram of ${escapeHtml(r.name)}">`
      : '';
    const note = r.note ? `<div class="none">${escapeHtml(r.note)}</div>` : '';
    return (
      `<tr><td class="file">${escapeHtml(r.name)}</td><td>${escapeHtml(r.label)}</td><td>${escapeHtml(r.predicted)}</td>` +
      `<td>${pct(r.confidence)}</td><td>${audio}${note}</td><td>${img}</td></tr>`
    );
  });
  const shown = m.rows.length < m.total ? ` The first ${m.rows.length} are listed.` : '';
  return [
    `<p>${m.total} of ${m.tested} test recordings (${escapeHtml(m.split)}) were misclassified.${shown} Confidence is the probability the classifier gave its (wrong) answer.</p>`,
    '<table class="mistakes">',
    '<tr><th scope="col">recording</th><th scope="col">true</th><th scope="col">predicted</th><th scope="col">confidence</th><th scope="col">listen</th><th scope="col">spectrogram</th></tr>',
    ...rows,
    '</table>',
  ].join('\n');
}

/**
 * A skipped file's reason without its path: a decoder's reason names the file itself (it is also a
 * warning line on its own), and the list already shows the path beside it.
 */
function withoutPath(s: { path: string; reason: string }): string {
  return s.reason.startsWith(`${s.path}: `) ? s.reason.slice(s.path.length + 2) : s.reason;
}

function dataSection(d: DataSection): string {
  const total = (k: 'train' | 'test') => d.classes.reduce((a, c) => a + c[k], 0);
  const rows = d.classes.map((c) => `<tr><th scope="row">${escapeHtml(c.label)}</th><td>${c.train}</td><td>${c.test}</td></tr>`);
  const skipped = d.skipped.length
    ? `<p>${d.skipped.length} file(s) skipped:</p>\n<ul class="skipped">\n${d.skipped.map((s) => `<li><code>${escapeHtml(s.path)}</code>: ${escapeHtml(withoutPath(s))}</li>`).join('\n')}\n</ul>`
    : '<p>No file was skipped.</p>';
  return [
    `<p>Folder <code>${escapeHtml(d.folder)}</code>, split ${escapeHtml(d.split)}: ${total('train')} training and ${total('test')} test recordings.</p>`,
    '<table class="data">',
    '<tr><th scope="col">class</th><th scope="col">training</th><th scope="col">test</th></tr>',
    ...rows,
    `<tr class="total"><th scope="row">all</th><td>${total('train')}</td><td>${total('test')}</td></tr>`,
    '</table>',
    skipped,
  ].join('\n');
}

function figure(f: ReportFigure, i: number): string {
  const k = f.enlarge ? enlargeFactor(f.width) : 1;
  const style = f.enlarge ? ` style="width:${f.width * k}px"` : '';
  const src = `data:image/png;base64,${Buffer.from(f.png).toString('base64')}`;
  return [
    `<figure id="fig-${i + 1}"${f.enlarge ? ' class="large"' : ''}>`,
    `<h3>${escapeHtml(f.title)}</h3>`,
    `<img src="${src}" width="${f.width}" height="${f.height}"${style} alt="${escapeHtml(f.alt ?? f.title)}">`,
    `<figcaption>Figure ${i + 1}. ${escapeHtml(f.caption)}${k > 1 ? ` (shown at ${k}x)` : ''}</figcaption>`,
    '</figure>',
  ].join('\n');
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: ${PAGE_WIDTH + 40}px; padding: 20px; color: #222; }
h1 { margin-bottom: 4px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; }
p.desc { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { text-align: left; padding: 3px 14px 3px 0; border-bottom: 1px solid #eee; vertical-align: top; }
table.metrics td { font-variant-numeric: tabular-nums; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
pre { background: #f6f6f6; padding: 10px; overflow-x: auto; font-size: 13px; }
figure { margin: 24px 0; } figure h3 { margin: 0 0 6px; }
figure img { max-width: 100%; height: auto; display: block; border: 1px solid #ddd; }
figure.large img { image-rendering: pixelated; image-rendering: crisp-edges; }
figcaption { color: #444; margin-top: 6px; max-width: 900px; }
.none { color: #888; }
table.classes td, table.data td, table.mistakes td { font-variant-numeric: tabular-nums; padding-right: 18px; }
table.mistakes td { vertical-align: middle; } table.mistakes audio { width: 220px; }
img.spec { display: block; border: 1px solid #ddd; }
tr.total th, tr.total td { border-top: 2px solid #ccc; font-weight: 600; }
ul.problems { background: #fff4e5; border: 1px solid #f0c36d; padding: 8px 8px 8px 28px; }
`;

export function renderReport(c: ReportContent): string {
  const configJson = JSON.stringify(c.config, null, 2) ?? 'null';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // An empty icon, so the browser does not look for favicon.ico next to the file.
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(c.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(c.title)}</h1>`,
    c.description ? `<p class="desc">${escapeHtml(c.description)}</p>` : '',
    c.problems?.length ? `<ul class="problems">\n${c.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('\n')}\n</ul>` : '',
    '<h2>Key metrics</h2>',
    table(c.metrics, 'metrics'),
    c.classes ? `<h2>Per class</h2>\n${classTable(c.classes)}` : '',
    c.mistakes ? `<h2>Misclassified test recordings</h2>\n${mistakesTable(c.mistakes)}` : '',
    c.data ? `<h2>Data</h2>\n${dataSection(c.data)}` : '',
    '<h2>Figures</h2>',
    c.figures.length ? c.figures.map(figure).join('\n') : '<p class="none">This run wrote no figures.</p>',
    '<h2>Run</h2>',
    table(c.facts, 'facts'),
    '<details>',
    '<summary>Command and config</summary>',
    `<pre class="command">${escapeHtml(c.command)}</pre>`,
    `<pre class="config">${escapeHtml(configJson)}</pre>`,
    '</details>',
    '</body>',
    '</html>',
  ]
    .filter((l) => l !== '')
    .join('\n') + '\n';
}
