/**
 * Images as users have them, for the runs that classify images (the MNIST runs): PNG files, and
 * idx image files (the MNIST format, gzipped or not: every image in them). A picture is height x
 * width grey values in [0, 1], light strokes on a dark background as in MNIST: a PNG's colour is
 * turned to grey by luminance (0.299 R + 0.587 G + 0.114 B) and composited on black by its alpha.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import type { SkippedFile } from './audio-files.ts';
import { IDX_MAGIC_IMAGES, readIdx } from './idx.ts';

export interface NamedImage {
  /** The file, and for an idx file the image's 0-based index in it: "t10k-images-idx3-ubyte.gz[7]". */
  name: string;
  image: Matrix;
}

const isIdx = (name: string) => /idx3-ubyte(\.gz)?$/.test(name);
const isPng = (name: string) => /\.png$/i.test(name);

/** The image files named: files as given, folders' PNG and idx files (not recursively, hidden files left out). */
export function scanImageTargets(targets: readonly string[]): { paths: string[]; skipped: SkippedFile[] } {
  const paths: string[] = [], skipped: SkippedFile[] = [];
  for (const t of targets) {
    const st = statSync(t, { throwIfNoEntry: false });
    if (!st) throw new SflError('no such file or folder', t);
    if (st.isFile()) {
      paths.push(t);
      continue;
    }
    const names = readdirSync(t).filter((n) => !n.startsWith('.')).sort();
    for (const n of names) {
      if (isPng(n) || isIdx(n)) paths.push(join(t, n));
      else if (statSync(join(t, n)).isFile()) skipped.push({ path: join(t, n), reason: 'not a PNG or idx image file' });
    }
  }
  return { paths, skipped };
}

function pngImage(path: string, width: number, height: number): Matrix {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (e) {
    throw new SflError(`not a readable PNG (${(e as Error).message})`, path);
  }
  if (png.width !== width || png.height !== height) throw new SflError(`the image is ${png.width} x ${png.height} pixels; this run takes ${width} x ${height}`, path);
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const [r, g, b, a] = png.data.subarray(4 * i, 4 * i + 4);
    data[i] = ((0.299 * r + 0.587 * g + 0.114 * b) / 255) * (a / 255);
  }
  return { data, rows: height, cols: width };
}

/** The images of `paths` (width x height each); a file that cannot give them is skipped with the reason. */
export function readImageFiles(paths: readonly string[], width: number, height: number): { images: NamedImage[]; skipped: SkippedFile[] } {
  const images: NamedImage[] = [], skipped: SkippedFile[] = [];
  for (const path of paths) {
    try {
      if (isPng(path)) {
        images.push({ name: path, image: pngImage(path, width, height) });
        continue;
      }
      if (!isIdx(basename(path))) throw new SflError(`not a PNG or idx image file (.png, *idx3-ubyte[.gz]); this run classifies ${width} x ${height} images`, path);
      const idx = readIdx(path, IDX_MAGIC_IMAGES);
      const [n, rows, cols] = idx.dims;
      if (rows !== height || cols !== width) throw new SflError(`its images are ${cols} x ${rows} pixels; this run takes ${width} x ${height}`, path);
      const d = rows * cols;
      for (let i = 0; i < n; i++) images.push({ name: `${path}[${i}]`, image: { data: Float32Array.from(idx.data.subarray(i * d, (i + 1) * d), (v) => v / 255), rows, cols } });
    } catch (e) {
      if (!(e instanceof SflError)) throw e;
      skipped.push({ path, reason: e.message.startsWith(path) ? e.message.slice(path.length).replace(/^:\s*/, '') : e.message });
    }
  }
  return { images, skipped };
}
