/**
 * Line plots as PNG-ready images: training curves such as cost per L-BFGS iteration or accuracy
 * per epoch, with axes, tick labels, an optional log-scale y axis, a title and a series legend.
 */
import { SflError } from '../util/errors.ts';
import { type RgbaImage, type Rect, WHITE, createImage, drawLine, fillRect, strokeRect } from './raster.ts';
import { drawText, textHeight, textWidth, CELL_H } from './font.ts';
import { AXIS_COLOR, axesMargins, drawAxes, drawGrid } from './axes.ts';
import { linearTicks, logTicks } from './ticks.ts';
import { SERIES_COLORS } from './colormap.ts';

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

export interface LinePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** log10 y axis (e.g. a cost falling over decades); points with y <= 0 are left out. */
  logY?: boolean;
  width?: number;
  height?: number;
  /** Whole-pixel magnification of all text (title one step larger). Default 1. */
  fontScale?: number;
  /** Line thickness in pixels. Default 2. */
  lineWidth?: number;
}

/** The drawable points of a series: finite, and positive when the y axis is logarithmic. */
function usable(s: Series, logY: boolean): boolean[] {
  return s.x.map((x, i) => Number.isFinite(x) && Number.isFinite(s.y[i]) && (!logY || s.y[i] > 0));
}

/**
 * Draws `series` into a new image. Non-finite points (NaN, Infinity) are skipped and break the
 * line there; a series with no drawable point is still listed in the legend, marked "(no data)".
 * Throws SflError when no series has any drawable point, or when a series' x and y differ in length.
 */
export function linePlot(series: Series[], opts: LinePlotOptions = {}): RgbaImage {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const fs = opts.fontScale ?? 1;
  const logY = opts.logY ?? false;
  const lineWidth = opts.lineWidth ?? 2;

  for (const s of series) {
    if (s.x.length !== s.y.length) {
      throw new SflError(`linePlot: series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
    }
  }
  const ok = series.map((s) => usable(s, logY));
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  series.forEach((s, k) =>
    s.x.forEach((x, i) => {
      if (!ok[k][i]) return;
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
      yMin = Math.min(yMin, s.y[i]);
      yMax = Math.max(yMax, s.y[i]);
    }),
  );
  if (!(xMax >= xMin)) {
    const what = series.length === 0 ? 'no series given' : `no finite${logY ? ', positive' : ''} points in any series`;
    throw new SflError(`linePlot${opts.title ? ` "${opts.title}"` : ''}: nothing to plot (${what})`);
  }

  const xt = linearTicks(xMin, xMax, Math.max(2, Math.floor(width / 90)));
  const yt = logY ? logTicks(yMin, yMax) : linearTicks(yMin, yMax, Math.max(2, Math.floor(height / 60)));
  const margins = axesMargins(yt.labels, !!opts.xLabel, !!opts.yLabel, !!opts.title, fs);
  const lastXLabel = xt.labels[xt.labels.length - 1] ?? '';
  const plot: Rect = {
    x: margins.left,
    y: margins.top,
    // Leave room on the right for half of the last x tick label.
    w: width - margins.left - Math.max(10, textWidth(lastXLabel, fs) / 2 + 4),
    h: height - margins.top - margins.bottom,
  };
  if (plot.w < 20 || plot.h < 20) throw new SflError(`linePlot: ${width} x ${height} is too small for the axes and labels`);

  const toY = logY ? (v: number) => Math.log10(v) : (v: number) => v;
  const [ly0, ly1] = [toY(yt.lo), toY(yt.hi)];
  // Pixel centres: x from the left edge, y from the bottom edge of the plot box.
  const px = (x: number) => plot.x + ((x - xt.lo) / (xt.hi - xt.lo)) * (plot.w - 1);
  const py = (y: number) => plot.y + plot.h - 1 - ((toY(y) - ly0) / (ly1 - ly0)) * (plot.h - 1);

  const img = createImage(width, height, WHITE);
  const axes = {
    plot,
    xTicks: xt.values.map((v, i) => ({ at: px(v), label: xt.labels[i] })),
    yTicks: yt.values.map((v, i) => ({ at: py(v), label: yt.labels[i] })),
    xLabel: opts.xLabel,
    yLabel: opts.yLabel,
    title: opts.title,
    fontScale: fs,
  };
  drawGrid(img, axes);

  const inner: Rect = { x: plot.x + 1, y: plot.y + 1, w: plot.w - 2, h: plot.h - 2 };
  series.forEach((s, k) => {
    const c = SERIES_COLORS[k % SERIES_COLORS.length];
    let prev = -1;
    for (let i = 0; i < s.x.length; i++) {
      if (!ok[k][i]) {
        prev = -1;
        continue;
      }
      const isolated = prev < 0 && !(i + 1 < s.x.length && ok[k][i + 1]);
      if (prev >= 0) drawLine(img, px(s.x[prev]), py(s.y[prev]), px(s.x[i]), py(s.y[i]), c, lineWidth, inner);
      // A lone point has no segment to show it, so mark it with a small square.
      else if (isolated) drawLine(img, px(s.x[i]), py(s.y[i]), px(s.x[i]), py(s.y[i]), c, lineWidth + 3, inner);
      prev = i;
    }
  });
  drawAxes(img, axes);
  if (series.length > 1 || series[0].name) drawLegend(img, series, ok, plot, fs);
  return img;
}

/**
 * Legend box in whichever corner of the plot hides the fewest drawn data pixels (top-right on a
 * tie): a colour swatch and the name of each series.
 */
function drawLegend(img: RgbaImage, series: Series[], ok: boolean[][], plot: Rect, fs: number): void {
  const names = series.map((s, k) => (ok[k].some(Boolean) ? s.name : `${s.name} (no data)`));
  const swatch = 14 * fs;
  const lineH = CELL_H * fs + 4;
  const w = swatch + 6 + Math.max(...names.map((n) => textWidth(n, fs))) + 12;
  const h = names.length * lineH + 6;
  const pad = 6;
  const corners: Rect[] = [
    { x: plot.x + plot.w - w - pad, y: plot.y + pad, w, h },
    { x: plot.x + pad, y: plot.y + pad, w, h },
    { x: plot.x + plot.w - w - pad, y: plot.y + plot.h - h - pad, w, h },
    { x: plot.x + pad, y: plot.y + plot.h - h - pad, w, h },
  ];
  const colours = new Set(SERIES_COLORS.map((c) => (c[0] << 16) | (c[1] << 8) | c[2]));
  const covered = (r: Rect) => {
    let n = 0;
    for (let y = Math.max(0, r.y); y < Math.min(img.height, r.y + r.h); y++) {
      for (let x = Math.max(0, r.x); x < Math.min(img.width, r.x + r.w); x++) {
        const i = (y * img.width + x) * 4;
        if (colours.has((img.rgba[i] << 16) | (img.rgba[i + 1] << 8) | img.rgba[i + 2])) n++;
      }
    }
    return n;
  };
  const counts = corners.map(covered);
  const box = corners[counts.indexOf(Math.min(...counts))];
  fillRect(img, box.x, box.y, w, h, WHITE);
  strokeRect(img, box, AXIS_COLOR);
  names.forEach((n, k) => {
    const cy = box.y + 4 + k * lineH + textHeight(fs) / 2;
    fillRect(img, box.x + 5, Math.round(cy) - 1, swatch, 3, SERIES_COLORS[k % SERIES_COLORS.length]);
    drawText(img, n, box.x + 5 + swatch + 6, cy, [0, 0, 0], { scale: fs, valign: 'middle' });
  });
}
