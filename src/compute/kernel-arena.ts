/**
 * Which row kernels the host SGD steps run, and the arrays they run on.
 *
 * A kernel arena holds a set of named float arrays and the kernels bound to them: for the SIMD
 * kernels the arrays are views into one WebAssembly memory (wasm-row-kernels.ts), for the
 * JavaScript ones plain typed arrays (row-kernels.ts). Either way, callers read and write the
 * arrays as ordinary Float32Arrays.
 *
 * SFL_HOST_KERNELS=js forces the JavaScript kernels (for comparisons and benchmarks),
 * SFL_HOST_KERNELS=simd the WebAssembly ones (an error where they cannot run); unset, the SIMD
 * kernels are used wherever the engine validates their module, else the JavaScript ones.
 */
import { jsLayerKernels, jsRowKernels, type LayerKernels, type RowKernels } from './row-kernels.ts';
import { rowKernelsModule, wasmArena } from './wasm-row-kernels.ts';

export type HostKernelKind = 'js' | 'simd';

export interface KernelArena<F extends string, D extends string> {
  readonly kind: HostKernelKind;
  readonly layer: LayerKernels;
  readonly row: RowKernels;
  /** Zeroed float32 arrays by name. */
  readonly f32: Record<F, Float32Array>;
  /** Zeroed float64 arrays by name. */
  readonly f64: Record<D, Float64Array>;
}

/** The kernels to use given SFL_HOST_KERNELS's value and whether the SIMD ones can run. */
export function pickHostKernels(setting: string | undefined, simdRuns: boolean): HostKernelKind {
  if (setting === undefined || setting === '') return simdRuns ? 'simd' : 'js';
  if (setting === 'js') return 'js';
  if (setting === 'simd') {
    if (!simdRuns) throw new Error('SFL_HOST_KERNELS=simd, but this JavaScript engine cannot run WebAssembly SIMD');
    return 'simd';
  }
  throw new Error(`SFL_HOST_KERNELS must be js or simd, not ${JSON.stringify(setting)}`);
}

/** Whether the WebAssembly SIMD kernels run here. */
export function simdKernelsRun(): boolean {
  return rowKernelsModule() !== null;
}

/** The kernels for host layers made now (SFL_HOST_KERNELS is read on every call). */
export function hostKernelKind(): HostKernelKind {
  const setting = process.env.SFL_HOST_KERNELS;
  // The module is only loaded when it may be used.
  return pickHostKernels(setting, setting === 'js' ? false : simdKernelsRun());
}

function jsArena<F extends string, D extends string>(f32: Record<F, number>, f64: Record<D, number>): KernelArena<F, D> {
  const a32 = Object.fromEntries(Object.entries<number>(f32).map(([k, n]) => [k, new Float32Array(n)])) as Record<F, Float32Array>;
  const a64 = Object.fromEntries(Object.entries<number>(f64).map(([k, n]) => [k, new Float64Array(n)])) as Record<D, Float64Array>;
  return { kind: 'js', layer: jsLayerKernels, row: jsRowKernels, f32: a32, f64: a64 };
}

/** Arrays of the given lengths with the kernels of `kind` bound to them. */
export function kernelArena<F extends string, D extends string>(kind: HostKernelKind, f32: Record<F, number>, f64: Record<D, number>): KernelArena<F, D> {
  return kind === 'simd' ? wasmArena(f32, f64) : jsArena(f32, f64);
}
