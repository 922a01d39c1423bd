/**
 * PNG encoding and decoding (via pngjs), and atomic writes: an image is written to a temporary
 * file beside its destination and renamed into place, so a reader (or a crash) never sees half a PNG.
 */
import { PNG } from 'pngjs';
import { randomBytes } from 'node:crypto';
import { rename, unlink } from 'node:fs/promises';
import { makeDirs, writeFileNamed } from '../util/fs-errors.ts';
import { basename, dirname, join } from 'node:path';
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
  const dir = dirname(path);
  makeDirs(dir);
  // Same folder as the target so rename() stays on one filesystem and is atomic.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFileNamed(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
