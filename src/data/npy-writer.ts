/**
 * A float32 .npy file written a block of rows at a time, for arrays too large to hold: rows go
 * straight to disk as they come, and the header, whose shape is only known at the end, is
 * written last into room reserved for it. Readers only ever see the finished file: everything is
 * written to `<path>.<pid>.<random>.tmp` and renamed over `path` by close(); abort() (or a
 * failure) removes the temporary file.
 *
 * Layout (NumPy format v1.0): "\x93NUMPY", 1, 0, uint16 LE header length, then the header dict
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (rows, cols), }` padded with spaces and a
 * newline so that the data starts at byte 128, then rows x cols float32 little-endian.
 */
import { closeSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Matrix } from '../compute/matrix.ts';
import { explainFsError, makeDirs } from '../util/fs-errors.ts';

/** Bytes before the data: room for any shape two numbers of up to 20 digits can spell. */
const DATA_OFFSET = 128;

function header(rows: number, cols: number): Uint8Array {
  const prefix = 10; // magic (6) + version (2) + header length (2)
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  dict = dict.padEnd(DATA_OFFSET - prefix - 1, ' ') + '\n';
  const out = new Uint8Array(DATA_OFFSET);
  out.set([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(Buffer.from(dict, 'latin1'), prefix);
  return out;
}

export class NpyRowWriter {
  private fd: number | null;
  private rows = 0;
  private readonly tmp: string;

  /** Starts `path` (a float32 array of `cols` columns); creates its folder if needed. */
  constructor(readonly path: string, readonly cols: number) {
    this.tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      makeDirs(dirname(path));
      this.fd = openSync(this.tmp, 'w');
      this.write(header(0, cols), 0);
    } catch (e) {
      this.fd = null;
      rmSync(this.tmp, { force: true });
      throw explainFsError(e, path);
    }
  }

  /** Appends the rows of `m` (m.cols must be `cols`). */
  append(m: Matrix): void {
    if (m.cols !== this.cols) throw new Error(`NpyRowWriter: ${m.cols} columns, the file has ${this.cols}`);
    this.guard(() => this.write(new Uint8Array(m.data.buffer, m.data.byteOffset, m.rows * m.cols * 4), DATA_OFFSET + this.rows * this.cols * 4));
    this.rows += m.rows;
  }

  /** Rows appended so far (and not rolled back). */
  get length(): number {
    return this.rows;
  }

  /**
   * Forgets the rows after the first `rows` (e.g. of a recording that turned out to be bad while
   * it was being appended): the next rows overwrite them, close() cuts the file after the last.
   */
  rollback(rows: number): void {
    if (!(rows >= 0 && rows <= this.rows)) throw new Error(`NpyRowWriter: cannot roll back to ${rows} rows of ${this.rows}`);
    this.rows = rows;
  }

  /** Writes the header with the final shape and moves the file into place; returns the rows. */
  close(): number {
    this.guard(() => {
      ftruncateSync(this.fd!, DATA_OFFSET + this.rows * this.cols * 4);
      this.write(header(this.rows, this.cols), 0);
      closeSync(this.fd!);
      this.fd = null;
      renameSync(this.tmp, this.path);
    });
    return this.rows;
  }

  /** Discards the file (an older file at `path` is left as it was). */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }

  private write(bytes: Uint8Array, position: number): void {
    if (this.fd === null) throw new Error('NpyRowWriter: already closed');
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, position + done);
  }

  /** Runs a write; on failure removes the temporary file and says what happened, naming `path`. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.abort();
      throw explainFsError(e, this.path);
    }
  }
}
