/**
 * The training-cost graphs in row blocks (rowBlocks, BlockSum): the examples are split into blocks
 * of consecutive rows, and each block runs the whole elementwise chain and its matrix products
 * before the next starts.
 *
 * Why: between the products, a cost graph makes several elementwise passes over m x v arrays
 * (sigmoid, a3 - x, the squared error, a3 (1 - a3), the deltas). For MNIST's 10,000 x 784 each pass
 * is 31 MB, far beyond the caches, so the passes run at memory speed and took about a fifth of an
 * evaluation. With blocks of a few hundred rows, each block's arrays (about 2 MB) stay in cache from
 * the product that writes them to the products that read them. Measured on the sparse autoencoder
 * (10,000 x 784 -> 196, one intra-op thread, CPU time per evaluation, same process): 258-282 ms
 * whole, 204-210 ms in 10 or 20 blocks, 223-240 ms for the five products alone without blocks.
 * The stacked fine-tuning cost (10,000 x 784 -> 196 -> 196 -> 10): 148-150 ms whole, 109-112 ms in
 * blocks. Softmax regression is not blocked: its per-example arrays are only k (classes) wide, and
 * in blocks it measured no faster (60,000 x 196 -> 10: 15.6 ms whole, 16.5 ms in blocks).
 *
 * Sums over the examples are accumulated across blocks inside the graph: gradient products by
 * Gemm's C input (beta 1), vectors by Add; per-row outputs are concatenated.
 *
 * (Inference graphs over an input of unknown length run in blocks too, differently: block-loop.ts.)
 */
import type { GraphBuilder } from './graph-builder.ts';

/** The size of one block's widest m x cols array (float32) that keeps it in a core's cache. */
export const BLOCK_BYTES = 2 ** 21;
/** Fewer rows than this make the products' own overhead (packing the right-hand side) show. */
const MIN_BLOCK_ROWS = 64;

/**
 * Row ranges [start, end) covering `rows` rows, each about BLOCK_BYTES of float32 rows `width`
 * values wide (the widest per-example array of the graph). `blockRows` forces a size (tests use it
 * to run several blocks on small data).
 */
export function rowBlocks(rows: number, width: number, blockRows?: number): Array<[number, number]> {
  const size = Math.max(1, Math.floor(blockRows ?? Math.max(MIN_BLOCK_ROWS, BLOCK_BYTES / (4 * Math.max(1, width)))));
  const count = Math.max(1, Math.ceil(rows / size));
  // Equal blocks (sizes differing by at most one row) rather than a short last one.
  return Array.from({ length: count }, (_, k): [number, number] => [Math.floor((k * rows) / count), Math.floor(((k + 1) * rows) / count)]);
}

/**
 * A running sum over blocks inside a graph. `add(product)` for Gemm results passes the sum so far as
 * Gemm's C input (the product accumulates into it); `add(value)` for other values uses Add.
 */
export class BlockSum {
  private sum: string | undefined;

  constructor(private readonly g: GraphBuilder) {}

  /** Adds Gemm(a, b) with `attrs` (transA/transB) to the sum, as one Gemm. */
  gemm(a: string, b: string, attrs: Record<string, number>): void {
    this.sum = this.g.op('Gemm', this.sum === undefined ? [a, b] : [a, b, this.sum], attrs);
  }

  /** Adds a value of the sum's shape. */
  add(value: string): void {
    this.sum = this.sum === undefined ? value : this.g.op('Add', [this.sum, value]);
  }

  /** The sum's value name (after at least one addition). */
  get value(): string {
    if (this.sum === undefined) throw new Error('BlockSum: nothing was added');
    return this.sum;
  }
}
