import { readFileOrSay } from '../util/fs-errors.ts';
import { dump, parse } from 'npyjs';
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';

/**
 * NumPy .npy files of float32 ('<f4', C order), so features and spectra can be opened with
 * numpy.load. Encoding and parsing are npyjs's (dump / parse); this module adds shapes checks,
 * the Matrix form, atomic writes and SflErrors that name the file.
 */

/** A float32 array of any rank; data holds prod(shape) values in C (row-major) order. */
export interface NpyArray {
  data: Float32Array;
  shape: number[];
}

/** Writes `m` (a Matrix becomes shape [rows, cols]) as .npy v1.0 float32 little-endian, atomically. */
export function writeNpy(path: string, m: Matrix | NpyArray): void {
  const shape = 'shape' in m ? m.shape : [m.rows, m.cols];
  if (!(m.data instanceof Float32Array)) throw new TypeError(`writeNpy: data must be a Float32Array`);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new TypeError(`writeNpy: bad shape [${shape.join(', ')}]`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== m.data.length) {
    throw new TypeError(`writeNpy: shape [${shape.join(', ')}] needs ${n} values, data has ${m.data.length}`);
  }
  // npyjs writes the header with the host's byte order; every Node target we run on is
  // little-endian, which gives the documented '<f4'.
  writeFileAtomic(path, new Uint8Array(dump(m.data, shape)));
}

/** Reads a float32 .npy file (little-endian, C order). SflError naming the file otherwise. */
export function readNpy(path: string): NpyArray {
  const bytes = readFileOrSay(path);
  // parse() needs an ArrayBuffer of its own (typed-array views at absolute offsets), so copy out
  // of Node's buffer pool.
  const own = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let arr: ReturnType<typeof parse>;
  try {
    arr = parse(own);
  } catch (err) {
    throw new SflError(`not a readable .npy file: ${(err as Error).message}`, path);
  }
  if (!(arr.data instanceof Float32Array) || arr.dtype !== 'f4') {
    throw new SflError(`expected float32 ('<f4') data, found dtype '${arr.dtype}'`, path);
  }
  if (arr.fortranOrder) throw new SflError('Fortran-order arrays are not supported (save with C order)', path);
  const n = arr.shape.reduce((a, b) => a * b, 1);
  if (arr.data.length !== n) {
    throw new SflError(`shape (${arr.shape.join(', ')}) needs ${n} values but the file holds ${arr.data.length}`, path);
  }
  return { data: arr.data, shape: arr.shape };
}

/** Reads a 2-D float32 .npy file as a Matrix. */
export function readNpyMatrix(path: string): Matrix {
  const { data, shape } = readNpy(path);
  if (shape.length !== 2) throw new SflError(`expected a 2-D array, found shape (${shape.join(', ')})`, path);
  return { data, rows: shape[0], cols: shape[1] };
}
