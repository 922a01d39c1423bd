import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/compute/matrix.ts';
import { NAN_COLOR, filterGrid, gridColumns, gridSize, spectroTemporalGrid } from '../../src/viz/filter-grid.ts';
import { getPixel, type RgbaImage } from '../../src/viz/raster.ts';

const MID = 128;

/** The grey level of every cell of tile `k`, as rows of the tile (top first), one sample per cell. */
function tileCells(img: RgbaImage, k: number, tileW: number, tileH: number, count: number, opts: { border?: number; sx?: number; sy?: number } = {}) {
  const border = opts.border ?? 1;
  const sx = opts.sx ?? 1;
  const sy = opts.sy ?? 1;
  const cols = gridColumns(count);
  const left = border + (k % cols) * (tileW * sx + border);
  const top = border + Math.floor(k / cols) * (tileH * sy + border);
  const out: number[][] = [];
  for (let y = 0; y < tileH; y++) {
    const row: number[] = [];
    for (let x = 0; x < tileW; x++) {
      // Every pixel of a magnified cell must agree; check its corners.
      const p = getPixel(img, left + x * sx, top + y * sy);
      const q = getPixel(img, left + x * sx + sx - 1, top + y * sy + sy - 1);
      expect(q).toEqual(p);
      expect(p[0]).toBe(p[1]);
      expect(p[1]).toBe(p[2]);
      row.push(p[0]);
    }
    out.push(row);
  }
  return out;
}

describe('grid layout', () => {
  it('chooses near-square grids as display_network.m does', () => {
    expect(gridColumns(100)).toBe(10);
    expect(gridColumns(196)).toBe(14);
    expect(gridColumns(30)).toBe(6); // ceil(sqrt 30) = 6 divides 30
    expect(gridColumns(50)).toBe(9); // 8 does not divide and 8 < 1.2 sqrt(50), so one more step
    expect(gridColumns(1)).toBe(1);
  });

  it('sizes an MNIST grid from tile count, border and magnification', () => {
    const W = matrix(100, 784);
    const img = filterGrid(W, { tileWidth: 28, tileHeight: 28 });
    expect([img.width, img.height]).toEqual([1 + 10 * 29, 1 + 10 * 29]);
    expect(img.rgba.length).toBe(img.width * img.height * 4);

    const big = filterGrid(matrix(30, 784), { tileWidth: 28, tileHeight: 28, scale: 2, border: 3 });
    expect([big.width, big.height]).toEqual([3 + 6 * (56 + 3), 3 + 5 * (56 + 3)]);

    const ragged = filterGrid(matrix(7, 4), { tileWidth: 2, tileHeight: 2, columns: 3 });
    expect([ragged.width, ragged.height]).toEqual([1 + 3 * 3, 1 + 3 * 3]);
    expect(gridSize(7, 2, 2, { columns: 3 }).rows).toBe(3);
  });

  it('sizes a spectro-temporal grid K wide and B tall, widening time steps by default', () => {
    const img = spectroTemporalGrid(matrix(16, 4 * 40), { frames: 4, bands: 40 });
    // scaleX defaults to round(40 / 4) = 10, so each tile is 40 x 40.
    expect([img.width, img.height]).toEqual([1 + 4 * 41, 1 + 4 * 41]);
    const custom = spectroTemporalGrid(matrix(16, 4 * 40), { frames: 4, bands: 40, scaleX: 3, scale: 2 });
    expect([custom.width, custom.height]).toEqual([1 + 4 * (4 * 6 + 1), 1 + 4 * (40 * 2 + 1)]);
  });

  it('rejects a tile shape that does not match the filter length', () => {
    expect(() => filterGrid(matrix(4, 784), { tileWidth: 28, tileHeight: 27 })).toThrow(/784/);
    expect(() => spectroTemporalGrid(matrix(4, 100), { frames: 4, bands: 40 })).toThrow(/160/);
    expect(() => filterGrid(matrix(0, 4), { tileWidth: 2, tileHeight: 2 })).toThrow(/no filters/);
  });
});

