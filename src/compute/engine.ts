/**
 * Which engine runs the training costs (the sparse autoencoder's cost and gradient; softmax and the
 * stacked network's fine-tuning where they have a graph):
 *   onnx  the costs as ONNX graphs in ONNX Runtime (onnxruntime-node's native CPU library, all cores)
 *   wasm  the costs in TensorFlow.js on the backend initBackend() chose (wasm, or cpu), split across
 *         worker threads; the fallback, and the cross-check of the onnx graphs
 * Default: onnx when onnxruntime-node loads, else wasm. SFL_ENGINE=onnx|wasm forces one; a forced
 * engine that cannot load is an error. The choice is made once per process and written to run.json.
 */
import { SflError } from '../util/errors.ts';
import { loadOnnxRuntime, onnxRuntimeFailure } from './onnx/runtime.ts';

export type EngineName = 'onnx' | 'wasm';
export const ENGINES: readonly EngineName[] = ['onnx', 'wasm'];

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
