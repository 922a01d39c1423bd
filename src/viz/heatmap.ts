/**
 * Cell-grid images with axes: a confusion matrix (counts written in the cells) and a spectrogram
 * (frames x bands, low frequency at the bottom, viridis colours, time and frequency axes).
 */
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { type RgbaImage, type Rect, BLACK, WHITE, createImage, fillRect, strokeRect } from './raster.ts';
import { drawText, textWidth } from './font.ts';
import { type Tick, AXIS_COLOR, axesMargins, drawAxes } from './axes.ts';
import { blues, luminance, viridis } from './colormap.ts';
import { formatNumber, linearTicks, spreadIndices } from './ticks.ts';

export interface ConfusionOptions {
  /** Class names, in row/column order; default 0, 1, 2, ... */
  labels?: string[];
  title?: string;
  /** Axis titles; default "predicted" (columns) and "true" (rows). */
  xLabel?: string;
  yLabel?: string;
  /** Cell side in pixels; default just big enough for the largest count and label. */
  cellSize?: number;
  /** Text magnification; default 2, so counts and labels read at a page's natural size. */
  fontScale?: number;
}

/**
 * counts[i][j] = how many examples of true class i were predicted as j. Cells are shaded by the
 * fraction of their row (so the diagonal reads as per-class recall, whatever the class sizes) and
 * show the raw count.
 */
export function confusionMatrixImage(counts: number[][] | Matrix, opts: ConfusionOptions = {}): RgbaImage {
  const rows = Array.isArray(counts)
    ? counts
    : Array.from({ length: counts.rows }, (_, i) => Array.from(counts.data.subarray(i * counts.cols, (i + 1) * counts.cols)));
  const n = rows.length;
  if (n === 0) throw new SflError('confusionMatrixImage: no classes');
  rows.forEach((r, i) => {
    if (r.length !== n) throw new SflError(`confusionMatrixImage: must be square; row ${i} has ${r.length} cells, expected ${n}`);
  });
  const labels = opts.labels ?? rows.map((_, i) => String(i));
  if (labels.length !== n) throw new SflError(`confusionMatrixImage: ${labels.length} labels for ${n} classes`);
  const fs = opts.fontScale ?? 2;
  const texts = rows.map((r) => r.map((v) => (Number.isFinite(v) ? formatNumber(v) : '?')));
  const widest = Math.max(...texts.flat().map((t) => textWidth(t, fs)), ...labels.map((l) => textWidth(l, fs)));
  const cell = opts.cellSize ?? Math.max(22 * fs, widest + 8);

  const xLabel = opts.xLabel ?? 'predicted';
  const yLabel = opts.yLabel ?? 'true';
  const m = axesMargins(labels, true, true, !!opts.title, fs);
  const titleW = opts.title ? textWidth(opts.title, fs + 1) : 0;
  const side = n * cell;
  // The title is centred over the matrix, so a long one pushes the matrix right and widens the canvas.
  const left = Math.max(m.left, Math.ceil(titleW / 2 - side / 2 + 6));
  const plot: Rect = { x: left, y: m.top, w: side, h: side };
  const width = Math.max(left + side + 8, Math.ceil(left + side / 2 + titleW / 2 + 6));
  const img = createImage(width, m.top + side + m.bottom, WHITE);

  for (let i = 0; i < n; i++) {
    const total = rows[i].reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
    for (let j = 0; j < n; j++) {
      const v = rows[i][j];
      const c = blues(total > 0 && Number.isFinite(v) ? v / total : 0);
      const x = plot.x + j * cell;
      const y = plot.y + i * cell;
      fillRect(img, x, y, cell, cell, c);
      drawText(img, texts[i][j], x + cell / 2, y + cell / 2, luminance(c) < 128 ? WHITE : BLACK, {
        scale: fs,
        align: 'center',
        valign: 'middle',
      });
    }
  }
  drawAxes(img, {
    plot,
    xTicks: labels.map((label, j) => ({ at: plot.x + j * cell + cell / 2, label })),
    yTicks: labels.map((label, i) => ({ at: plot.y + i * cell + cell / 2, label })),
    xLabel,
    yLabel,
    title: opts.title,
    fontScale: fs,
  });
  return img;
}

export interface SpectrogramOptions {
  /** Frames per second (sample rate / hop), for the time axis. */
  frameRate: number;
  /** Centre frequency in Hz of each band (one per column of the matrix), for the frequency axis. */
  bandHz: number[];
  title?: string;
  /** Colour range; default the finite min and max of the data. Values outside are clamped. */
  vmin?: number;
  vmax?: number;
  /** Pixels per frame and per band; defaults aim at a picture roughly 600 x 240. */
  pixelsPerFrame?: number;
  pixelsPerBand?: number;
  /** A colour bar with the value scale on the right. Default true. */
  colorbar?: boolean;
  fontScale?: number;
}

