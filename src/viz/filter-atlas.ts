/**
 * Audio filters as a person reads a spectrogram: one spectro-temporal patch per unit, time to the
 * right and low frequency at the bottom, in a diverging colour map centred on zero (red adds
 * energy, blue removes it, near-white is nothing), all tiles on ONE shared scale with a colour bar
 * (so a weak unit looks weak), optionally each tile on its own scale. Every row of tiles carries
 * its frequency axis in Hz and its time axis in ms on the first tile; each tile is numbered with
 * its unit; empty grid positions stay blank paper, so nothing that is not a unit looks like one.
 * (MNIST and other images keep the grey UFLDL grid of filter-grid.ts.)
 */
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { type RgbaImage, type Rgb, WHITE, BLACK, createImage, fillRect, strokeRect } from './raster.ts';
import { drawText, drawTextVertical, textHeight, textWidth } from './font.ts';
import { diverging } from './colormap.ts';
import { NAN_COLOR } from './filter-grid.ts';
import { formatHz } from './heatmap.ts';
import { formatNumber, spreadIndices } from './ticks.ts';

export type TileScale = 'shared' | 'tile';

export interface FilterAtlasOptions {
  /** K frames x B bands per row of P, time-major (index t * B + b). */
  frames: number;
  bands: number;
  /** Rows of P to draw, in drawing order (left to right, top to bottom). Default all, in order. */
  units?: number[];
  /** Label over each tile; default the 1-based unit number. */
  unitLabel?: (unit: number) => string;
  /** Centre frequency of each band in Hz; null (mfcc, cepstrum) labels rows by coefficient. */
  bandHz: number[] | null;
  /** Milliseconds between frame starts; null labels time by frame number. */
  frameMs: number | null;
  /** Title of the frequency axis when bandHz is null; default 'coefficient'. */
  bandAxisTitle?: string;
  /** 'shared' (default): one colour scale for every tile; 'tile': each tile by its own max |w|. */
  scale?: TileScale;
  /**
   * Shared scale's limit: values beyond +-clim are drawn at full colour. Default the 99.5th
   * percentile of |w| over the drawn tiles, so one outlier weight does not wash out every tile.
   */
  clim?: number;
  /** Title over the picture. */
  title?: string;
  /** Colour bar title: what the values are, e.g. "log energy". */
  valueLabel?: string;
  /** Tiles per row; default as many as fit in about 1000 pixels. */
  columns?: number;
  /** Pixels per frame and per band; defaults make a tile about 48 x 80. */
  pixelsPerFrame?: number;
  pixelsPerBand?: number;
}

const TILE_FRAME: Rgb = [150, 150, 150];
const LABEL: Rgb = [90, 90, 90];
const GAP_X = 6;
const TICK = 3;

/** |values| at quantile q (0..1) over the given rows; 0 when all are zero or non-finite. */
function absQuantile(P: Matrix, rows: readonly number[], q: number): number {
  const a: number[] = [];
  for (const r of rows) for (let i = 0; i < P.cols; i++) {
    const v = P.data[r * P.cols + i];
    if (Number.isFinite(v)) a.push(Math.abs(v));
  }
  if (a.length === 0) return 0;
  a.sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor(q * (a.length - 1) + 0.5))];
}

function rowMaxAbs(P: Matrix, r: number): number {
  let m = 0;
  for (let i = 0; i < P.cols; i++) m = Math.max(m, Math.abs(P.data[r * P.cols + i]) || 0);
  return m;
}

/**
 * Round frequencies (1-2-5 steps: 100, 200, 500, 1k, ...) placed where they fall between band
 * centres, at least 11 pixels apart; for band frequencies that are not increasing (a Bark band
 * with no bin is NaN), the band centres themselves at the ends and middle.
 */
