/**
 * The WebAssembly SIMD row kernels (row-kernels.wat, compiled to the committed row-kernels.wasm
 * by `npm run build:wasm`) behind the same interfaces as the JavaScript ones (row-kernels.ts).
 *
 * The kernels work on arrays inside a WebAssembly memory, so each arena has its own memory,
 * sized once for all its arrays and never grown: growing would detach every Float32Array view
 * of it, and those views are what the rest of the code reads and writes (host layers' W and b,
 * pulled to and pushed from tfjs variables). A kernel given an array from elsewhere throws.
 */
import { readFileSync } from 'node:fs';
import type { KernelArena, LayerKernels, RowKernels } from './row-kernels.ts';

interface Exports {
  dot(p: number, q: number, n: number): number;
  axpy(y: number, a: number, src: number, n: number): void;
  dot_then_update(w: number, v: number, shrink: number, a: number, n: number): number;
  update(w: number, shrink: number, a: number, v: number, n: number): void;
  update2(w: number, shrink: number, a: number, v: number, c: number, u: number, n: number): void;
  forward(W: number, x: number, nIn: number, nOut: number, b: number, out: number): void;
  backward(W: number, x: number, delta: number, nIn: number, nOut: number, lr: number, shrink: number, dx: number, hasDx: number): void;
  da_decode(W: number, h: number, bVisible: number, x: number, nIn: number, nOut: number, da: number, a: number, dh: number): void;
  da_update(W: number, h: number, da: number, noisy: number, dh: number, lr: number, nIn: number, nOut: number, bVisible: number): void;
  sum_squares(p: number, n: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled kernels, once per process; null where this engine cannot run them. Validating the
 * module itself is the feature test: it fails exactly when an instruction it uses (fixed-width
 * SIMD, bulk memory) is unsupported.
 */
export function rowKernelsModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    if (typeof WebAssembly !== 'object') compiled = null;
    else {
      const bytes = readFileSync(new URL('./row-kernels.wasm', import.meta.url));
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    }
  }
  return compiled;
}

const ALIGN = 16;
const PAGE = 65536;

/** Float32 and float64 arrays of the given lengths in a fresh memory, each 16-byte aligned, with kernels bound to it. */
export function wasmArena<F extends string, D extends string>(f32: Record<F, number>, f64: Record<D, number>): KernelArena<F, D> {
  const module = rowKernelsModule();
  if (!module) throw new Error('this JavaScript engine cannot run the WebAssembly SIMD row kernels');
  const regions = [
    ...Object.entries<number>(f32).map(([name, n]) => ({ name, n, bytes: 4 * n })),
    ...Object.entries<number>(f64).map(([name, n]) => ({ name, n, bytes: 8 * n })),
  ];
  let total = 0;
  const offsets = regions.map((r) => {
    const o = total;
    total += Math.ceil(r.bytes / ALIGN) * ALIGN;
    return o;
  });
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const k = new WebAssembly.Instance(module, { env: { memory, exp: Math.exp } }).exports as unknown as Exports;
  const buffer = memory.buffer;
  const views32 = {} as Record<F, Float32Array>;
  const views64 = {} as Record<D, Float64Array>;
  regions.forEach((r, i) => {
    if (i < Object.keys(f32).length) views32[r.name as F] = new Float32Array(buffer, offsets[i], r.n);
    else views64[r.name as D] = new Float64Array(buffer, offsets[i], r.n);
  });
  /** The byte offset of element o of an array of this arena that holds at least o + n values. */
  const at = (a: Float32Array | Float64Array, n: number, o = 0): number => {
    if (a.buffer !== buffer) throw new RangeError('the WebAssembly kernels were given an array outside their memory');
    if (o < 0 || o + n > a.length) throw new RangeError(`the WebAssembly kernels need ${o + n} values of an array of ${a.length}`);
    return a.byteOffset + a.BYTES_PER_ELEMENT * o;
  };
  const row: RowKernels = {
    dot: (W, o, v, n) => k.dot(at(W, n, o), at(v, n), n),
    axpyFromRow: (y, a, W, o, n) => k.axpy(at(y, n), a, at(W, n, o), n),
    dotThenUpdate: (W, o, v, shrink, a, n) => k.dot_then_update(at(W, n, o), at(v, n), shrink, a, n),
    update: (W, o, shrink, a, v, c, u, n) => (u ? k.update2(at(W, n, o), shrink, a, at(v, n), c, at(u, n), n) : k.update(at(W, n, o), shrink, a, at(v, n), n)),
  };
  const layer: LayerKernels = {
    forward: (W, x, nIn, nOut, b, out) => k.forward(at(W, nIn * nOut), at(x, nIn), nIn, nOut, at(b, nOut), at(out, nOut)),
    backward: (W, x, delta, nIn, nOut, lr, shrink, dx) =>
      k.backward(at(W, nIn * nOut), at(x, nIn), at(delta, nOut), nIn, nOut, lr, shrink, dx ? at(dx, nIn) : 0, dx ? 1 : 0),
    daDecode: (W, h, bVisible, x, nIn, nOut, da, a, dh) =>
      k.da_decode(at(W, nIn * nOut), at(h, nOut), at(bVisible, nIn), at(x, nIn), nIn, nOut, at(da, nIn), at(a, nIn), at(dh, nOut)),
    daUpdate: (W, h, da, noisy, dh, lr, nIn, nOut, bVisible) =>
      k.da_update(at(W, nIn * nOut), at(h, nOut), at(da, nIn), at(noisy, nIn), at(dh, nOut), lr, nIn, nOut, at(bVisible, nIn)),
    sumSquares: (W) => k.sum_squares(at(W, W.length), W.length),
  };
  return { kind: 'simd', row, layer, f32: views32, f64: views64 };
}
