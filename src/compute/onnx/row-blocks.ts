/**
 * Row blocks. The training-cost graphs (rowBlocks, BlockSum): the examples are split into blocks of consecutive rows,
 * and each block runs the whole elementwise chain and its matrix products before the next starts.
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
 * Inference graphs over a recording of any length (blockLoop, an ONNX Loop): the exported pipeline's
 * spectrogram frames and windows, whose float64 arrays would otherwise grow with the recording.
 */
import type { Dim, ElementType, GraphBuilder } from './graph-builder.ts';

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

/** One per-row value a block's subgraph gives: `dims` are its shape per block ('block' rows first). */
export interface BlockOutput {
  value: string;
  type: ElementType;
  dims: Dim[];
}

/**
 * Inside a graph whose row count is known only when it runs (an inference graph over a recording of
 * any length): computes per-row values in blocks of at most `perBlock` rows, by an ONNX Loop, so
 * that the intermediate arrays of a long input are bounded by one block's. `count` is the int64 [1]
 * number of rows; `build` adds the block's nodes to `body` given the int64 [size] indices of its
 * rows, and returns its per-row values. Returns their names, each count x (the rest of its dims).
 *
 * A short input is one block of its own size. Every block has the same size (a Loop's outputs must
 * agree), so the last block's rows past the end repeat the last row; they are cut off after the loop.
 */
export function blockLoop(
  g: GraphBuilder, count: string, perBlock: number, build: (body: GraphBuilder, rows: string) => BlockOutput[],
): string[] {
  const i64 = (v: number): string => g.ints([v]);
  const blockSize = g.op('Min', [count, i64(Math.max(1, Math.floor(perBlock)))]); // [1]
  const blocks = g.op('Div', [g.op('Sub', [g.op('Add', [count, blockSize]), i64(1)]), blockSize]); // ceil(count / size)
  const last = g.op('Sub', [count, i64(1)]);
  const body = g.subgraph(g.fresh('block'));
  const iteration = body.input(`${body.name}_number`, 'int64', []);
  const condition = body.input(`${body.name}_condition`, 'bool', []);
  const size = body.op('Squeeze', [blockSize]);
  const rows = body.op('Min', [
    body.op('Add', [body.op('Mul', [iteration, size]), body.op('Range', [g.scalar(0, 'int64'), size, g.scalar(1, 'int64')])]),
    last,
  ]);
  const outs = build(body, rows);
  body.output(body.op('Identity', [condition]), `${body.name}_condition_out`, 'bool', []);
  for (const o of outs) body.output(o.value, `${o.value}_out`, o.type, o.dims);
  const stacked = g.opMulti('Loop', [g.op('Squeeze', [blocks]), ''], outs.length, { body }); // blocks x size x ...
  return stacked.map((s) => {
    const shape = g.op('Concat', [i64(-1), g.op('Shape', [s], { start: 2 })], { axis: 0 });
    return g.op('Slice', [g.op('Reshape', [s, shape]), i64(0), count, i64(0)]);
  });
}
