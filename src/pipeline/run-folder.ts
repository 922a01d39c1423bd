/**
 * Runs an experiment inside a run folder: the folder is created (run.json records the config and
 * seed), the experiment writes its files into it, its metrics go to metrics.json, and the run is
 * committed into outputs/<run>/ (with its report and TensorFlow.js export, run-finish.ts) only when everything succeeded; on any error the half-written
 * folder is discarded and the error goes on to the caller. Every experiment goes through here, so
 * that sequence is written once.
 */
import type { Config } from './config.ts';
import { RunDir, runOptions, type RunDirOptions } from './run-dir.ts';
import { finishRun } from './run-finish.ts';

export interface RunFolderOptions {
  /** The command or experiment name: the default run name starts with it, run.json records it. */
  command: string;
  config: Pick<Config, 'run'>;
  /** Folder of runs; default config.run.outputs. */
  root?: string;
  /** Another path the run's name owns (see RunDirOptions.alsoOwns). */
  alsoOwns?: RunDirOptions['alsoOwns'];
}

/**
 * Calls `body` with an open run folder; writes the `metrics` it returns to metrics.json and
 * commits. Returns what `body` returned plus the committed folder's path.
 */
export async function inRunFolder<R extends { metrics: object }>(
  o: RunFolderOptions,
  body: (run: RunDir) => Promise<R>,
): Promise<R & { runPath: string }> {
  const c = o.config;
  const run = await RunDir.create({
    command: o.command,
    ...runOptions(c.run),
    ...(o.root !== undefined ? { root: o.root } : {}),
    config: c,
    alsoOwns: o.alsoOwns,
  });
  try {
    const result = await body(run);
    await run.writeJson('metrics.json', result.metrics);
    return { ...result, runPath: await run.commit(finishRun) };
  } catch (e) {
    await run.abort();
    throw e;
  }
}
