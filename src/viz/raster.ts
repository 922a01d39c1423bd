/**
 * A plain RGBA raster and the few drawing primitives the plots need.
 * Kept dependency-free (no canvas) so images can be made on any machine, including CI.
 */

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major from the top-left, alpha last. */
  rgba: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];

/** A rectangle in pixels: x, y of the top-left corner, then its size. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function createImage(width: number, height: number, background: Rgb = WHITE): RgbaImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`createImage: size must be positive integers, got ${width} x ${height}`);
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) paint(rgba, i, background);
  return { width, height, rgba };
}

/** Colour `c`, opaque, into the pixel whose first byte is rgba[i]. */
function paint(rgba: Uint8Array, i: number, c: Rgb): void {
  rgba[i] = c[0];
  rgba[i + 1] = c[1];
  rgba[i + 2] = c[2];
  rgba[i + 3] = 255;
}

/** Sets one pixel; pixels outside the image (or outside `clip`) are silently dropped. */
export function setPixel(img: RgbaImage, x: number, y: number, c: Rgb, clip?: Rect): void {
  x = Math.round(x);
  y = Math.round(y);
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  if (clip && (x < clip.x || y < clip.y || x >= clip.x + clip.w || y >= clip.y + clip.h)) return;
  paint(img.rgba, (y * img.width + x) * 4, c);
}

export function getPixel(img: RgbaImage, x: number, y: number): [number, number, number, number] {
  const i = (y * img.width + x) * 4;
  return [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2], img.rgba[i + 3]];
}

export function fillRect(img: RgbaImage, x: number, y: number, w: number, h: number, c: Rgb): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  for (let yy = y0; yy < y1; yy++) {
    for (let xx = x0; xx < x1; xx++) paint(img.rgba, (yy * img.width + xx) * 4, c);
  }
}

/** A one-pixel outline just inside the rectangle. */
export function strokeRect(img: RgbaImage, r: Rect, c: Rgb): void {
  fillRect(img, r.x, r.y, r.w, 1, c);
  fillRect(img, r.x, r.y + r.h - 1, r.w, 1, c);
  fillRect(img, r.x, r.y, 1, r.h, c);
  fillRect(img, r.x + r.w - 1, r.y, 1, r.h, c);
}

/**
 * A straight line by Bresenham's algorithm; `thickness` > 1 stamps a small square at each step,
 * which is enough for plot lines and avoids anti-aliasing (tests can then look for exact colours).
 */
export function drawLine(
  img: RgbaImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  c: Rgb,
  thickness = 1,
  clip?: Rect,
): void {
  x0 = Math.round(x0);
  y0 = Math.round(y0);
  x1 = Math.round(x1);
  y1 = Math.round(y1);
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  const lo = -Math.floor((thickness - 1) / 2);
  const hi = lo + thickness - 1;
  // Bounded so a wild coordinate cannot spin for ever; no real plot line is this long.
  for (let steps = 0; steps < 1_000_000; steps++) {
    for (let oy = lo; oy <= hi; oy++) for (let ox = lo; ox <= hi; ox++) setPixel(img, x0 + ox, y0 + oy, c, clip);
    if (x0 === x1 && y0 === y1) break;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}