/** 440 -> "440", 1250 -> "1.25k": frequency labels short enough to sit left of the axis. */
export function formatHz(hz: number): string {
  if (hz >= 1000) return `${Number((hz / 1000).toFixed(hz >= 10000 ? 1 : 2))}k`;
  return String(Math.round(hz));
}

/**
 * S is frames x bands (one row per frame, e.g. log mel energies). Drawn with time to the right and
 * band 0 (the lowest frequency) at the bottom. The data are shown as given: take logs (dB) first
 * for a readable picture.
 */
export function spectrogramImage(S: Matrix, opts: SpectrogramOptions): RgbaImage {
  const { frameRate, bandHz } = opts;
  if (S.rows === 0 || S.cols === 0) throw new SflError(`spectrogramImage: empty spectrogram (${S.rows} x ${S.cols})`);
  if (!(frameRate > 0)) throw new SflError(`spectrogramImage: frameRate must be positive, got ${frameRate}`);
  if (bandHz.length !== S.cols) throw new SflError(`spectrogramImage: ${bandHz.length} band frequencies for ${S.cols} bands`);
  const fs = opts.fontScale ?? 1;
  const ppf = opts.pixelsPerFrame ?? Math.min(8, Math.max(1, Math.round(600 / S.rows)));
  const ppb = opts.pixelsPerBand ?? Math.min(16, Math.max(1, Math.round(240 / S.cols)));

  let lo = opts.vmin ?? Infinity;
  let hi = opts.vmax ?? -Infinity;
  if (opts.vmin === undefined || opts.vmax === undefined) {
    for (const v of S.data) {
      if (!Number.isFinite(v)) continue;
      if (opts.vmin === undefined && v < lo) lo = v;
      if (opts.vmax === undefined && v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new SflError('spectrogramImage: no finite values');
  const span = hi > lo ? hi - lo : 1;

  const yTickBands = spreadIndices(S.cols, Math.max(2, Math.floor((S.cols * ppb) / 36)));
  const yLabels = yTickBands.map((b) => formatHz(bandHz[b]));
  const m = axesMargins(yLabels, true, true, !!opts.title, fs);
  const plot: Rect = { x: m.left, y: m.top, w: S.rows * ppf, h: S.cols * ppb };
  const barW = opts.colorbar === false ? 0 : 12;
  const bar = linearTicks(lo, hi, 4);
  const barLabelW = Math.max(...bar.labels.map((l) => textWidth(l, fs)));
  const right = barW ? 12 + barW + 4 + barLabelW + 6 : 12;
  const img = createImage(plot.x + plot.w + right, plot.y + plot.h + m.bottom, WHITE);

  for (let t = 0; t < S.rows; t++) {
    for (let b = 0; b < S.cols; b++) {
      const v = S.data[t * S.cols + b];
      const c = Number.isFinite(v) ? viridis((v - lo) / span) : WHITE;
      fillRect(img, plot.x + t * ppf, plot.y + (S.cols - 1 - b) * ppb, ppf, ppb, c);
    }
  }

  const duration = S.rows / frameRate;
  const xt = linearTicks(0, duration, Math.max(2, Math.floor(plot.w / 80)));
  const xTicks: Tick[] = xt.values
    .map((v, i) => ({ at: Math.min(plot.x + plot.w - 1, plot.x + v * frameRate * ppf), label: xt.labels[i], v }))
    .filter((t) => t.v <= duration + 1e-9);
  drawAxes(img, {
    plot,
    xTicks,
    yTicks: yTickBands.map((b, k) => ({ at: plot.y + (S.cols - 1 - b) * ppb + ppb / 2, label: yLabels[k] })),
    xLabel: 'time (s)',
    yLabel: 'frequency (Hz)',
    title: opts.title,
    fontScale: fs,
    frame: false,
  });

  if (barW) {
    const bx = plot.x + plot.w + 12;
    for (let y = 0; y < plot.h; y++) fillRect(img, bx, plot.y + y, barW, 1, viridis(1 - y / Math.max(1, plot.h - 1)));
    strokeRect(img, { x: bx, y: plot.y, w: barW, h: plot.h }, AXIS_COLOR);
    bar.values.forEach((v, i) => {
      if (v < lo - 1e-9 * span || v > hi + 1e-9 * span) return;
      const y = Math.round(plot.y + plot.h - 1 - ((v - lo) / span) * (plot.h - 1));
      fillRect(img, bx + barW, y, 3, 1, AXIS_COLOR);
      drawText(img, bar.labels[i], bx + barW + 4, y, BLACK, { scale: fs, valign: 'middle' });
    });
  }
  return img;
}
