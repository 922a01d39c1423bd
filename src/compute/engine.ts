/**
 * Where the numbers run: the one place that reads the compute settings (SFL_ENGINE, SFL_WORKERS,
 * SFL_THREADS, SFL_HOST_KERNELS; SFL_BACKEND in backend.ts, which loads the backend) and chooses a path for each kind of work. The paths themselves live beside
 * this file (onnx/, parallel.ts, row-kernels*, backend.ts for the TensorFlow.js backend).
 *
 *   the training costs       onnx  an ONNX graph in ONNX Runtime (onnxruntime-node's native CPU
 *   (sparse autoencoder;           library, SFL_THREADS intra-op threads, default one per core)
 *   stacked pretraining)     wasm  TensorFlow.js on the backend initBackend() chose, split across
 *                                  workerCount() worker threads once the data has PARALLEL_MIN_ELEMENTS
 *                                  values, else on this thread; the fallback and the cross-check
 *   host SGD steps           simd  WebAssembly SIMD row kernels (row-kernels.wat)
 *   (MNIST baselines,        js    the same kernels as JavaScript loops (row-kernels.ts)
 *   small minibatches)
 *   everything else          TensorFlow.js on the chosen backend (tensorflow > wasm > cpu, SFL_BACKEND)
 *
 * Default engine: onnx when onnxruntime-node loads, else wasm. SFL_ENGINE=onnx|wasm forces one; a
 * forced engine that cannot load is an error. The engine is chosen once per process and written
 * to run.json. Each variable is parsed here only, and a value that is not understood is an error
 * naming it, never a silent default.
 */
import { availableParallelism } from 'node:os';
import { SflError } from '../util/errors.ts';
import { loadOnnxRuntime, onnxRuntimeFailure } from './onnx/runtime.ts';
import type { HostKernelKind } from './row-kernels.ts';
import { rowKernelsModule } from './wasm-row-kernels.ts';

export type EngineName = 'onnx' | 'wasm';
const ENGINES: readonly EngineName[] = ['onnx', 'wasm'];

let chosen: Promise<EngineName> | undefined;
let onnxFailure: string | undefined;

/** Chooses the engine for `forced` (SFL_ENGINE by default). Exported for tests; callers use engine(). */
export async function selectEngine(forced: string | undefined = process.env.SFL_ENGINE): Promise<EngineName> {
  if (forced !== undefined && forced !== '' && !ENGINES.includes(forced as EngineName)) {
    throw new SflError(`SFL_ENGINE=${forced} is not one of ${ENGINES.join(', ')}`);
  }
  if (forced === 'wasm') return 'wasm';
  const ort = await loadOnnxRuntime();
  if (ort) return 'onnx';
  onnxFailure = onnxRuntimeFailure();
  if (forced === 'onnx') throw new SflError(`SFL_ENGINE=onnx was requested but onnxruntime-node cannot load: ${onnxFailure}`);
  return 'wasm';
}

/** The engine of this process (chosen once). */
export function engine(): Promise<EngineName> {
  chosen ??= selectEngine();
  return chosen;
}

/** Why the onnx engine is not in use, when it was tried and did not load. */
export function engineFailure(): string | undefined {
  return onnxFailure;
}

/**
 * Worker threads for the wasm engine's data-parallel costs: `requested` (a caller's own count),
 * else SFL_WORKERS, else one per core; at least 1. SFL_WORKERS must be a whole number >= 1.
 */
export function workerCount(requested?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (requested !== undefined) return Math.max(1, Math.floor(requested));
  const raw = env.SFL_WORKERS;
  if (raw === undefined || raw.trim() === '') return Math.max(1, availableParallelism());
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new SflError(`SFL_WORKERS must be a whole number of worker threads, 1 or more (got "${raw}")`);
  return n;
}

/** Intra-op threads of the ONNX Runtime sessions: SFL_THREADS (a whole number >= 1), else one per core. */
export function onnxThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SFL_THREADS;
  if (raw === undefined || raw.trim() === '') return Math.max(1, availableParallelism());
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new SflError(`SFL_THREADS must be a whole number of threads, 1 or more (got "${raw}")`);
  return n;
}

/** Below this many values (rows x columns) a cost is faster on one thread than with the round trips to workers. */
export const PARALLEL_MIN_ELEMENTS = 1e6;

/** How a training cost over `rows` x `cols` data runs. */
export type CostPath = { engine: 'onnx' } | { engine: 'wasm'; workers: number };

/** The path of a training cost: the engine, and on wasm how many worker threads (1: this thread). */
export async function costPath(rows: number, cols: number, requestedWorkers?: number, env: NodeJS.ProcessEnv = process.env): Promise<CostPath> {
  if ((await engine()) === 'onnx') return { engine: 'onnx' };
  const n = workerCount(requestedWorkers, env);
  return { engine: 'wasm', workers: n > 1 && rows * cols >= PARALLEL_MIN_ELEMENTS ? n : 1 };
}

/** The host kernels given SFL_HOST_KERNELS's value and whether the SIMD ones can run here. */
export function pickHostKernels(setting: string | undefined, simdRuns: boolean): HostKernelKind {
  if (setting === undefined || setting === '') return simdRuns ? 'simd' : 'js';
  if (setting === 'js') return 'js';
  if (setting === 'simd') {
    if (!simdRuns) throw new SflError('SFL_HOST_KERNELS=simd, but this JavaScript engine cannot run WebAssembly SIMD');
    return 'simd';
  }
  throw new SflError(`SFL_HOST_KERNELS must be js or simd, not ${JSON.stringify(setting)}`);
}

/** Whether the WebAssembly SIMD kernels run here. */
export function simdKernelsRun(): boolean {
  return rowKernelsModule() !== null;
}

/**
 * The kernels for host layers made now: SIMD where the engine validates their module, else
 * JavaScript; SFL_HOST_KERNELS=js|simd forces one (read on every call, for comparisons).
 */
export function hostKernelKind(env: NodeJS.ProcessEnv = process.env): HostKernelKind {
  const setting = env.SFL_HOST_KERNELS;
  // The module is only loaded when it may be used.
  return pickHostKernels(setting, setting === 'js' ? false : simdKernelsRun());
}
