/**
 * The chooser's cost path on the wasm engine (forced here, before the engine is first chosen in
 * this process): how many worker threads, from one reading of SFL_WORKERS.
 */
import { describe, expect, it } from 'vitest';

process.env.SFL_ENGINE = 'wasm';
const { costPath, onnxThreads, PARALLEL_MIN_ELEMENTS, workerCount } = await import('../../src/compute/engine.ts');

describe('the cost path on the wasm engine', () => {
  it('splits over SFL_WORKERS threads only when the data is big enough to pay for it', async () => {
    const big = Math.ceil(PARALLEL_MIN_ELEMENTS / 784);
    expect(await costPath(big, 784, undefined, { SFL_WORKERS: '4' })).toEqual({ engine: 'wasm', workers: 4 });
    expect(await costPath(100, 784, undefined, { SFL_WORKERS: '4' })).toEqual({ engine: 'wasm', workers: 1 });
    expect(await costPath(big, 784, undefined, { SFL_WORKERS: '1' })).toEqual({ engine: 'wasm', workers: 1 });
    expect(await costPath(big, 784, 3, { SFL_WORKERS: '1' })).toEqual({ engine: 'wasm', workers: 3 });
  });

  it('reads SFL_WORKERS one way: a value that is not a whole number >= 1 is an error naming it', () => {
    // Before, the training cost read "2x" as NaN (one thread) while the worker pool read it as 2.
    for (const bad of ['2x', '0', '-1', '1.5', 'all']) {
      expect(() => workerCount(undefined, { SFL_WORKERS: bad }), bad).toThrow(/SFL_WORKERS must be a whole number/);
    }
    expect(workerCount(undefined, { SFL_WORKERS: ' 3 ' })).toBe(3);
    expect(workerCount(undefined, {})).toBeGreaterThanOrEqual(1);
    // SFL_THREADS too: before, a value it did not understand silently meant one thread per core.
    expect(() => onnxThreads({ SFL_THREADS: 'four' })).toThrow(/SFL_THREADS must be a whole number/);
    expect(onnxThreads({ SFL_THREADS: '2' })).toBe(2);
  });
});
