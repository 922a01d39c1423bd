/**
 * Data-parallel evaluation across worker threads: "shard + reduce".
 *
 * The wasm backend computes on one thread. A ShardPool splits the rows (examples) of a matrix into
 * contiguous shards, one per worker thread; each worker starts its own tfjs backend, receives its
 * shard once (transferred, not copied twice) and builds a model-specific ShardModel from it. After
 * that, `call(method, args)` runs the same method on every shard at once and returns the results in
 * shard order; the caller reduces them. Per-evaluation inputs that every shard needs (e.g. the
 * parameter vector) are best passed through a SharedArrayBuffer given in the model's config.
 *
 * A model names its ShardModel factory by module URL and export name (a ShardModelRef), and the
 * worker (./shard-worker.ts) imports it from there: compute/ never imports a model, and softmax,
 * stacked autoencoders etc. can reuse this machinery by exporting a factory and a ref.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Matrix } from './matrix.ts';
import { workerCount } from './engine.ts';

/** What a worker builds from its shard: answers method calls, frees its device memory on dispose. */
export interface ShardModel {
  call(method: string, args: unknown): { result: unknown; transfer?: ArrayBuffer[] } | Promise<{ result: unknown; transfer?: ArrayBuffer[] }>;
  dispose(): void;
}

/** Builds a ShardModel in a worker from the worker's shard of X and the model's config. */
export type ShardModelFactory = (shard: Matrix, config: unknown) => ShardModel | Promise<ShardModel>;

/** Where a worker finds a model's ShardModelFactory: `(await import(module))[factory]`. */
export interface ShardModelRef {
  /** File URL of the module (the model's own `import.meta.url`). */
  module: string;
  /** Name of the exported factory in that module. */
  factory: string;
}

export interface ShardPoolOptions {
  /** Number of worker threads; default: workerCount() (engine.ts). Never more than the rows. */
  workers?: number;
}

/** Messages between the pool and shard-worker.ts. */
export type ToWorker =
  | { type: 'init'; model: ShardModelRef; rows: number; cols: number; data: Float32Array; config: unknown }
  | { type: 'call'; id: number; method: string; args: unknown };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string; stack?: string };

/** Contiguous row ranges [start, end) splitting `rows` into `parts` nearly equal shards. */
export function shardRanges(rows: number, parts: number): { start: number; end: number }[] {
  const p = Math.max(1, Math.min(parts, rows));
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < p; i++) {
    out.push({ start: Math.floor((i * rows) / p), end: Math.floor(((i + 1) * rows) / p) });
  }
  return out;
}

/**
 * Start a worker thread on a TypeScript module. A tiny bootstrap registers the tsx loader inside
 * the worker before importing the module: on Node 20, neither the parent's loader hooks nor a
 * `--import tsx` in the worker's execArgv apply to a worker thread. tsx is resolved from this file,
 * so this works under `npx tsx`, vitest or plain node, whatever the current directory.
 */
/** 'ts' when running from src/ (tsx, vitest), 'js' from the compiled dist/ of the installed package. */
const SOURCE_EXTENSION = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

function startTsWorker(entry: URL): Worker {
  const require = createRequire(import.meta.url);
  const tsxApi = new URL('./dist/esm/api/index.mjs', pathToFileURL(require.resolve('tsx/package.json'))).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

class ShardWorker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  private readyWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(readonly worker: Worker) {
    // Idle workers do not keep the process alive (a forgotten dispose() cannot hang a CLI run);
    // a worker is ref'd only while the pool waits for it.
    worker.unref();
    worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    worker.on('error', (e: Error) => this.fail(e));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`shard worker exited with code ${code}`));
      else this.fail(new Error('shard worker exited'));
    });
  }

  private settleRef(): void {
    if (this.pending.size === 0 && !this.readyWaiter) this.worker.unref();
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'ready') {
      const w = this.readyWaiter;
      this.readyWaiter = null;
      this.settleRef();
      w?.resolve();
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    this.settleRef();
    if (msg.type === 'result') p.resolve(msg.result);
    else {
      const e = new Error(msg.message);
      if (msg.stack) e.stack = msg.stack;
      p.reject(e);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.readyWaiter?.reject(e);
    this.readyWaiter = null;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage(msg, [msg.data.buffer as ArrayBuffer]);
    });
  }

  call(method: string, args: unknown): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ type: 'call', id, method, args } satisfies ToWorker);
    });
  }
}

/** Worker threads each holding one shard of the rows of a matrix, under one model. */
export class ShardPool {
  private disposed = false;

  private constructor(
    private readonly workers: ShardWorker[],
    /** the row range of each shard, in worker order */
    readonly ranges: { start: number; end: number }[],
  ) {}

  /** Number of workers (= shards). */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Start the workers, send each its shard of X (copied once, then transferred) and build the
   * model named by `model` on it with `config` (structured-cloned; SharedArrayBuffers in it are
   * shared, not copied).
   */
  static async open(model: ShardModelRef, X: Matrix, config: unknown, opts: ShardPoolOptions = {}): Promise<ShardPool> {
    const ranges = shardRanges(X.rows, workerCount(opts.workers));
    const workers = ranges.map(() => new ShardWorker(startTsWorker(new URL(`./shard-worker.${SOURCE_EXTENSION}`, import.meta.url))));
    const pool = new ShardPool(workers, ranges);
    try {
      await Promise.all(
        workers.map((w, i) => {
          const { start, end } = ranges[i];
          const data = X.data.slice(start * X.cols, end * X.cols);
          return w.init({ type: 'init', model, rows: end - start, cols: X.cols, data, config });
        }),
      );
    } catch (e) {
      await pool.dispose();
      throw e;
    }
    return pool;
  }

  /**
   * Run `method` on every shard at once; `args` is the same for all, or a function of the shard
   * index. Resolves to the results in shard order.
   */
  call<R>(method: string, args?: unknown | ((shard: number) => unknown)): Promise<R[]> {
    if (this.disposed) return Promise.reject(new Error('ShardPool: used after dispose()'));
    return Promise.all(
      this.workers.map((w, i) => w.call(method, typeof args === 'function' ? (args as (s: number) => unknown)(i) : args) as Promise<R>),
    );
  }

  /** Free the workers' device memory and terminate them. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
