/**
 * A matrix that is read once, a block of rows at a time, with its shape known before the first
 * block: how a recording's spectrogram travels (decoded and transformed, or read from the spectra
 * cache) so that no consumer ever needs it whole. Knowing `rows` up front is what lets the window
 * sampler choose its windows before they pass by (features/sampler.ts, WindowReservoir.begin).
 *
 * Contract: iterate once with `for await`; the blocks, concatenated, have exactly `rows` x `cols`
 * values; each block is a new Matrix the consumer may keep. Iteration may throw at any point (a
 * damaged file is often only found at its end): a consumer then discards what it took from this
 * matrix.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';

export interface RowBlocks extends AsyncIterable<Matrix> {
  /** Rows of the whole matrix (e.g. frames of the spectrogram). */
  readonly rows: number;
  /** Columns of every block (e.g. bands). */
  readonly cols: number;
}

/** Rows per block when a matrix in memory or on disk is handed out in blocks: 4096 x 40 float32 = 640 KB. */
export const BLOCK_ROWS = 4096;

/** A matrix already in memory, as blocks (views of it, no copy). */
export function blocksOfMatrix(m: Matrix, blockRows = BLOCK_ROWS): RowBlocks {
  return {
    rows: m.rows,
    cols: m.cols,
    async *[Symbol.asyncIterator]() {
      for (let r = 0; r < m.rows; r += blockRows) {
        const end = Math.min(m.rows, r + blockRows);
        yield { data: m.data.subarray(r * m.cols, end * m.cols), rows: end - r, cols: m.cols };
      }
    },
  };
}

/** The whole matrix (one allocation of rows x cols), for the consumers that need it whole. */
export async function collectRows(blocks: RowBlocks): Promise<Matrix> {
  const out = matrix(blocks.rows, blocks.cols);
  let at = 0;
  for await (const b of blocks) {
    if (at + b.rows > blocks.rows) throw new Error(`collectRows: more than the ${blocks.rows} rows announced`);
    out.data.set(b.data.subarray(0, b.rows * b.cols), at * blocks.cols);
    at += b.rows;
  }
  if (at !== blocks.rows) throw new Error(`collectRows: ${at} rows arrived, ${blocks.rows} were announced`);
  return out;
}
