/**
 * PNG encoding and decoding (via pngjs), and atomic writes: an image is written to a temporary
 * file beside its destination and renamed into place, so a reader (or a crash) never sees half a PNG.
 */
import { PNG } from 'pngjs';
import { dirname } from 'node:path';
import { replaceFile } from '../data/atomic-write.ts';
import { makeDirs } from '../util/fs-errors.ts';
import type { RgbaImage } from './raster.ts';

export function encodePng(img: RgbaImage): Buffer {
  if (img.rgba.length !== img.width * img.height * 4) {
    throw new Error(`encodePng: rgba has ${img.rgba.length} bytes, expected ${img.width} x ${img.height} x 4`);
  }
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.rgba.buffer, img.rgba.byteOffset, img.rgba.byteLength);
  return PNG.sync.write(png, { colorType: 6 });
}

export function decodePng(buf: Buffer): RgbaImage {
  const png = PNG.sync.read(buf);
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
}

/** Writes `img` as a PNG at `path`, atomically; creates the parent folder if needed. */
export async function writePng(path: string, img: RgbaImage): Promise<void> {
  const bytes = encodePng(img);
  makeDirs(dirname(path));
  await replaceFile(path, bytes);
}
