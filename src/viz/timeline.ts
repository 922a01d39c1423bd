/**
 * Segment predictions of a long recording as a strip along time: one coloured block per segment
 * (colour = predicted class, lighter when the classifier was less sure), a time axis in seconds,
 * and a legend of the classes that occur. Read left to right like the recording itself.
 */
import { SflError } from '../util/errors.ts';
import { type RgbaImage, type Rgb, WHITE, BLACK, createImage, fillRect, strokeRect } from './raster.ts';
import { drawText, textWidth } from './font.ts';
import { SERIES_COLORS } from './colormap.ts';
import { linearTicks } from './ticks.ts';

export interface TimelineSegment {
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
  predicted: string;
  /** 0..1; drawn as the block's saturation (a guess at 0.3 is paler than a sure 0.99). */
  confidence: number;
}

export interface TimelineOptions {
  /** Every class, in a fixed order, so a class keeps its colour across recordings. */
  classNames: string[];
  /** Pixels per second; default fits the recording in about 800 pixels. */
  pixelsPerSecond?: number;
  title?: string;
}

function mix(c: Rgb, t: number): Rgb {
  const a = 0.25 + 0.75 * Math.max(0, Math.min(1, t));
  return [Math.round(255 + (c[0] - 255) * a), Math.round(255 + (c[1] - 255) * a), Math.round(255 + (c[2] - 255) * a)];
}

export function classColor(classNames: string[], name: string): Rgb {
  const i = classNames.indexOf(name);
  return i < 0 ? [128, 128, 128] : SERIES_COLORS[i % SERIES_COLORS.length];
}

export function timelineImage(segments: TimelineSegment[], o: TimelineOptions): RgbaImage {
  if (segments.length === 0) throw new SflError('timeline: no segments');
  const end = Math.max(...segments.map((s) => s.end));
  if (!(end > 0)) throw new SflError('timeline: segments must end after 0 s');
  const pps = o.pixelsPerSecond ?? Math.max(1, 800 / end);
  const left = 10, barH = 24;
  const top = o.title ? 22 : 6;
  const w = Math.ceil(end * pps);
  const used = o.classNames.filter((c) => segments.some((s) => s.predicted === c));
  const legendW = used.reduce((a, c) => a + 14 + textWidth(c) + 12, 0);
  const ticks = linearTicks(0, end, Math.max(2, Math.floor(w / 80)));
  const shown = ticks.values.map((v, i) => ({ v, label: ticks.labels[i] })).filter((t) => t.v <= end + 1e-9);
  // The axis name goes after the strip and after the last tick's label, which is centred on its
  // tick and may stick out past the strip's end.
  const last = shown[shown.length - 1];
  const nameX = Math.max(left + w, last ? left + Math.round(last.v * pps) + Math.ceil(textWidth(last.label) / 2) : 0) + 8;
  const AXIS_NAME = 'time (s)';
  const img = createImage(
    Math.max(nameX + textWidth(AXIS_NAME) + 10, left + legendW + 10, o.title ? textWidth(o.title, 2) + 20 : 0),
    top + barH + 40,
    WHITE,
  );
  if (o.title) drawText(img, o.title, left, 4, BLACK, { scale: 2 });
  for (const s of segments) {
    const x0 = left + Math.round(s.start * pps), x1 = left + Math.round(s.end * pps);
    fillRect(img, x0, top, Math.max(1, x1 - x0), barH, mix(classColor(o.classNames, s.predicted), s.confidence));
    fillRect(img, x0, top, 1, barH, WHITE); // a hairline between segments
  }
  strokeRect(img, { x: left, y: top, w, h: barH }, [90, 90, 90]);
  for (const t of shown) {
    const x = left + Math.round(t.v * pps);
    fillRect(img, x, top + barH, 1, 4, BLACK);
    drawText(img, t.label, x, top + barH + 6, BLACK, { align: 'center' });
  }
  drawText(img, AXIS_NAME, nameX, top + barH + 6, BLACK);
  let x = left;
  for (const c of used) {
    fillRect(img, x, top + barH + 22, 10, 10, classColor(o.classNames, c));
    drawText(img, c, x + 14, top + barH + 23, BLACK);
    x += 14 + textWidth(c) + 12;
  }
  return img;
}