describe('spectro-temporal tiles', () => {
  const K = 4;
  const B = 6;

  it.each([
    [0, 0],
    [1, 2],
    [3, 5],
    [2, 0],
  ])('puts a single positive weight at t=%i, b=%i in column t, counted from the bottom by b', (t, b) => {
    const W = matrix(3, K * B);
    W.data[1 * K * B + t * B + b] = 0.7; // tile 1; tiles 0 and 2 stay zero
    const img = spectroTemporalGrid(W, { frames: K, bands: B, scaleX: 3, scaleY: 2 });
    const cells = tileCells(img, 1, K, B, 3, { sx: 3, sy: 2 });
    for (let y = 0; y < B; y++) {
      for (let x = 0; x < K; x++) {
        const expected = x === t && y === B - 1 - b ? 255 : MID;
        expect(cells[y][x], `cell x=${x} y=${y}`).toBe(expected);
      }
    }
    // The all-zero neighbours are flat mid-grey.
    for (const k of [0, 2]) expect(new Set(tileCells(img, k, K, B, 3, { sx: 3, sy: 2 }).flat())).toEqual(new Set([MID]));
  });

  it('draws a rising sweep rising to the right', () => {
    const W = matrix(1, K * B);
    for (let t = 0; t < K; t++) W.data[t * B + t] = 1; // band t at frame t
    const cells = tileCells(spectroTemporalGrid(W, { frames: K, bands: B, scaleX: 1 }), 0, K, B, 1);
    const whiteRow = (x: number) => cells.findIndex((row) => row[x] === 255);
    expect([0, 1, 2, 3].map(whiteRow)).toEqual([5, 4, 3, 2]);
  });
});

describe('MNIST tiles and scaling', () => {
  it('draws the weight vector row-major: index y * width + x lands at (x, y)', () => {
    const W = matrix(1, 784);
    W.data[5 * 28 + 20] = 3;
    const cells = tileCells(filterGrid(W, { tileWidth: 28, tileHeight: 28 }), 0, 28, 28, 1);
    expect(cells[5][20]).toBe(255);
    expect(cells.flat().filter((v) => v !== MID)).toHaveLength(1);
  });

  it('scales each tile symmetrically around zero by its own max |weight|', () => {
    const W = matrix(2, 4);
    W.data.set([-2, 1, 0, 0.5], 0); // |min| is the max: -2 -> black
    W.data.set([4, -1, 0, 2], 4); // max is positive: the min -1 is only a quarter of the way down
    const img = filterGrid(W, { tileWidth: 2, tileHeight: 2 });
    expect(tileCells(img, 0, 2, 2, 2)).toEqual([
      [0, 191],
      [MID, 159],
    ]);
    expect(tileCells(img, 1, 2, 2, 2)).toEqual([
      [255, 96],
      [MID, 191],
    ]);
  });

  it('scales all tiles by the global max |weight| when scaleEachTile is false', () => {
    const W = matrix(2, 1);
    W.data.set([1, -4]);
    const img = filterGrid(W, { tileWidth: 1, tileHeight: 1, scaleEachTile: false });
    expect(tileCells(img, 0, 1, 1, 2)[0][0]).toBe(159); // 1/4 of the way up from mid-grey
    expect(tileCells(img, 1, 1, 1, 2)[0][0]).toBe(0);
  });

  it('draws borders in the border colour and flags non-finite weights', () => {
    const W = matrix(1, 4);
    W.data.set([NaN, 1, 0, -1]);
    const img = filterGrid(W, { tileWidth: 2, tileHeight: 2, border: 2, borderColor: [10, 20, 30] });
    expect(getPixel(img, 0, 0)).toEqual([10, 20, 30, 255]);
    expect(getPixel(img, 2, 2).slice(0, 3)).toEqual([...NAN_COLOR]);
    expect(getPixel(img, 3, 2)[0]).toBe(255);
    expect(getPixel(img, 3, 3)[0]).toBe(0);
  });

  it('leaves the cells after the last tile white, not the black of a dead unit', () => {
    // 5 tiles of 2 x 2 in a 3-column grid: the last row has one unused cell.
    const W = matrix(5, 4);
    W.data.fill(0.5);
    expect(gridColumns(5)).toBe(3);
    const img = filterGrid(W, { tileWidth: 2, tileHeight: 2, border: 1 });
    const emptyLeft = 1 + 2 * (2 + 1), emptyTop = 1 + 1 * (2 + 1);
    for (let y = emptyTop; y < img.height; y++) for (let x = emptyLeft; x < img.width; x++) expect(getPixel(img, x, y).slice(0, 3), `${x},${y}`).toEqual([255, 255, 255]);
    // The tiles themselves and their borders are drawn as before.
    expect(getPixel(img, 0, 0).slice(0, 3)).toEqual([0, 0, 0]);
    expect(tileCells(img, 4, 2, 2, 5)[0][0]).toBeGreaterThan(MID);
  });
});
