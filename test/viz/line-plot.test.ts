import { describe, expect, it } from 'vitest';
import { linePlot } from '../../src/viz/line-plot.ts';
import { SERIES_COLORS } from '../../src/viz/colormap.ts';
import { SflError } from '../../src/util/errors.ts';
import type { Rgb, RgbaImage } from '../../src/viz/raster.ts';

/** Pixels of exactly colour c, as [x, y] pairs. */
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

const xs = Array.from({ length: 50 }, (_, i) => i);

describe('linePlot', () => {
  it('draws each series in its own colour at the requested size', () => {
    const img = linePlot(
      [
        { name: 'train', x: xs, y: xs.map((i) => i * i) },
        { name: 'test', x: xs, y: xs.map((i) => 2500 - i * i) },
      ],
      { title: 'cost', xLabel: 'iteration', yLabel: 'J', width: 500, height: 300 },
    );
    expect([img.width, img.height]).toEqual([500, 300]);
    // Well beyond the legend swatches (14 x 3 px): the lines themselves are there.
    expect(pixelsOf(img, SERIES_COLORS[0]).length).toBeGreaterThan(300);
    expect(pixelsOf(img, SERIES_COLORS[1]).length).toBeGreaterThan(300);
    expect(pixelsOf(img, SERIES_COLORS[2])).toHaveLength(0);
  });

  it('puts larger y values higher up (an increasing series climbs to the right)', () => {
    const img = linePlot([{ name: '', x: xs, y: xs }], { width: 300, height: 200 });
    const pts = pixelsOf(img, SERIES_COLORS[0]);
    const leftmost = pts.reduce((a, b) => (b[0] < a[0] ? b : a));
    const rightmost = pts.reduce((a, b) => (b[0] > a[0] ? b : a));
    expect(rightmost[0]).toBeGreaterThan(leftmost[0] + 100);
    expect(rightmost[1]).toBeLessThan(leftmost[1] - 50);
  });

  it('skips NaN and infinite points instead of failing', () => {
    const y = xs.map((i) => (i % 10 === 5 ? NaN : i === 20 ? Infinity : i));
    const img = linePlot([{ name: 'gappy', x: xs, y }], { width: 300, height: 200 });
    expect(pixelsOf(img, SERIES_COLORS[0]).length).toBeGreaterThan(100);
  });

  it('lists an empty or all-NaN series but still plots the others', () => {
    const img = linePlot(
      [
        { name: 'empty', x: [], y: [] },
        { name: 'real', x: xs, y: xs },
        { name: 'nan', x: [1, 2], y: [NaN, NaN] },
      ],
      { width: 300, height: 200 },
    );
    expect(pixelsOf(img, SERIES_COLORS[1]).length).toBeGreaterThan(100);
  });

  it('fails clearly when there is nothing to plot', () => {
    expect(() => linePlot([])).toThrow(SflError);
    expect(() => linePlot([{ name: 'a', x: [], y: [] }])).toThrow(/nothing to plot/);
    expect(() => linePlot([{ name: 'a', x: [1, 2], y: [NaN, NaN] }], { title: 'acc' })).toThrow(/"acc".*no finite points/);
    expect(() => linePlot([{ name: 'a', x: [1, 2], y: [0, -1] }], { logY: true })).toThrow(/positive/);
  });

  it('rejects a series whose x and y differ in length', () => {
    expect(() => linePlot([{ name: 'bad', x: [1, 2, 3], y: [1, 2] }])).toThrow(/"bad" has 3 x values but 2 y values/);
  });

  it('plots on a log y axis, leaving out non-positive values', () => {
    const y = xs.map((i) => (i === 3 ? 0 : 100 * Math.exp(-i / 5)));
    const img = linePlot([{ name: 'cost', x: xs, y }], { logY: true, width: 300, height: 200 });
    const pts = pixelsOf(img, SERIES_COLORS[0]);
    // On a log axis an exponential decay is a straight line: the drop over the first and second
    // halves of x should be about equal in pixels.
    const yAt = (x: number) => {
      const col = pts.filter((p) => p[0] === x).map((p) => p[1]);
      return col.reduce((a, b) => a + b, 0) / col.length;
    };
    const xsDrawn = [...new Set(pts.map((p) => p[0]))].sort((a, b) => a - b);
    const x0 = xsDrawn[Math.floor(xsDrawn.length * 0.5)];
    const x1 = xsDrawn[Math.floor(xsDrawn.length * 0.7)];
    const x2 = xsDrawn[Math.floor(xsDrawn.length * 0.9)];
    const d1 = yAt(x1) - yAt(x0);
    const d2 = yAt(x2) - yAt(x1);
    expect(d1).toBeGreaterThan(5);
    expect(Math.abs(d1 - d2)).toBeLessThan(0.2 * d1 + 2);
  });

  it('marks a series of a single point', () => {
    const img = linePlot([{ name: 'one', x: [3], y: [7] }], { width: 200, height: 150 });
    expect(pixelsOf(img, SERIES_COLORS[0]).length).toBeGreaterThan(14 * 3);
  });
});