export function hzTicks(bandHz: number[], pixelsPerBand: number): { band: number; label: string }[] {
  const B = bandHz.length;
  const increasing = bandHz.every((f, i) => Number.isFinite(f) && (i === 0 || f > bandHz[i - 1]));
  if (!increasing || B < 2) {
    return spreadIndices(B, 3).map((b) => ({ band: b, label: Number.isFinite(bandHz[b]) ? formatHz(bandHz[b]) : '?' }));
  }
  const out: { band: number; label: string }[] = [];
  for (let e = 0; e <= 5; e++) {
    for (const m of [1, 2, 5]) {
      const f = m * 10 ** e;
      if (f < bandHz[0] || f > bandHz[B - 1]) continue;
      let i = 0;
      while (bandHz[i + 1] < f) i++;
      const band = i + (f - bandHz[i]) / (bandHz[i + 1] - bandHz[i]);
      if (out.length && (band - out[out.length - 1].band) * pixelsPerBand < 11) continue;
      out.push({ band, label: formatHz(f) });
    }
  }
  return out.length >= 2 ? out : spreadIndices(B, 3).map((b) => ({ band: b, label: formatHz(bandHz[b]) }));
}

export interface FilterAtlas {
  image: RgbaImage;
  /** The limit of the shared scale (NaN with per-tile scaling). */
  clim: number;
  units: number[];
  columns: number;
}

