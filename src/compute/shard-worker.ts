/**
 * Worker-thread entry of ShardPool (./parallel.ts): starts a tfjs backend, builds the requested
 * model on its shard, then answers method calls one at a time.
 *
 * The model is named by a ShardModelRef (module URL + export), so a worker imports only the
 * model it serves and this file knows no model.
 */
import { parentPort } from 'node:worker_threads';
import { initBackend } from './backend.ts';
import type { FromWorker, ShardModel, ShardModelFactory, ToWorker } from './parallel.ts';

const port = parentPort;
if (!port) throw new Error('shard-worker.ts must run as a worker thread');

let model: ShardModel | null = null;
// Messages are handled strictly in order, even when a handler awaits.
let queue: Promise<void> = Promise.resolve();

function send(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'init') {
    // A failure here has no call id: it is rethrown as this worker's uncaught error (see below).
    await initBackend();
    const mod = (await import(msg.model.module)) as Record<string, unknown>;
    const factory = mod[msg.model.factory] as ShardModelFactory | undefined;
    if (typeof factory !== 'function') throw new Error(`shard worker: unknown model '${msg.model.factory}' in ${msg.model.module}`);
    model = await factory({ data: msg.data, rows: msg.rows, cols: msg.cols }, msg.config);
    send({ type: 'ready' });
    return;
  }
  try {
    if (!model) throw new Error('shard worker: call before init');
    const { result, transfer } = await model.call(msg.method, msg.args);
    send({ type: 'result', id: msg.id, result }, transfer ?? []);
  } catch (e) {
    const err = e as Error;
    send({ type: 'error', id: msg.id, message: err.message, stack: err.stack });
  }
}

port.on('message', (msg: ToWorker) => {
  queue = queue.then(() => handle(msg)).catch((e: unknown) => {
    // An init failure: surface it as an uncaught error of this worker (the pool rejects on 'error').
    setImmediate(() => {
      throw e;
    });
  });
});
