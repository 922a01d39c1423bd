import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { GraphBuilder, OPSET } from '../../../src/compute/onnx/graph-builder.ts';
import { createSession, loadOnnxRuntime } from '../../../src/compute/onnx/runtime.ts';
import { mulberry32 } from '../../../src/util/random.ts';

const ort = await loadOnnxRuntime();
if (!ort) console.warn('skipped: onnxruntime-node cannot load here, so the graphs cannot be run');

function random(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 2 * rng() - 1);
}

describe('GraphBuilder', () => {
  it('writes a ModelProto with opset 17, the inputs, constants, nodes and outputs it was given', () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', 'float32', ['n', 3]);
    const w = g.constant('w', new Float32Array(6), [2, 3]);
    g.output(g.op('Gemm', [x, w], { transB: 1 }), 'y', 'float32', ['n', 2]);
    const model = onnxProto.onnx.ModelProto.decode(g.toBytes());
    expect(Number(model.opsetImport[0].version)).toBe(OPSET);
    expect(OPSET).toBeGreaterThanOrEqual(17);
    const graph = model.graph as onnxProto.onnx.GraphProto;
    expect(graph.input.map((i) => i.name)).toEqual(['x']);
    expect(graph.initializer.map((i) => [i.name, (i.dims ?? []).map(Number)])).toEqual([['w', [2, 3]]]);
    expect(graph.node.map((n) => n.opType)).toEqual(['Gemm', 'Identity']);
    expect(graph.output.map((o) => o.name)).toEqual(['y']);
    expect(graph.input[0].type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['n', 3]);
  });

  it('refuses a name used twice, a node reading an undefined value, and a graph without outputs', () => {
    const g = new GraphBuilder('t');
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/used twice/);
    expect(() => g.op('Relu', ['nope'])).toThrow(/nope, which is not defined/);
    expect(() => g.toBytes()).toThrow(/no outputs/);
    expect(() => g.constant('c', new Float32Array(3), [2, 2])).toThrow(/3 values for shape \[2, 2\]/);
  });

  it.skipIf(!ort)('its graphs run in onnxruntime-node: sigmoid(x W\' + b) and column sums equal a plain loop', async () => {
    const n = 5, v = 4, h = 3;
    const X = random(n * v, 1), W = random(h * v, 2), b = random(h, 3);
    const g = new GraphBuilder('affine');
    const x = g.input('x', 'float32', ['n', v]);
    const a = g.op('Sigmoid', [g.op('Gemm', [x, g.constant('W', W, [h, v]), g.constant('b', b, [h])], { transB: 1 })]);
    g.output(a, 'a', 'float32', ['n', h]);
    g.output(g.op('ReduceSum', [a, g.ints([0])], { keepdims: 0 }), 'colSum', 'float32', [h]);
    g.output(g.op('ReduceSumSquare', [x], { axes: [1], keepdims: 0 }), 'rowSq', 'float32', ['n']);
    g.output(g.op('Mul', [x, g.scalar(0.5)]), 'half', 'float32', ['n', v]);
    const session = await createSession(ort!, g.toBytes(), 1);
    const r = await session.run({ x: new ort!.Tensor('float32', X, [n, v]) });
    const colSum = new Float64Array(h);
    for (let k = 0; k < n; k++) {
      let sq = 0;
      for (let i = 0; i < v; i++) sq += X[k * v + i] ** 2;
      expect((r.rowSq.data as Float32Array)[k]).toBeCloseTo(sq, 5);
      for (let j = 0; j < h; j++) {
        let z = b[j];
        for (let i = 0; i < v; i++) z += X[k * v + i] * W[j * v + i];
        const want = 1 / (1 + Math.exp(-z));
        colSum[j] += want;
        expect((r.a.data as Float32Array)[k * h + j]).toBeCloseTo(want, 6);
      }
    }
    for (let j = 0; j < h; j++) expect((r.colSum.data as Float32Array)[j]).toBeCloseTo(colSum[j], 5);
    expect(Array.from(r.half.data as Float32Array)).toEqual(Array.from(X, (t) => Math.fround(t * 0.5)));
    expect(r.a.dims).toEqual([n, h]);
    await session.release();
  });

  it.skipIf(!ort)('float64 graphs compute in float64', async () => {
    const g = new GraphBuilder('f64');
    const x = g.input('x', 'float64', [2]);
    g.output(g.op('Add', [x, g.scalar(1e-12, 'float64')]), 'y', 'float64', [2]);
    const session = await createSession(ort!, g.toBytes(), 1);
    const r = await session.run({ x: new ort!.Tensor('float64', Float64Array.of(1, 2), [2]) });
    expect(Array.from(r.y.data as Float64Array)).toEqual([1 + 1e-12, 2 + 1e-12]);
    await session.release();
  });
});
