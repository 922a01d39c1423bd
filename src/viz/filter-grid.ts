/**
 * Learned filters as a grid of grey tiles, after UFLDL's display_network.m: each tile is scaled
 * symmetrically around zero (divided by its own largest |weight|), so 0 is mid-grey, the strongest
 * positive weight white and the strongest negative black; tiles sit in a near-square grid with a
 * border between them. Unlike display_network.m the global mean is not subtracted, so a weight of
 * exactly zero always shows as mid-grey.
 */
import type { Matrix } from '../compute/matrix.ts';
import { type RgbaImage, type Rgb, BLACK, WHITE, createImage, fillRect } from './raster.ts';

/** Non-finite weights (a diverged run) are painted in this colour so they cannot pass unnoticed. */
export const NAN_COLOR: Rgb = [255, 0, 255];

export interface GridLayout {
  /** Pixels between tiles and around the edge (output pixels, not magnified). Default 1. */
  border?: number;
  /** Colour of the border. Default black, as in display_network.m. */
  borderColor?: Rgb;
  /** Divide each tile by its own max |weight| (default), or all tiles by the global one. */
  scaleEachTile?: boolean;
  /** Whole-pixel magnification of every tile pixel. Default 1. */
  scale?: number;
  /** Extra horizontal / vertical magnification on top of `scale`, for non-square cells. Default 1. */
  scaleX?: number;
  scaleY?: number;
  /** Tiles per grid row; default near-square, as display_network.m chooses. */
  columns?: number;
}

export interface FilterGridOptions extends GridLayout {
  tileWidth: number;
  tileHeight: number;
}

export interface SpectroTemporalOptions extends GridLayout {
  /** K: time frames per filter. */
  frames: number;
  /** B: frequency bands per filter. */
  bands: number;
}

/**
 * Columns for `count` tiles, by display_network.m's rule: a perfect square stays square; otherwise
 * start at ceil(sqrt(count)) and widen (up to 1.2 sqrt) looking for a width that divides evenly.
 */
export function gridColumns(count: number): number {
  const root = Math.sqrt(count);
  if (Number.isInteger(root)) return root;
  let n = Math.ceil(root);
  while (count % n !== 0 && n < 1.2 * root) n++;
  return n;
}

/** Size in pixels of the grid that `layout` gives `count` tiles of tileWidth x tileHeight cells. */
export function gridSize(count: number, tileWidth: number, tileHeight: number, layout: GridLayout = {}) {
  const border = layout.border ?? 1;
  const sx = (layout.scale ?? 1) * (layout.scaleX ?? 1);
  const sy = (layout.scale ?? 1) * (layout.scaleY ?? 1);
  const columns = Math.min(count, layout.columns ?? gridColumns(count));
  const rows = Math.ceil(count / columns);
  return {
    columns,
    rows,
    cellW: sx,
    cellH: sy,
    width: border + columns * (tileWidth * sx + border),
    height: border + rows * (tileHeight * sy + border),
  };
}

function grey(v: number): Rgb {
  // [-1, 1] -> [0, 255] with 0 -> 128.
  const g = Math.round(((Math.max(-1, Math.min(1, v)) + 1) / 2) * 255);
  return [g, g, g];
}

function maxAbs(data: Float32Array, start: number, end: number): number {
  let m = 0;
  for (let i = start; i < end; i++) {
    const a = Math.abs(data[i]);
    if (a > m) m = a; // NaN compares false, so it is skipped
  }
  return m;
}

function checkPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
}

/**
 * The shared renderer: `indexAt(x, y)` says which element of a filter row is shown at tile cell
 * (x, y), with y = 0 at the top; the two public layouts differ only in that mapping.
 */
function renderGrid(
  W: Matrix,
  tileWidth: number,
  tileHeight: number,
  indexAt: (x: number, y: number) => number,
  layout: GridLayout,
): RgbaImage {
  checkPositiveInt('tileWidth', tileWidth);
  checkPositiveInt('tileHeight', tileHeight);
  if (tileWidth * tileHeight !== W.cols) {
    throw new Error(`filter grid: ${tileWidth} x ${tileHeight} tile needs ${tileWidth * tileHeight} weights per filter, W has ${W.cols}`);
  }
  if (W.rows === 0) throw new Error('filter grid: W has no filters (0 rows)');
  const border = layout.border ?? 1;
  const size = gridSize(W.rows, tileWidth, tileHeight, layout);
  const img = createImage(size.width, size.height, layout.borderColor ?? BLACK);
  const globalMax = layout.scaleEachTile === false ? maxAbs(W.data, 0, W.data.length) : 0;
  for (let k = 0; k < W.rows; k++) {
    const off = k * W.cols;
    const clim = layout.scaleEachTile === false ? globalMax : maxAbs(W.data, off, off + W.cols);
    const left = border + (k % size.columns) * (tileWidth * size.cellW + border);
    const top = border + Math.floor(k / size.columns) * (tileHeight * size.cellH + border);
    for (let y = 0; y < tileHeight; y++) {
      for (let x = 0; x < tileWidth; x++) {
        const v = W.data[off + indexAt(x, y)];
        // An all-zero filter has nothing to scale by: show it flat mid-grey.
        const c = Number.isFinite(v) ? grey(clim > 0 ? v / clim : 0) : NAN_COLOR;
        fillRect(img, left + x * size.cellW, top + y * size.cellH, size.cellW, size.cellH, c);
      }
    }
  }
  // The grid's unused cells after the last tile are left white, as the page around it: in the
  // border colour (black) they looked like dead units.
  if (W.rows % size.columns !== 0) {
    const left = border + (W.rows % size.columns) * (tileWidth * size.cellW + border);
    const top = border + Math.floor(W.rows / size.columns) * (tileHeight * size.cellH + border);
    fillRect(img, left, top, size.width - left, size.height - top, WHITE);
  }
  return img;
}

/** One row of W per filter, each drawn as a row-major tileWidth x tileHeight image (e.g. MNIST 28 x 28). */
export function filterGrid(W: Matrix, opts: FilterGridOptions): RgbaImage {
  return renderGrid(W, opts.tileWidth, opts.tileHeight, (x, y) => y * opts.tileWidth + x, opts);
}

/**
 * Spectro-temporal filters: each row of W holds K frames x B bands, time-major (index t * B + b).
 * Drawn as a K-wide, B-tall tile with time running left to right and LOW frequency at the BOTTOM.
 * Because K is small and B large, each time step is by default widened (scaleX ~ B / K) so the
 * tiles come out about square; pass scaleX to override.
 */
export function spectroTemporalGrid(W: Matrix, opts: SpectroTemporalOptions): RgbaImage {
  const { frames, bands } = opts;
  checkPositiveInt('frames', frames);
  checkPositiveInt('bands', bands);
  const scaleX = opts.scaleX ?? Math.max(1, Math.round(bands / frames));
  return renderGrid(W, frames, bands, (t, y) => t * bands + (bands - 1 - y), { ...opts, scaleX });
}
