import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, encodePng, writePng } from '../../src/viz/png.ts';
import { createImage, setPixel } from '../../src/viz/raster.ts';

function sample() {
  const img = createImage(7, 5, [12, 34, 56]);
  setPixel(img, 0, 0, [255, 0, 0]);
  setPixel(img, 6, 4, [0, 255, 0]);
  setPixel(img, 3, 2, [1, 2, 3]);
  return img;
}

describe('PNG output', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'viz-png-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through pngjs reader byte for byte', () => {
    const img = sample();
    const back = PNG.sync.read(encodePng(img));
    expect([back.width, back.height]).toEqual([7, 5]);
    expect(new Uint8Array(back.data)).toEqual(img.rgba);
    expect(decodePng(encodePng(img))).toEqual(img);
  });

  it('writes a readable file, creating folders, and leaves no temporary file', async () => {
    const path = join(dir, 'a', 'b', 'grid.png');
    await writePng(path, sample());
    expect(new Uint8Array(PNG.sync.read(readFileSync(path)).data)).toEqual(sample().rgba);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['grid.png']);
  });

  it('replaces an existing file whole', async () => {
    const path = join(dir, 'x.png');
    writeFileSync(path, 'old contents');
    await writePng(path, sample());
    expect(decodePng(readFileSync(path))).toEqual(sample());
    expect(readdirSync(dir)).toEqual(['x.png']);
  });

  it('cleans up its temporary file when the final rename fails', async () => {
    const path = join(dir, 'taken');
    mkdirSync(join(path, 'child'), { recursive: true }); // a non-empty folder cannot be renamed over
    await expect(writePng(path, sample())).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('rejects an image whose buffer does not match its size', () => {
    expect(() => encodePng({ width: 2, height: 2, rgba: new Uint8Array(15) })).toThrow(/15 bytes/);
  });
});
