import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/compute/onnx/graph-builder.ts';
import { createSession, loadOnnxRuntime } from '../../../src/compute/onnx/runtime.ts';
import { blockLoop } from '../../../src/compute/onnx/block-loop.ts';

const ort = await loadOnnxRuntime();
if (!ort) console.warn('skipped: onnxruntime-node cannot load here, so blockLoop\'s graphs cannot be run');

describe.skipIf(!ort)('blockLoop', () => {
  it('gives every row once, in order, for row counts below, at and past a block (the last block partial)', async () => {
    // rows r of a [count, 2] input x: out = [x[r, 0] + x[r, 1], 10 r], in blocks of 3 rows.
    const g = new GraphBuilder('t');
    const x = g.input('x', 'float32', ['n', 2]);
    const count = g.op('Gather', [g.op('Shape', [x]), g.ints([0])]);
    const [sums, tens] = blockLoop(g, count, 3, (b, rows) => [
      { value: b.op('ReduceSum', [b.op('Gather', [x, rows]), g.ints([1])], { keepdims: 0 }), type: 'float32', dims: ['block'] },
      { value: b.op('Unsqueeze', [b.op('Mul', [rows, g.ints([10])]), g.ints([1])]), type: 'int64', dims: ['block', 1] },
    ]);
    g.output(sums, 'sums', 'float32', ['n']);
    g.output(tens, 'tens', 'int64', ['n', 1]);
    const session = await createSession(ort!, g.toBytes(), 1);
    for (const n of [1, 2, 3, 7, 9]) {
      const data = Float32Array.from({ length: 2 * n }, (_, i) => i);
      const r = await session.run({ x: new ort!.Tensor('float32', data, [n, 2]) });
      expect(r.sums.dims).toEqual([n]);
      expect(Array.from(r.sums.data as Float32Array)).toEqual(Array.from({ length: n }, (_, k) => 4 * k + 1));
      expect(r.tens.dims).toEqual([n, 1]);
      expect(Array.from(r.tens.data as BigInt64Array, Number)).toEqual(Array.from({ length: n }, (_, k) => 10 * k));
    }
    await session.release();
  });
});
