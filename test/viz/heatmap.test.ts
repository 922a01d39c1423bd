import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/compute/matrix.ts';
import { confusionMatrixImage, formatHz, spectrogramImage } from '../../src/viz/heatmap.ts';
import { blues, viridis } from '../../src/viz/colormap.ts';
import type { Rgb, RgbaImage } from '../../src/viz/raster.ts';

function pixelsOf(img: RgbaImage, c: Rgb): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      if (img.rgba[i] === c[0] && img.rgba[i + 1] === c[1] && img.rgba[i + 2] === c[2]) out.push([x, y]);
    }
  }
  return out;
}

const bandHz = Array.from({ length: 8 }, (_, b) => 100 * 2 ** b);

describe('spectrogramImage', () => {
  it('puts the lowest band at the bottom', () => {
    const S = matrix(20, 8);
    for (let t = 0; t < 20; t++) S.data[t * 8 + 0] = 1; // band 0 loud, the rest silent
    const img = spectrogramImage(S, { frameRate: 100, bandHz, colorbar: false, pixelsPerBand: 5, pixelsPerFrame: 3 });
    const loud = pixelsOf(img, viridis(1));
    const quiet = pixelsOf(img, viridis(0));
    expect(loud).toHaveLength(20 * 3 * 5);
    expect(quiet).toHaveLength(20 * 3 * 7 * 5);
    expect(Math.min(...loud.map((p) => p[1]))).toBeGreaterThan(Math.max(...quiet.map((p) => p[1])));
  });

  it('runs time left to right', () => {
    const S = matrix(10, 8);
    for (let b = 0; b < 8; b++) S.data[0 * 8 + b] = 1; // only frame 0 loud
    const img = spectrogramImage(S, { frameRate: 100, bandHz, colorbar: false });
    const loud = pixelsOf(img, viridis(1));
    const quiet = pixelsOf(img, viridis(0));
    expect(Math.max(...loud.map((p) => p[0]))).toBeLessThan(Math.min(...quiet.map((p) => p[0])));
  });

  it('honours a fixed colour range, clamping values outside it', () => {
    const S = matrix(4, 8);
    S.data.fill(-100);
    S.data[0] = 100;
    const img = spectrogramImage(S, { frameRate: 10, bandHz, vmin: -50, vmax: 50, colorbar: false, pixelsPerFrame: 1, pixelsPerBand: 1 });
    expect(pixelsOf(img, viridis(1))).toHaveLength(1);
    expect(pixelsOf(img, viridis(0))).toHaveLength(31);
  });

  it('checks its inputs', () => {
    expect(() => spectrogramImage(matrix(4, 8), { frameRate: 100, bandHz: [1, 2] })).toThrow(/2 band frequencies for 8 bands/);
    expect(() => spectrogramImage(matrix(4, 8), { frameRate: 0, bandHz })).toThrow(/frameRate/);
    expect(() => spectrogramImage(matrix(0, 8), { frameRate: 100, bandHz })).toThrow(/empty/);
  });

  it('labels frequencies compactly', () => {
    expect(formatHz(440.4)).toBe('440');
    expect(formatHz(1250)).toBe('1.25k');
    expect(formatHz(8000)).toBe('8k');
    expect(formatHz(12345)).toBe('12.3k');
  });
});

describe('confusionMatrixImage', () => {
  it('shades cells by their share of the row', () => {
    // Row 0 all on the diagonal (share 1); row 1 split evenly.
    const img = confusionMatrixImage([
      [10, 0],
      [5, 5],
    ]);
    expect(pixelsOf(img, blues(1)).length).toBeGreaterThan(100);
    expect(pixelsOf(img, blues(0.5)).length).toBeGreaterThan(200);
    expect(pixelsOf(img, blues(0)).length).toBeGreaterThan(100);
  });

  it('accepts a Matrix and grows with the number of classes', () => {
    const small = confusionMatrixImage(matrix(2, 2, new Float32Array([1, 2, 3, 4])));
    const big = confusionMatrixImage(matrix(10, 10));
    expect(big.width).toBeGreaterThan(small.width);
    expect(big.height).toBeGreaterThan(small.height);
  });

  it('rejects a non-square matrix or the wrong number of labels', () => {
    expect(() => confusionMatrixImage([[1, 2], [3]])).toThrow(/square/);
    expect(() => confusionMatrixImage([[1]], { labels: ['a', 'b'] })).toThrow(/2 labels for 1 classes/);
    expect(() => confusionMatrixImage([])).toThrow(/no classes/);
  });
});
