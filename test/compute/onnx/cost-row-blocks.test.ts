import { describe, expect, it } from 'vitest';
import { BLOCK_BYTES, rowBlocks } from '../../../src/compute/onnx/cost-row-blocks.ts';

describe('rowBlocks', () => {
  it('covers every row once, in order, with sizes differing by at most one row', () => {
    for (const [rows, width, forced] of [[57, 20, 10], [10000, 784, undefined], [3, 5, undefined], [1, 1, 1], [1000, 10, 999]] as const) {
      const blocks = rowBlocks(rows, width, forced);
      expect(blocks[0][0]).toBe(0);
      expect(blocks.at(-1)![1]).toBe(rows);
      for (let k = 1; k < blocks.length; k++) expect(blocks[k][0]).toBe(blocks[k - 1][1]);
      const sizes = blocks.map(([a, b]) => b - a);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(Math.min(...sizes)).toBeGreaterThan(0);
    }
  });

  it('sizes a block to about BLOCK_BYTES of float32 rows, and to about 64 rows at the least for very wide rows', () => {
    const blocks = rowBlocks(10000, 784);
    const rows = blocks[0][1] - blocks[0][0];
    expect(rows * 784 * 4).toBeLessThanOrEqual(BLOCK_BYTES);
    expect(rows * 784 * 4).toBeGreaterThan(BLOCK_BYTES / 2);
    expect(rowBlocks(1000, 100000)).toHaveLength(16); // ceil(1000 / 64) blocks of 62-63 rows
    expect(rowBlocks(100, 784)).toHaveLength(1);
  });
});