export function filterAtlas(P: Matrix, o: FilterAtlasOptions): FilterAtlas {
  const { frames: K, bands: B } = o;
  if (!Number.isInteger(K) || !Number.isInteger(B) || K <= 0 || B <= 0) throw new SflError(`filter picture: frames and bands must be positive integers, got ${K} x ${B}`);
  if (K * B !== P.cols) throw new SflError(`filter picture: ${K} frames x ${B} bands need ${K * B} weights per unit, the model has ${P.cols}`);
  if (o.bandHz && o.bandHz.length !== B) throw new SflError(`filter picture: ${o.bandHz.length} band frequencies for ${B} bands`);
  const units = o.units ?? Array.from({ length: P.rows }, (_, i) => i);
  if (units.length === 0) throw new SflError('filter picture: no units to draw');
  for (const u of units) if (!Number.isInteger(u) || u < 0 || u >= P.rows) throw new SflError(`filter picture: unit ${u} is not one of the model's ${P.rows}`);
  const perTile = o.scale === 'tile';
  const clim = perTile ? NaN : o.clim ?? absQuantile(P, units, 0.995);

  const pf = o.pixelsPerFrame ?? Math.max(2, Math.round(48 / K));
  const pb = o.pixelsPerBand ?? Math.max(1, Math.round(80 / B));
  const tw = K * pf, th = B * pb;
  const th1 = textHeight(1);

  // Axis labels of the first tile of each row.
  const yTicks = o.bandHz ? hzTicks(o.bandHz, pb) : spreadIndices(B, Math.max(2, Math.floor(th / 22))).map((b) => ({ band: b, label: String(b) }));
  const yLabels = yTicks.map((t) => t.label);
  const xFrames = spreadIndices(K, Math.max(2, Math.floor(tw / 24)));
  const timeAt = (t: number) => (o.frameMs === null ? String(t) : formatNumber(Number((t * o.frameMs).toFixed(1))));
  const xLabels = xFrames.map(timeAt);
  const yAxisTitle = o.bandHz ? 'frequency (Hz)' : o.bandAxisTitle ?? 'coefficient';
  const xAxisTitle = o.frameMs === null ? 'time (frame)' : 'time (ms), frame starts';

  const left = 4 + th1 + 6 + Math.max(...yLabels.map((l) => textWidth(l))) + TICK + 3;
  const labelH = th1 + 3; // unit number over each tile
  const ticksH = TICK + 2 + th1 + 3; // time ticks under each row's first tile
  const cellW = Math.max(tw + 2, textWidth(xLabels.join(' ')) + 2) + GAP_X;
  const cellH = labelH + th + 2 + ticksH + 2;
  const columns = Math.max(1, Math.min(units.length, o.columns ?? Math.floor(1000 / cellW)));
  const rows = Math.ceil(units.length / columns);
  const titleH = o.title ? textHeight(2) + 10 : 4;
  const gridW = columns * cellW;
  const gridH = rows * cellH;

  // Colour bar on the right: as tall as a few tiles, its labels the scale's values.
  const barW = 12;
  const barH = Math.min(Math.max(th, 100), Math.max(gridH - labelH - 8, th));
  const barLabels = perTile ? ['+max', '0', '-max'] : [`+${Number(clim.toPrecision(2))}`, '0', `-${Number(clim.toPrecision(2))}`];
  const barTitle = perTile ? 'each tile / its largest |weight|' : o.valueLabel ?? 'weight';
  const barX = left + gridW + 10;
  const right = barX + barW + 4 + Math.max(...barLabels.map((l) => textWidth(l))) + 8 + th1 + 6;
  const bottom = th1 + 8; // the time axis title
  const width = Math.max(right, o.title ? textWidth(o.title, 2) + 16 : 0);
  const barY = titleH + labelH + 1;
  // Tall enough for the colour bar's title, which is centred on the bar and may be longer.
  // The colour bar's title runs up beside the bar, centred on it but never above the grid's top.
  const barTitleY = Math.max(barY + barH / 2, barY + textWidth(barTitle) / 2);
  const height = Math.max(titleH + gridH + bottom, Math.ceil(barTitleY + textWidth(barTitle) / 2 + 4));
  const img = createImage(width, height, WHITE);
  if (o.title) drawText(img, o.title, 8, 6, BLACK, { scale: 2 });

  units.forEach((u, i) => {
    const col = i % columns, row = Math.floor(i / columns);
    const x0 = left + col * cellW + 1;
    const yTop = titleH + row * cellH;
    const y0 = yTop + labelH + 1;
    const label = o.unitLabel ? o.unitLabel(u) : String(u + 1);
    drawText(img, label, x0 + tw / 2, yTop, LABEL, { align: 'center' });
    const lim = perTile ? rowMaxAbs(P, u) : clim;
    for (let t = 0; t < K; t++) {
      for (let b = 0; b < B; b++) {
        const v = P.data[u * P.cols + t * B + b];
        const c = Number.isFinite(v) ? diverging(lim > 0 ? v / lim : 0) : NAN_COLOR;
        fillRect(img, x0 + t * pf, y0 + (B - 1 - b) * pb, pf, pb, c);
      }
    }
    // A thin frame: near-white cells (weights near zero) must still read as part of a tile.
    strokeRect(img, { x: x0 - 1, y: y0 - 1, w: tw + 2, h: th + 2 }, TILE_FRAME);
    if (col !== 0) return;
    for (const { band, label } of yTicks) {
      const y = Math.round(y0 + (B - 1 - band) * pb + pb / 2);
      fillRect(img, x0 - 1 - TICK, y, TICK, 1, BLACK);
      drawText(img, label, x0 - 1 - TICK - 2, y, BLACK, { align: 'right', valign: 'middle' });
    }
    xFrames.forEach((t, k) => {
      const x = x0 + t * pf + Math.floor(pf / 2);
      fillRect(img, x, y0 + th + 1, 1, TICK, BLACK);
      drawText(img, xLabels[k], x, y0 + th + 1 + TICK + 2, BLACK, { align: k === 0 ? 'left' : k === xFrames.length - 1 ? 'right' : 'center' });
    });
  });

  drawTextVertical(img, yAxisTitle, 4 + th1 / 2, titleH + Math.min(gridH, cellH * 2) / 2, BLACK);
  drawText(img, xAxisTitle, left, titleH + gridH + 2, BLACK);

  for (let y = 0; y < barH; y++) fillRect(img, barX, barY + y, barW, 1, diverging(1 - (2 * y) / Math.max(1, barH - 1)));
  strokeRect(img, { x: barX, y: barY, w: barW, h: barH }, TILE_FRAME);
  [0, (barH - 1) / 2, barH - 1].forEach((dy, k) => {
    const y = Math.round(barY + dy);
    fillRect(img, barX + barW, y, TICK, 1, BLACK);
    drawText(img, barLabels[k], barX + barW + TICK + 2, y, BLACK, { valign: 'middle' });
  });
  drawTextVertical(img, barTitle, right - 6 - th1 / 2, barTitleY, BLACK);
  return { image: img, clim, units, columns };
}
