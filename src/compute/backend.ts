/**
 * Chooses the TensorFlow.js backend once, at start-up.
 *
 * Order of preference: `tensorflow` (native, from the optional @tensorflow/tfjs-node, which only
 * installs where its native library can be downloaded), then `wasm`, then `cpu` (pure JS).
 * SFL_BACKEND=cpu|wasm|tensorflow forces one; a forced backend that cannot load is an error.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { SflError } from '../util/errors.ts';
import { installFastMatMul } from './fast-matmul.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
const ORDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

let chosen: Promise<BackendName> | undefined;
const failures: Partial<Record<BackendName, string>> = {};

async function tryLoad(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // tfjs-node registers the 'tensorflow' backend on import; it throws when its native library is missing.
      await import('@tensorflow/tfjs-node' as string);
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
    }
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
    return true;
  } catch (e) {
    failures[name] = (e as Error).message.split('\n')[0];
    return false;
  }
}

/**
 * Loads the forced backend, or the first of ORDER that loads. Exported for tests; callers use
 * initBackend(), which does this once per process.
 */
export async function selectBackend(forced: string | undefined = process.env.SFL_BACKEND): Promise<BackendName> {
  if (forced) {
    if (!ORDER.includes(forced as BackendName)) {
      throw new SflError(`SFL_BACKEND=${forced} is not one of ${ORDER.join(', ')}`);
    }
    if (!(await tryLoad(forced as BackendName))) {
      throw new SflError(`SFL_BACKEND=${forced} was requested but that backend cannot load: ${failures[forced as BackendName]}`);
    }
  } else {
    let loaded = false;
    for (const name of ORDER) {
      if (await tryLoad(name)) { loaded = true; break; }
    }
    if (!loaded) throw new SflError(`no TensorFlow.js backend could load: ${JSON.stringify(failures)}`);
  }
  const name = tf.getBackend() as BackendName;
  if (name === 'wasm') installFastMatMul();
  return name;
}

/** Initialise the backend (idempotent) and return its name. */
export function initBackend(): Promise<BackendName> {
  chosen ??= selectBackend();
  return chosen;
}

/** Why each backend that was tried before the chosen one did not load. */
export function backendFailures(): Partial<Record<BackendName, string>> {
  return { ...failures };
}

export function versions(): { tfjs: string; node: string } {
  const require = createRequire(import.meta.url);
  const tfjsVersion = (require('@tensorflow/tfjs/package.json') as { version: string }).version;
  return { tfjs: tfjsVersion, node: process.versions.node };
}
