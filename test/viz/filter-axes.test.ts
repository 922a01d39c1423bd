import { describe, expect, it } from 'vitest';
import { spectroTemporalFiltersWithAxes } from '../../src/viz/filter-axes.ts';
import { getPixel } from '../../src/viz/raster.ts';

const K = 4, B = 10;
const bandHz = Array.from({ length: B }, (_, b) => 100 * (b + 1));

/** Filters that are zero except +1 at (frame 0, band 0): lowest band, first frame. */
function filters(n: number) {
  const data = new Float32Array(n * K * B);
  for (let u = 0; u < n; u++) data[u * K * B] = 1;
  return { data, rows: n, cols: K * B };
}

describe('spectroTemporalFiltersWithAxes', () => {
  it('lays out the chosen units in panels and puts low frequency at the bottom-left of each', () => {
    const img = spectroTemporalFiltersWithAxes(filters(3), { frames: K, bands: B, bandHz, frameMs: 16, units: [0, 2], pixelsPerFrame: 10, pixelsPerBand: 10, fontScale: 1 });
    // Two panels side by side: wider than two plots, and taller than one plot.
    expect(img.width).toBeGreaterThan(2 * K * 10);
    expect(img.height).toBeGreaterThan(B * 10);
    // Somewhere is a white cell (the +1 weight) and mid-grey cells (zeros).
    let white = 0, grey = 0;
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
      const [r, g, b] = getPixel(img, x, y);
      if (r === 255 && g === 255 && b === 255) white++;
      if (r === 128 && g === 128 && b === 128) grey++;
    }
    expect(grey).toBeGreaterThan(2 * (K * B - 1) * 100 * 0.9);
    expect(white).toBeGreaterThan(0);
  });

  it('names a size mismatch', () => {
    expect(() => spectroTemporalFiltersWithAxes(filters(1), { frames: 5, bands: B, bandHz, frameMs: 16 })).toThrow(/5 frames x 10 bands need 50 weights, W has 40/);
    expect(() => spectroTemporalFiltersWithAxes(filters(1), { frames: K, bands: B, bandHz: [1, 2], frameMs: 16 })).toThrow(/2 band frequencies for 10 bands/);
  });

  it('draws coefficient rows and frame numbers when there are no Hz or ms', () => {
    const img = spectroTemporalFiltersWithAxes(filters(1), { frames: K, bands: B, bandHz: null, frameMs: null });
    expect(img.width).toBeGreaterThan(K * 40);
  });
});
