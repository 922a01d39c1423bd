import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/compute/matrix.ts';
import { NpyRowWriter } from '../../src/data/npy-writer.ts';
import { readNpy } from '../../src/data/npy.ts';
import { tempDir } from './helpers.ts';

const block = (rows: number, cols: number, start: number) => {
  const m = matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = start + i / 8;
  return m;
};

describe('NpyRowWriter', () => {
  it('writes blocks of rows as one float32 array, readable by our reader and by numpy', () => {
    const dir = tempDir();
    const path = join(dir, 'x.npy');
    const w = new NpyRowWriter(path, 3);
    const blocks = [block(2, 3, 0), block(0, 3, 100), block(5, 3, 200)];
    for (const b of blocks) w.append(b);
    expect(readdirSync(dir)).not.toContain('x.npy'); // not visible until closed
    expect(w.close()).toBe(7);
    expect(readdirSync(dir)).toEqual(['x.npy']);
    const back = readNpy(path);
    expect(back.shape).toEqual([7, 3]);
    expect(Array.from(back.data)).toEqual([...blocks[0].data, ...blocks[2].data]);
    const numpy = spawnSync('python3', ['-c', 'import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype, a.shape, float(a[6, 2]))', path], { encoding: 'utf8' });
    if (numpy.status === 0) expect(numpy.stdout.trim()).toBe(`float32 (7, 3) ${200 + 14 / 8}`);
    else console.warn('skipping the numpy check: python3 with numpy is not available');
  });

  it('abort leaves an older file as it was and nothing else', () => {
    const dir = tempDir();
    const path = join(dir, 'x.npy');
    writeFileSync(path, 'older');
    const w = new NpyRowWriter(path, 2);
    w.append(block(3, 2, 0));
    w.abort();
    expect(readdirSync(dir)).toEqual(['x.npy']);
    expect(readFileSync(path, 'utf8')).toBe('older');
  });
});
