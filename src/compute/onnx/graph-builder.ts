/**
 * A small builder for ONNX graphs: named inputs, constant tensors (initializers), nodes and outputs,
 * serialised as an ONNX ModelProto (opset 17, IR version 8) with the onnx-proto schema package.
 *
 * It is deliberately thin: a node is its ONNX operator name, its input value names and its
 * attributes, exactly as in the ONNX operator documentation (https://onnx.ai/onnx/operators/), so a
 * graph written with it reads like the operator list it becomes. Values are referred to by name;
 * `op` returns the name of a new, unique output value.
 *
 *   const g = new GraphBuilder('affine');
 *   const x = g.input('x', 'float32', ['n', 3]);
 *   const w = g.constant('w', Float32Array.from([...]), [2, 3]);
 *   g.output(g.op('Gemm', [x, w], { transB: 1 }), 'y', 'float32', ['n', 2]);
 *   const bytes = g.toBytes(); // an .onnx file, ready for InferenceSession.create(bytes)
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX opset of every graph this project writes (ONNX 1.12; onnxruntime supports it since 1.12). */
export const OPSET = 17;
/** IR version 8 is the one that goes with opset 17. */
const IR_VERSION = 8;

export type ElementType = 'float32' | 'float64' | 'int64' | 'bool';
/** The precision a cost graph computes in (its float inputs, constants and products). */
export type Precision = Extract<ElementType, 'float32' | 'float64'>;
/** A dimension: a number, or a name for a size known only when the graph runs (e.g. the batch). */
export type Dim = number | string;
export type AttributeValue = number | string | number[] | Float32Array | GraphBuilder;

const ELEM: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** The TensorProto code of an element type: Cast's `to` attribute. */
export function dataType(type: ElementType): number {
  return ELEM[type];
}

function valueInfo(name: string, type: ElementType, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorProto(name: string, data: Float32Array | Float64Array | BigInt64Array, dims: number[]): onnxProto.onnx.ITensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`onnx constant ${name}: ${data.length} values for shape [${dims.join(', ')}]`);
  const type: ElementType = data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : 'int64';
  // raw_data is little-endian, as the typed array's bytes are on every platform Node runs on.
  return { name, dims, dataType: ELEM[type], rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: A.INT, i: value } : { name, type: A.FLOAT, f: value };
  }
  if (value instanceof Float32Array) return { name, type: A.FLOATS, floats: Array.from(value) };
  if (value instanceof GraphBuilder) return { name, type: A.GRAPH, g: value.toGraph() };
  return { name, type: A.INTS, ints: value };
}

/** Value names and the fresh-name counter, shared by a graph and its subgraphs (ONNX names are unique across them). */
interface Scope {
  names: Set<string>;
  counter: number;
}

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly scope: Scope;

  constructor(readonly name: string, outer?: GraphBuilder) {
    this.scope = outer ? outer.scope : { names: new Set(), counter: 0 };
  }

  /**
   * A subgraph, e.g. a Loop's body (passed as the node's `body` attribute). Its nodes may read the
   * outer graph's values by name, as ONNX allows; its names are unique across both.
   */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(name, this);
  }

  /** A name not handed out before (`prefix`_n), for values and subgraphs named by a helper. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  private get names(): Set<string> {
    return this.scope.names;
  }

  private get counter(): number {
    return this.scope.counter;
  }

  private set counter(n: number) {
    this.scope.counter = n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`onnx graph ${this.name}: the value name ${name} is used twice`);
    this.names.add(name);
    return name;
  }

  /** A graph input, fed at every run. */
  input(name: string, type: ElementType, dims: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, dims));
    return name;
  }

  /** A constant tensor stored in the model (e.g. the training examples, a filterbank). */
  constant(name: string, data: Float32Array | Float64Array | BigInt64Array, dims: number[]): string {
    this.initializers.push(tensorProto(this.claim(name), data, dims));
    return name;
  }

  /** A scalar constant (shape []), broadcast by the elementwise operators; float32 unless `type` says. */
  scalar(value: number, type: Exclude<ElementType, 'bool'> = 'float32', name = `c${this.counter++}`): string {
    const data = type === 'float32' ? Float32Array.of(value) : type === 'float64' ? Float64Array.of(value) : BigInt64Array.of(BigInt(value));
    return this.constant(name, data, []);
  }

  /** An int64 vector constant, e.g. the `axes` input of ReduceSum. */
  ints(values: number[], name = `i${this.counter++}`): string {
    return this.constant(name, BigInt64Array.from(values.map(BigInt)), [values.length]);
  }

  /** A node with one output; returns the output's name (`name` if given, else a fresh one). */
  op(opType: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, name?: string): string {
    return this.node(opType, inputs, attrs, name, (base) => [base])[0];
  }

  /** A node with several outputs (e.g. a Loop with several scan outputs); returns their names. */
  opMulti(opType: string, inputs: string[], outputs: number, attrs: Record<string, AttributeValue> = {}): string[] {
    return this.node(opType, inputs, attrs, undefined, (base) => Array.from({ length: outputs }, (_, k) => `${base}_${k}`));
  }

  /**
   * Adds a node named `name` (else a fresh name from its type) whose outputs are `outputNames` of
   * that name, after checking that every input ('' = an optional input left out) is defined.
   */
  private node(opType: string, inputs: string[], attrs: Record<string, AttributeValue>, name: string | undefined, outputNames: (base: string) => string[]): string[] {
    for (const i of inputs) {
      if (i !== '' && !this.names.has(i)) throw new Error(`onnx graph ${this.name}: ${opType} reads ${i}, which is not defined yet`);
    }
    const base = name ?? this.fresh(opType.toLowerCase());
    const output = outputNames(base).map((o) => this.claim(o));
    this.nodes.push({ opType, input: inputs, output, name: base, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return output;
  }

  /** Declares `value` a graph output named `name` (an Identity node renames it when they differ). */
  output(value: string, name: string, type: ElementType, dims: Dim[]): void {
    const v = value === name ? value : this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(v, type, dims));
  }

  /** The GraphProto (a model's graph, or a subgraph's body). */
  toGraph(): onnxProto.onnx.IGraphProto {
    if (this.outputs.length === 0) throw new Error(`onnx graph ${this.name} has no outputs`);
    return { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers };
  }

  /** The ModelProto's bytes: an .onnx file. */
  toBytes(docString = ''): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'sfl',
      opsetImport: [{ domain: '', version: OPSET }],
      docString,
      graph: this.toGraph(),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
