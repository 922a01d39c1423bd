/**
 * The page's pictures, drawn on canvases with the report's colours (viz/colormap.ts, and a class's
 * colour from viz/timeline.ts so a class looks the same in the report and the page).
 *
 * A dropped recording is one figure, everything on one time axis so it lines up:
 *
 *   Hz    | spectrogram: time left to right, low bands at the bottom, across the whole width
 *   label | the predicted label over time: one colour per class, paler when less sure
 *   class | every class's probability over time, one row each, darker = more probable
 *         +-- time axis: ticks in seconds (m:ss from a minute on)
 *
 * The label and probability rows are there when the recording was labelled segment by segment.
 * The microphone's recent segments keep the probability rows alone (drawTimeline).
 */
import { columnFrequencies } from '../audio/axis.ts';
import type { SpectrumParams } from '../audio/spectrogram.ts';
import type { Matrix } from '../compute/matrix.ts';
import { blues, viridis } from '../viz/colormap.ts';
import { hzTicks } from '../viz/filter-atlas.ts';
import { classColor } from '../viz/timeline.ts';
import type { SegmentResult } from './page-pipeline.ts';
import { segmentSpans } from './segment-runs.ts';
import { timeTicks, type TimeTick } from './time-ticks.ts';

/** Heights in CSS pixels; the canvas is drawn at the screen's pixel density on top of them. */
const SPECTROGRAM_H = 140;
const STRIP_H = 18;
const GAP = 4;
const AXIS_H = 24;
const FONT = 11;
/** Least room between time labels, CSS pixels. */
const TICK_SPACING = 64;

/** Where the figure put things, CSS pixels from the canvas's top left: for tests and pointer lookups. */
export interface FigureLayout {
  /** The plotting area's left edge and width (the time axis runs from 0 s at `left` to the end at left + width). */
  left: number;
  width: number;
  spectrogram: { top: number; height: number };
  strip: { top: number; height: number } | null;
  rows: { top: number; height: number } | null;
  axis: { top: number; ticks: (TimeTick & { x: number })[] };
}

export interface FigureInput {
  spectrogram: Matrix;
  seconds: number;
  /** Segments over time; fewer than two draws the spectrogram alone. */
  segments: readonly SegmentResult[];
  classNames: readonly string[];
  spectrum: SpectrumParams;
}

function rgb([r, g, b]: readonly number[]): string {
  return `rgb(${r},${g},${b})`;
}

/** A class colour washed towards white when the classifier was less sure (as the report's timeline). */
function confidenceColor(c: readonly number[], p: number): string {
  const a = 0.25 + 0.75 * Math.max(0, Math.min(1, p));
  return rgb(c.map((v) => Math.round(255 + (v - 255) * a)));
}

/**
 * S (frames x bands) into a `w` x `h` device-pixel rectangle at (x, y). Several frames to a pixel
 * column (a long recording): each column shows their loudest value per band, so a short event
 * stays visible; fewer (a short one): each frame is a block as wide as its share. Colours span the
 * recording's 1st to 99.9th percentile, so one click or a silent stretch does not flatten the rest.
 */
function drawSpectrogramAt(ctx: CanvasRenderingContext2D, S: Matrix, x: number, y: number, w: number, h: number): void {
  const sorted = Float32Array.from(S.data).sort();
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))], hi = sorted[Math.floor(0.999 * (sorted.length - 1))];
  const span = hi > lo ? hi - lo : 1;
  const columns = Math.max(1, Math.min(S.rows, w));
  const image = new ImageData(columns, S.cols);
  for (let c = 0; c < columns; c++) {
    const f0 = Math.floor((c * S.rows) / columns), f1 = Math.max(f0 + 1, Math.floor(((c + 1) * S.rows) / columns));
    for (let b = 0; b < S.cols; b++) {
      let v = -Infinity;
      for (let t = f0; t < f1; t++) v = Math.max(v, S.data[t * S.cols + b]);
      const [r, g, bl] = viridis(Math.min(1, Math.max(0, (v - lo) / span)));
      const at = ((S.cols - 1 - b) * columns + c) * 4;
      image.data[at] = r;
      image.data[at + 1] = g;
      image.data[at + 2] = bl;
      image.data[at + 3] = 255;
    }
  }
  const tile = document.createElement('canvas');
  tile.width = columns;
  tile.height = S.cols;
  tile.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, x, y, w, h);
}

