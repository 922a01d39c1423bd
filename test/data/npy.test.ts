import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, readNpyMatrix, writeNpy } from '../../src/data/npy.ts';
import { SflError } from '../../src/util/errors.ts';
import { tempDir } from './helpers.ts';

function sample(rows: number, cols: number) {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) * 10 ** ((i % 7) - 3);
  data[1] = -0;
  data[2] = Infinity;
  return { data, rows, cols };
}

describe('npy', () => {
  it('names a file it cannot read, in a sentence', () => {
    const dir = tempDir();
    expect(() => readNpy(join(dir, 'missing.npy'))).toThrow(`${join(dir, 'missing.npy')}: file not found`);
    expect(() => readNpy(dir)).toThrow(`${dir}: cannot read: EISDIR`);
    expect(() => readNpy(dir)).toThrow(SflError);
  });

  it('round-trips a Matrix', () => {
    const path = join(tempDir(), 'm.npy');
    const m = sample(5, 3);
    writeNpy(path, m);
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])); // \x93NUMPY v1.0
    expect(bytes.toString('latin1', 10, 10 + bytes.readUInt16LE(8))).toMatch(/'descr':\s*'<f4'.*'fortran_order':\s*False.*'shape':\s*\(5,\s*3\)/);
    const back = readNpyMatrix(path);
    expect([back.rows, back.cols]).toEqual([5, 3]);
    expect(back.data).toEqual(m.data);
  });

  it('round-trips other ranks and a row view sharing memory', () => {
    const dir = tempDir();
    const cube = { data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 2, 2] };
    writeNpy(join(dir, 'cube.npy'), cube);
    expect(readNpy(join(dir, 'cube.npy'))).toEqual(cube);
    const vec = { data: new Float32Array([0.5, 1.5]), shape: [2] };
    writeNpy(join(dir, 'vec.npy'), vec);
    expect(readNpy(join(dir, 'vec.npy'))).toEqual(vec);
    const big = sample(4, 2);
    const view = { data: big.data.subarray(2, 6), rows: 2, cols: 2 };
    writeNpy(join(dir, 'view.npy'), view);
    expect(readNpyMatrix(join(dir, 'view.npy')).data).toEqual(big.data.slice(2, 6));
  });

  it('refuses a shape that does not fit the data, and bad files with an SflError naming them', () => {
    const dir = tempDir();
    expect(() => writeNpy(join(dir, 'x.npy'), { data: new Float32Array(5), shape: [2, 3] })).toThrow(/needs 6 values/);
    const junk = join(dir, 'junk.npy');
    writeFileSync(junk, 'hello, world');
    expect(() => readNpy(junk)).toThrow(SflError);
    expect(() => readNpy(junk)).toThrow(`${junk}: not a readable .npy file`);
    writeNpy(junk, { data: new Float32Array(6), shape: [1, 2, 3] });
    expect(() => readNpyMatrix(junk)).toThrow(/expected a 2-D array, found shape \(1, 2, 3\)/);
  });
});

// Checks our files against numpy itself, when a python3 with numpy is on this machine.
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
if (!hasNumpy) console.warn('skipping the numpy check of .npy files: python3 with numpy is not available');

describe.skipIf(!hasNumpy)('npy with numpy', () => {
  it('numpy loads our file as float32 with the same values, and we load numpy\'s', () => {
    const dir = tempDir();
    const ours = join(dir, 'ours.npy');
    const theirs = join(dir, 'theirs.npy');
    const m = sample(4, 6);
    writeNpy(ours, m);
    const script = [
      'import sys, numpy as np',
      'a = np.load(sys.argv[1])',
      'assert a.dtype == np.dtype("<f4"), a.dtype',
      'assert a.shape == (4, 6), a.shape',
      'assert a.flags["C_CONTIGUOUS"]',
      'print(" ".join(repr(float(x)) for x in a.ravel()))',
      'np.save(sys.argv[2], (np.arange(12, dtype="<f4") / 3).reshape(3, 4))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, ours, theirs], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const values = run.stdout.trim().split(' ').map((s) => (s === 'inf' ? Infinity : Number(s)));
    expect(Float32Array.from(values)).toEqual(m.data);
    const back = readNpyMatrix(theirs);
    expect([back.rows, back.cols]).toEqual([3, 4]);
    expect(back.data).toEqual(Float32Array.from({ length: 12 }, (_, i) => i / 3));
  });
});
