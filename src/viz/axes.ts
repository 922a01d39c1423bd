/**
 * Axes around a plot area: a frame, outward ticks with labels, optional grid lines, and axis
 * titles. Shared by line plots, spectrograms and confusion matrices so they all look alike.
 */
import { type RgbaImage, type Rgb, type Rect, BLACK, fillRect, strokeRect } from './raster.ts';
import { drawText, drawTextVertical, textHeight, textWidth } from './font.ts';

export const AXIS_COLOR: Rgb = [40, 40, 40];
const GRID_COLOR: Rgb = [225, 225, 225];
const TICK_LEN = 4;
const GAP = 3;

/** A tick: where on the axis (pixel x for the x axis, pixel y for the y axis) and its label. */
export interface Tick {
  at: number;
  label: string;
}

export interface AxesSpec {
  plot: Rect;
  xTicks: Tick[];
  yTicks: Tick[];
  xLabel?: string;
  yLabel?: string;
  title?: string;
  grid?: boolean;
  fontScale?: number;
  /** Draw the frame (off for images, whose own edge is the frame). */
  frame?: boolean;
}

/** Space needed left of, below and above the plot area for tick labels, axis titles and a title. */
export function axesMargins(yTickLabels: string[], hasXLabel: boolean, hasYLabel: boolean, hasTitle: boolean, fontScale = 1) {
  const th = textHeight(fontScale);
  const widest = Math.max(0, ...yTickLabels.map((l) => textWidth(l, fontScale)));
  return {
    left: GAP + (hasYLabel ? th + 2 * GAP : 0) + widest + GAP + TICK_LEN + GAP,
    bottom: TICK_LEN + GAP + th + (hasXLabel ? 2 * GAP + th : 0) + GAP,
    top: hasTitle ? 2 * GAP + textHeight(fontScale + 1) + 2 * GAP : 2 * GAP,
  };
}

/** Grid lines go under the data, so draw them first; the rest goes on top afterwards. */
export function drawGrid(img: RgbaImage, spec: AxesSpec): void {
  const { plot } = spec;
  for (const t of spec.xTicks) fillRect(img, Math.round(t.at), plot.y, 1, plot.h, GRID_COLOR);
  for (const t of spec.yTicks) fillRect(img, plot.x, Math.round(t.at), plot.w, 1, GRID_COLOR);
}

export function drawAxes(img: RgbaImage, spec: AxesSpec): void {
  const { plot } = spec;
  const s = spec.fontScale ?? 1;
  const th = textHeight(s);
  if (spec.frame !== false) strokeRect(img, plot, AXIS_COLOR);
  const bottom = plot.y + plot.h;
  for (const t of spec.xTicks) {
    const x = Math.round(t.at);
    fillRect(img, x, bottom, 1, TICK_LEN, AXIS_COLOR);
    drawText(img, t.label, x, bottom + TICK_LEN + GAP, BLACK, { scale: s, align: 'center' });
  }
  let widest = 0;
  for (const t of spec.yTicks) {
    const y = Math.round(t.at);
    fillRect(img, plot.x - TICK_LEN, y, TICK_LEN, 1, AXIS_COLOR);
    drawText(img, t.label, plot.x - TICK_LEN - GAP, y, BLACK, { scale: s, align: 'right', valign: 'middle' });
    widest = Math.max(widest, textWidth(t.label, s));
  }
  if (spec.xLabel) {
    drawText(img, spec.xLabel, plot.x + plot.w / 2, bottom + TICK_LEN + GAP + th + 2 * GAP, BLACK, { scale: s, align: 'center' });
  }
  if (spec.yLabel) {
    const x = plot.x - TICK_LEN - GAP - widest - 2 * GAP - th / 2;
    drawTextVertical(img, spec.yLabel, x, plot.y + plot.h / 2, BLACK, s);
  }
  if (spec.title) {
    // Centred over the plot, but slid back inside the image when it is wider than the plot.
    const half = textWidth(spec.title, s + 1) / 2;
    const cx = Math.max(half + 2, Math.min(img.width - half - 2, plot.x + plot.w / 2));
    drawText(img, spec.title, cx, plot.y - 2 * GAP, BLACK, { scale: s + 1, align: 'center', valign: 'bottom' });
  }
}
