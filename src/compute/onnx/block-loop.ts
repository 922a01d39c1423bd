/**
 * Inference graphs over a recording of any length in blocks of rows, by an ONNX Loop (blockLoop):
 * the exported pipeline's spectrogram frames and windows, whose float64 arrays would otherwise grow
 * with the recording. (The training-cost graphs' row blocks, over a row count known when the graph
 * is built, are cost-row-blocks.ts.)
 */
import type { Dim, ElementType, GraphBuilder } from './graph-builder.ts';

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
