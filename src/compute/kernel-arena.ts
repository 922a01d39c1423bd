/**
 * The arrays the host SGD steps' row kernels run on (which kernels run is chosen in engine.ts).
 *
 * A kernel arena holds a set of named float arrays and the kernels bound to them: for the SIMD
 * kernels the arrays are views into one WebAssembly memory (wasm-row-kernels.ts), for the
 * JavaScript ones plain typed arrays (row-kernels.ts). Either way, callers read and write the
 * arrays as ordinary Float32Arrays.
 *
 */
import { jsLayerKernels, jsRowKernels, type HostKernelKind, type KernelArena } from './row-kernels.ts';
import { wasmArena } from './wasm-row-kernels.ts';

function jsArena<F extends string, D extends string>(f32: Record<F, number>, f64: Record<D, number>): KernelArena<F, D> {
  const a32 = Object.fromEntries(Object.entries<number>(f32).map(([k, n]) => [k, new Float32Array(n)])) as Record<F, Float32Array>;
  const a64 = Object.fromEntries(Object.entries<number>(f64).map(([k, n]) => [k, new Float64Array(n)])) as Record<D, Float64Array>;
  return { kind: 'js', layer: jsLayerKernels, row: jsRowKernels, f32: a32, f64: a64 };
}

/** Arrays of the given lengths with the kernels of `kind` bound to them. */
export function kernelArena<F extends string, D extends string>(kind: HostKernelKind, f32: Record<F, number>, f64: Record<D, number>): KernelArena<F, D> {
  return kind === 'simd' ? wasmArena(f32, f64) : jsArena(f32, f64);
}
