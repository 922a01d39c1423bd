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

export interface ReportContent {
  title: string;
  description?: string;
  /** The command line that made the run. */
  command: string;
  /** The resolved config, shown as JSON. */
  config: unknown;
  /** Run facts as label/value rows: seed, versions, backend, dates. */
  facts: [string, string][];
  /** Key metrics as label/value rows. */
  metrics: [string, string][];
  figures: ReportFigure[];
  /** Parts that could not be shown, one sentence each (the page still shows the rest). */
  problems?: string[];
}

/** Width the page lays figures out in, CSS pixels. */
const PAGE_WIDTH = 1100;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Whole-number magnification that brings a small picture near `target` CSS pixels (1 if already
 * wide), at most 4x: beyond that a grid of a few tiles would fill several screens.
 */
export function enlargeFactor(width: number, target = 900): number {
  return Math.max(1, Math.min(4, Math.floor(target / width)));
}

function table(rows: [string, string][], cls: string): string {
  if (rows.length === 0) return '<p class="none">none recorded</p>';
  const body = rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
  return `<table class="${cls}">\n${body}\n</table>`;
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
    '<h2>Run</h2>',
    table(c.facts, 'facts'),
    '<details>',
    '<summary>Command and config</summary>',
    `<pre class="command">${escapeHtml(c.command)}</pre>`,
    `<pre class="config">${escapeHtml(configJson)}</pre>`,
    '</details>',
    '<h2>Figures</h2>',
    c.figures.length ? c.figures.map(figure).join('\n') : '<p class="none">This run wrote no figures.</p>',
    '</body>',
    '</html>',
  ]
    .filter((l) => l !== '')
    .join('\n') + '\n';
}