/** Widest canvas drawn, device pixels (browsers refuse larger ones: Chromium's limit is 32767). */
export const MAX_CANVAS_WIDTH = 32000;

/**
 * Draws the recording's figure on the canvas (its size set here, at the screen's pixel density)
 * and says where it put things: `cssWidth` wide, or as wide as `pixelsPerSecond` makes the time axis.
 */
export function drawRecordingFigure(canvas: HTMLCanvasElement, size: { cssWidth: number } | { pixelsPerSecond: number }, input: FigureInput): FigureLayout {
  const { spectrogram: S, seconds, segments, classNames, spectrum } = input;
  const labelled = segments.length > 1;
  const rowH = Math.max(8, Math.min(14, Math.floor(120 / classNames.length)));

  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = `${FONT}px sans-serif`;
  const bandHz = columnFrequencies(spectrum);
  const hz = bandHz && bandHz.length === S.cols ? hzTicks(bandHz, SPECTROGRAM_H / S.cols) : [];
  const names = labelled ? classNames.map((n) => (n.length > 14 ? `${n.slice(0, 13)}…` : n)) : [];
  const left = Math.ceil(Math.max(36, ...hz.map((t) => measure.measureText(t.label).width + 8), ...names.map((n) => measure.measureText(n).width + 16), measure.measureText('label').width + 8));
  const right = 12; // room for the last time label, centred on the end
  const width = 'cssWidth' in size ? Math.max(50, size.cssWidth - left - right) : Math.ceil(seconds * size.pixelsPerSecond);
  const cssWidth = left + width + right;
  const dpr = Math.max(1, Math.min(Math.round(window.devicePixelRatio || 1), Math.floor(MAX_CANVAS_WIDTH / cssWidth)));

  let top = 4;
  const spec = { top, height: SPECTROGRAM_H };
  top += SPECTROGRAM_H + GAP;
  const strip = labelled ? { top, height: STRIP_H } : null;
  if (strip) top += STRIP_H + GAP;
  const rows = labelled ? { top, height: rowH * classNames.length } : null;
  if (rows) top += rows.height + GAP;
  const axisTop = top;
  const height = axisTop + AXIS_H;

  canvas.width = Math.round(cssWidth * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${cssWidth}px`;
  canvas.style.minWidth = `${cssWidth}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  drawSpectrogramAt(ctx, S, left * dpr, spec.top * dpr, width * dpr, SPECTROGRAM_H * dpr);
  ctx.scale(dpr, dpr);
  ctx.font = `${FONT}px sans-serif`;
  ctx.fillStyle = '#333';
  ctx.strokeStyle = '#333';
  ctx.lineWidth = 1;

  // Frequency axis: round frequencies where they fall among the bands (the filter picture's rule).
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const bandPx = SPECTROGRAM_H / S.cols;
  for (const t of hz) {
    const y = spec.top + SPECTROGRAM_H - (t.band + 0.5) * bandPx;
    ctx.fillText(t.label, left - 6, y);
    ctx.beginPath();
    ctx.moveTo(left - 4, Math.round(y) + 0.5);
    ctx.lineTo(left, Math.round(y) + 0.5);
    ctx.stroke();
  }
  if (hz.length) {
    ctx.textBaseline = 'top';
    ctx.fillText('Hz', left - 6, spec.top);
  }

  const x = (t: number) => left + (width * t) / Math.max(seconds, 1e-9);
  if (strip && rows) {
    const spans = segmentSpans(segments);
    segments.forEach((s, i) => {
      const x0 = x(spans[i].start), w = Math.max(1, x(spans[i].end) - x0);
      const c = classNames.indexOf(s.label);
      ctx.fillStyle = confidenceColor(classColor([...classNames], s.label), s.probabilities[c] ?? 0);
      ctx.fillRect(x0, strip.top, w, STRIP_H);
      s.probabilities.forEach((p, k) => {
        ctx.fillStyle = rgb(blues(p));
        ctx.fillRect(x0, rows.top + k * rowH, w, rowH);
      });
    });
    ctx.strokeStyle = '#bbb';
    ctx.strokeRect(left - 0.5, strip.top - 0.5, width + 1, STRIP_H + 1);
    ctx.strokeRect(left - 0.5, rows.top - 0.5, width + 1, rows.height + 1);
    ctx.fillStyle = '#333';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText('label', left - 6, strip.top + STRIP_H / 2);
    // Each class's row named, with its colour in the label strip beside the name (the legend).
    names.forEach((n, k) => {
      const y = rows.top + (k + 0.5) * rowH;
      ctx.fillStyle = '#333';
      ctx.fillText(n, left - 14, y);
      ctx.fillStyle = rgb(classColor([...classNames], classNames[k]));
      ctx.fillRect(left - 11, y - 4, 8, 8);
    });
  }

  // Time axis: a line under everything, ticks in seconds, the unit at the left.
  const ticks = timeTicks(seconds, width, TICK_SPACING).map((t) => ({ ...t, x: x(t.seconds) }));
  ctx.strokeStyle = '#333';
  ctx.fillStyle = '#333';
  ctx.beginPath();
  ctx.moveTo(left, axisTop + 0.5);
  ctx.lineTo(left + width, axisTop + 0.5);
  for (const t of ticks) {
    const tx = Math.round(t.x) + 0.5;
    ctx.moveTo(tx, axisTop);
    ctx.lineTo(tx, axisTop + 5);
  }
  ctx.stroke();
  // Labels centred on their ticks, but the first starts at the axis and the last ends at the
  // canvas's edge: nothing of theirs in the margin (which stays in view over a scrolled figure).
  ctx.textBaseline = 'top';
  ticks.forEach((t, i) => {
    ctx.textAlign = i === 0 ? 'left' : 'center';
    ctx.fillText(t.label, i === 0 ? t.x : Math.min(t.x, cssWidth - measure.measureText(t.label).width / 2 - 1), axisTop + 7);
  });
  ctx.textAlign = 'right';
  ctx.fillText(seconds >= 60 ? 'm:ss' : 's', left - 4, axisTop + 7);
  return { left, width, spectrogram: spec, strip, rows, axis: { top: axisTop, ticks } };
}

const LABEL_WIDTH = 48;

/**
 * Probabilities of every class over time: segment i's column spans its start to end time of
 * `seconds` (overlapping segments: the later one is drawn over the earlier from its midpoint).
 */
export function drawTimeline(canvas: HTMLCanvasElement, segments: readonly SegmentResult[], classNames: readonly string[], seconds: number): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width - LABEL_WIDTH, rowH = canvas.height / classNames.length;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = `${Math.min(14, Math.max(9, rowH - 2))}px sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#222';
  classNames.forEach((name, c) => ctx.fillText(name.slice(0, 6), 2, (c + 0.5) * rowH));
  const x = (s: number) => LABEL_WIDTH + (W * s) / Math.max(seconds, 1e-9);
  segments.forEach((seg, i) => {
    const from = i === 0 ? seg.start : (seg.start + segments[i - 1].end) / 2;
    const to = i === segments.length - 1 ? seg.end : seg.end;
    seg.probabilities.forEach((p, c) => {
      const [r, g, b] = blues(p);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x(from), c * rowH, Math.max(1, x(to) - x(from)), rowH);
    });
  });
}
