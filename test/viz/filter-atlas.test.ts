import { describe, expect, it } from 'vitest';
import { filterAtlas, hzTicks } from '../../src/viz/filter-atlas.ts';
import { diverging } from '../../src/viz/colormap.ts';
import { getPixel, type RgbaImage } from '../../src/viz/raster.ts';

const K = 4, B = 10;
const bandHz = Array.from({ length: B }, (_, b) => 100 * 2 ** (b / 2));

/** Unit u: +amp[u] in every cell of frame 0, band 0, zero elsewhere. */
function patches(amps: number[]) {
  const data = new Float32Array(amps.length * K * B);
  amps.forEach((a, u) => (data[u * K * B] = a));
  return { data, rows: amps.length, cols: K * B };
}

function count(img: RgbaImage, c: readonly number[]): number {
  let n = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
    const p = getPixel(img, x, y);
    if (p[0] === c[0] && p[1] === c[1] && p[2] === c[2]) n++;
  }
  return n;
}

const opts = { frames: K, bands: B, bandHz, frameMs: 16, pixelsPerFrame: 5, pixelsPerBand: 4 };

describe('filterAtlas', () => {
  it('one shared scale: a unit with half the weight is drawn paler, zero is the near-white centre', () => {
    const { image, clim } = filterAtlas(patches([2, 1]), { ...opts, clim: 2 });
    expect(clim).toBe(2);
    const full = diverging(1), half = diverging(0.5), zero = diverging(0);
    expect(count(image, full)).toBe(5 * 4); // unit 1's cell, 5 x 4 pixels (the colour bar's ends are under its frame)
    expect(count(image, half)).toBeGreaterThanOrEqual(5 * 4);
    expect(count(image, zero)).toBeGreaterThanOrEqual(2 * (K * B - 1) * 20);
  });

  it('per-tile scale: both units reach full colour', () => {
    const { image, clim } = filterAtlas(patches([2, 1]), { ...opts, scale: 'tile' });
    expect(Number.isNaN(clim)).toBe(true);
    expect(count(image, diverging(1))).toBeGreaterThanOrEqual(2 * 5 * 4);
  });

  it('draws no filler: 5 units in 3 columns leave the last position blank paper', () => {
    const five = filterAtlas(patches([1, 1, 1, 1, 1]), { ...opts, columns: 3, clim: 1 });
    const six = filterAtlas(patches([1, 1, 1, 1, 1, 1]), { ...opts, columns: 3, clim: 1 });
    const zero = diverging(0);
    // Same canvas; the sixth tile's zero cells exist only in the picture of six units.
    expect([five.image.width, five.image.height]).toEqual([six.image.width, six.image.height]);
    expect(count(six.image, zero) - count(five.image, zero)).toBe((K * B - 1) * 20);
  });

  it('draws units in the order given, refuses shapes and units that do not fit', () => {
    expect(filterAtlas(patches([1, 2, 3]), { ...opts, units: [2, 0] }).units).toEqual([2, 0]);
    expect(() => filterAtlas(patches([1]), { ...opts, frames: 3 })).toThrow(/3 frames x 10 bands need 30/);
    expect(() => filterAtlas(patches([1]), { ...opts, units: [4] })).toThrow(/unit 4/);
  });

  it('labels frequency with round Hz values placed between band centres', () => {
    const ticks = hzTicks(bandHz, 8); // 100 Hz .. 2263 Hz, half an octave per band, ticks 16 px apart
    expect(hzTicks(bandHz, 4).map((t) => t.label)).toEqual(['100', '500', '2k']); // 8 px apart is too close: thinned
    expect(ticks.map((t) => t.label)).toEqual(['100', '200', '500', '1k', '2k']);
    expect(ticks[1].band).toBeCloseTo(2, 9); // 200 Hz is band 2 exactly
    expect(ticks[2].band).toBeCloseTo(2 * Math.log2(5), 1); // between bands 4 and 5
  });
});
