/**
 * ONNX Runtime (the onnxruntime-node package: Microsoft's native CPU library, shipped inside the npm
 * package) loaded on demand, and sessions over graphs from ./graph-builder.ts.
 *
 * The native library can fail to load (an unsupported platform, a libc too old); loadOnnxRuntime()
 * then resolves to null and says why in onnxRuntimeFailure(), and callers fall back to the wasm
 * path. Nothing here decides which engine runs: that is ../engine.ts.
 */
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

export type OrtModule = typeof Ort;

let loading: Promise<OrtModule | null> | undefined;
let failure: string | undefined;

/** The onnxruntime-node module, or null when its native library cannot load (see onnxRuntimeFailure). */
export function loadOnnxRuntime(): Promise<OrtModule | null> {
  loading ??= (async () => {
    try {
      const ort = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
      const mod = ort.InferenceSession ? ort : ort.default!;
      if (!mod.InferenceSession) throw new Error('onnxruntime-node has no InferenceSession');
      // Importing loads the binding, but the runtime itself starts with the first session: run a
      // one-node graph, so that a library that cannot start falls back here, not mid-training.
      const { GraphBuilder } = await import('./graph-builder.ts');
      const g = new GraphBuilder('smoke');
      g.output(g.op('Neg', [g.input('x', 'float32', [1])]), 'y', 'float32', [1]);
      const session = await mod.InferenceSession.create(g.toBytes(), { intraOpNumThreads: 1 });
      const r = await session.run({ x: new mod.Tensor('float32', Float32Array.of(2), [1]) });
      await session.release();
      if ((r.y.data as Float32Array)[0] !== -2) throw new Error('onnxruntime-node computed a wrong value in its smoke test');
      return mod;
    } catch (e) {
      failure = (e as Error).message.split('\n')[0];
      return null;
    }
  })();
  return loading;
}

/** Why onnxruntime-node did not load, once loadOnnxRuntime() has resolved to null. */
export function onnxRuntimeFailure(): string | undefined {
  return failure;
}

/** The module, for callers the engine chooser (../engine.ts) sent here; else the error saying why it cannot load. */
export async function requireOnnxRuntime(): Promise<OrtModule> {
  const ort = await loadOnnxRuntime();
  if (!ort) throw new Error(`onnxruntime-node cannot load: ${onnxRuntimeFailure()}`);
  return ort;
}

/** onnxruntime-node's version, from its package.json (without loading the native library). */
export function onnxRuntimeVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * A session over one model, with every optimisation on and `threads` intra-op threads. The threads
 * sleep between evaluations instead of spinning: on a machine shared with other work (or with our
 * own JS between evaluations) spinning measured slower, 0.96-1.25 s against 1.12-1.48 s wall per
 * MNIST autoencoder evaluation, and used about 15% more CPU.
 */
export async function createSession(ort: OrtModule, model: Uint8Array, threads: number): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}
