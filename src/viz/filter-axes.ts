/**
 * A few spectro-temporal filters drawn large, each with labelled axes: time in ms to the right and
 * frequency in Hz upwards (low at the bottom). The filter grid (filter-grid.ts) shows every unit
 * but has no room for axes; this picture tells the reader what a tile's width and height mean.
 * Grey scale as in the grid: each filter divided by its own largest |weight|, 0 = mid-grey.
 */
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { type RgbaImage, type Rect, type Rgb, WHITE, createImage, fillRect } from './raster.ts';
import { type Tick, axesMargins, drawAxes } from './axes.ts';
import { NAN_COLOR } from './filter-grid.ts';
import { formatHz } from './heatmap.ts';

export interface FilterAxesOptions {
  /** K: time frames per filter; rows of W are time-major (index t * bands + b). */
  frames: number;
  bands: number;
  /** Centre frequency of each band in Hz; null (mfcc, cepstrum) labels the rows by coefficient. */
  bandHz: number[] | null;
  /** Milliseconds between frame starts (hop / sample rate); null labels time by frame number. */
  frameMs: number | null;
  /** Which rows of W (hidden units) to draw; default the first 8. */
  units?: number[];
  /** Panels per row of the picture. Default 4. */
  columns?: number;
  /** Pixels per frame and per band; defaults make each panel about 160 x 240. */
  pixelsPerFrame?: number;
  pixelsPerBand?: number;
  /** Whole-pixel magnification of the text. Default 2, so labels read at the page's natural size. */
  fontScale?: number;
}

function grey(v: number): Rgb {
  const g = Math.round(((Math.max(-1, Math.min(1, v)) + 1) / 2) * 255);
  return [g, g, g];
}

/** About `count` indices spread evenly over 0 .. n-1, ends included. */
function spread(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return [...new Set(Array.from({ length: count }, (_, i) => Math.round((i * (n - 1)) / (count - 1))))];
}

function timeLabel(t: number, frameMs: number | null): string {
  if (frameMs === null) return String(t);
  const ms = t * frameMs;
  return String(Number(ms.toFixed(ms < 10 && !Number.isInteger(ms) ? 1 : 0)));
}

/** One filter with its axes, as its own image. */
function panel(W: Matrix, unit: number, o: Required<Omit<FilterAxesOptions, 'units' | 'columns'>>): RgbaImage {
  const { frames: K, bands: B, pixelsPerFrame: pf, pixelsPerBand: pb, fontScale: fs } = o;
  const yBands = spread(B, Math.max(2, Math.floor((B * pb) / (12 * fs + 8))));
  const yLabels = yBands.map((b) => (o.bandHz ? (Number.isFinite(o.bandHz[b]) ? formatHz(o.bandHz[b]) : '?') : String(b)));
  const m = axesMargins(yLabels, true, true, true, fs);
  const plot: Rect = { x: m.left, y: m.top, w: K * pf, h: B * pb };
  const xLabel = o.frameMs === null ? 'time (frame)' : 'time (ms)';
  // Wide enough for the panel title and the x-axis title, whichever is wider than the plot.
  const extra = Math.max(0, (Math.max(...[`unit ${unit + 1}`, xLabel].map((s) => s.length)) * 6 * (fs + 1)) / 2 - plot.w / 2);
  const img = createImage(Math.ceil(plot.x + plot.w + extra + 8), plot.y + plot.h + m.bottom, WHITE);

  const off = unit * W.cols;
  let clim = 0;
  for (let i = 0; i < W.cols; i++) clim = Math.max(clim, Math.abs(W.data[off + i]) || 0);
  for (let t = 0; t < K; t++) {
    for (let b = 0; b < B; b++) {
      const v = W.data[off + t * B + b];
      const c = Number.isFinite(v) ? grey(clim > 0 ? v / clim : 0) : NAN_COLOR;
      fillRect(img, plot.x + t * pf, plot.y + (B - 1 - b) * pb, pf, pb, c);
    }
  }
  // Every frame labelled while the labels fit (K is small: 4 to 10 frames), else an even spread.
  const xFrames = spread(K, Math.max(2, Math.floor(plot.w / (18 * fs))));
  const xTicks: Tick[] = xFrames.map((t) => ({ at: plot.x + t * pf + pf / 2, label: timeLabel(t, o.frameMs) }));
  const yTicks: Tick[] = yBands.map((b, i) => ({ at: plot.y + (B - 1 - b) * pb + pb / 2, label: yLabels[i] }));
  drawAxes(img, {
    plot,
    xTicks,
    yTicks,
    xLabel,
    yLabel: o.bandHz ? 'frequency (Hz)' : 'coefficient',
    title: `unit ${unit + 1}`,
    fontScale: fs,
  });
  return img;
}

function blit(dst: RgbaImage, src: RgbaImage, x0: number, y0: number): void {
  for (let y = 0; y < src.height; y++) {
    const from = y * src.width * 4;
    dst.rgba.set(src.rgba.subarray(from, from + src.width * 4), ((y0 + y) * dst.width + x0) * 4);
  }
}

/** W: one filter per row, frames x bands values each, in the raw input space (sae-model saeFilters). */
export function spectroTemporalFiltersWithAxes(W: Matrix, opts: FilterAxesOptions): RgbaImage {
  const { frames, bands } = opts;
  if (frames * bands !== W.cols) throw new SflError(`filter picture: ${frames} frames x ${bands} bands need ${frames * bands} weights, W has ${W.cols}`);
  if (opts.bandHz && opts.bandHz.length !== bands) throw new SflError(`filter picture: ${opts.bandHz.length} band frequencies for ${bands} bands`);
  const units = (opts.units ?? Array.from({ length: Math.min(8, W.rows) }, (_, i) => i)).filter((u) => u >= 0 && u < W.rows);
  if (units.length === 0) throw new SflError('filter picture: no filters to draw');
  const o = {
    frames,
    bands,
    bandHz: opts.bandHz,
    frameMs: opts.frameMs,
    pixelsPerFrame: opts.pixelsPerFrame ?? Math.max(6, Math.round(160 / frames)),
    pixelsPerBand: opts.pixelsPerBand ?? Math.max(2, Math.round(240 / bands)),
    fontScale: opts.fontScale ?? 2,
  };
  const panels = units.map((u) => panel(W, u, o));
  const columns = Math.min(opts.columns ?? 4, panels.length);
  const rows = Math.ceil(panels.length / columns);
  const cellW = Math.max(...panels.map((p) => p.width));
  const cellH = Math.max(...panels.map((p) => p.height));
  const gap = 8;
  const img = createImage(columns * cellW + (columns + 1) * gap, rows * cellH + (rows + 1) * gap, WHITE);
  panels.forEach((p, i) => blit(img, p, gap + (i % columns) * (cellW + gap), gap + Math.floor(i / columns) * (cellH + gap)));
  return img;
}
