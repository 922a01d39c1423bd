/**
 * A recording's figure (draw.ts) in the page: fitted to the page's width, or for a long recording
 * zoomed to a number of pixels per second and scrolled sideways (3 minutes fitted to the page are
 * 5 pixels a second: a segment every 2.5 pixels). While it scrolls, its left margin (the Hz axis,
 * the class names, the time unit) stays in view: a copy of it on a canvas of its own, stuck to
 * the box's left edge.
 */
import { drawRecordingFigure, MAX_CANVAS_WIDTH, type FigureInput, type FigureLayout } from './draw.ts';

/** Pixels per second offered beside "fit": 20 shows each 0.5 s hop as 10 pixels, 100 shows a word's shape. */
const ZOOMS = [20, 100];

export interface FigureView {
  canvas: HTMLCanvasElement;
  /** Where the figure is drawn now (updated in place when the zoom changes). */
  layout: FigureLayout;
  /** Outlines the stretch [start, end) seconds and brings it into view, zooming in from "fit" first. */
  show(start: number, end: number): void;
}

/** Appends the figure (and, for a long recording, its zoom buttons) to `parent`, drawn to fit its width. */
export function figureView(parent: HTMLElement, input: FigureInput): FigureView {
  const fitWidth = Math.floor(parent.getBoundingClientRect().width) || 720;
  const box = document.createElement('div');
  box.className = 'figure-box';
  const margin = document.createElement('canvas');
  margin.className = 'figure-margin';
  const canvas = document.createElement('canvas');
  canvas.className = 'figure';
  box.append(margin, canvas);
  parent.append(box);
  const layout = drawRecordingFigure(canvas, { cssWidth: fitWidth }, input);
  margin.hidden = true;
  const fitPerSecond = layout.width / input.seconds;
  // Zooms that magnify the fitted figure and that a canvas can hold.
  const zooms = ZOOMS.filter((z) => z > 1.5 * fitPerSecond && layout.left + z * input.seconds + 12 <= MAX_CANVAS_WIDTH);
  let zoom: number | null = null;
  const buttons: HTMLButtonElement[] = [];

  /** Redraws at zoom `z` (null: fit), with the stretch `marked` outlined. */
  const draw = (z: number | null, marked?: { start: number; end: number }) => {
    zoom = z;
    Object.assign(layout, drawRecordingFigure(canvas, z === null ? { cssWidth: fitWidth } : { pixelsPerSecond: z }, input));
    if (marked) {
      const ctx = canvas.getContext('2d')!;
      const x0 = layout.left + (layout.width * marked.start) / input.seconds, x1 = layout.left + (layout.width * marked.end) / input.seconds;
      const top = layout.strip?.top ?? layout.spectrogram.top, bottom = layout.axis.top;
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 - 1, top - 2, Math.max(2, x1 - x0 + 2), bottom - top + 2);
    }
    margin.hidden = z === null;
    if (z !== null) {
      // The margin's pixels, copied from the figure; the canvas overlaps the figure's own margin.
      margin.width = Math.round(layout.left * (canvas.width / parseFloat(canvas.style.width)));
      margin.height = canvas.height;
      margin.style.width = `${layout.left}px`;
      margin.style.height = canvas.style.height;
      margin.style.marginRight = `-${layout.left}px`;
      margin.getContext('2d')!.drawImage(canvas, 0, 0);
    }
    buttons.forEach((b, i) => b.setAttribute('aria-pressed', String([null, ...zooms][i] === z)));
  };

  if (zooms.length) {
    const bar = document.createElement('div');
    bar.className = 'zoom';
    bar.append('time scale: ');
    for (const z of [null, ...zooms]) {
      const b = document.createElement('button');
      b.textContent = z === null ? 'fit' : `${z} px/s`;
      b.addEventListener('click', () => draw(z));
      buttons.push(b);
      bar.append(b, ' ');
    }
    parent.insertBefore(bar, box);
    buttons[0].setAttribute('aria-pressed', 'true');
  }

  return {
    canvas,
    layout,
    show(start, end) {
      draw(zoom === null && zooms.length ? zooms[0] : zoom, { start, end });
      const x0 = layout.left + (layout.width * start) / input.seconds, x1 = layout.left + (layout.width * end) / input.seconds;
      // The stretch's start a little right of the sticky margin, or the stretch centred when it fits.
      const visible = box.clientWidth - layout.left;
      box.scrollLeft = Math.max(0, x1 - x0 < visible ? (x0 + x1) / 2 - layout.left - visible / 2 : x0 - layout.left - 20);
    },
  };
}
