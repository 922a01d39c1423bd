/**
 * The `sfl` command-line entry point. Errors a user can act on (SflError) print one sentence and
 * exit 1; so do faults of the machine that reach here untranslated (a full disk, a read-only
 * folder, memory that cannot be had). Anything else is a bug and prints its stack (exit 1 too;
 * printed here, because letting it escape would hand it to the tfjs wasm module's handler, which
 * dumps its minified source and exits 7).
 */
import { SflError } from '../util/errors.ts';
import { environmentError, isEnvironmentError } from '../util/fs-errors.ts';
import { explainRunError } from '../pipeline/run-dir.ts';
import { buildProgram } from './program.ts';

export async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv[2])).parseAsync(argv);
  } catch (e) {
    process.stderr.write(`sfl: ${userMessage(e)}\n`);
    process.exitCode = 1;
  }
}

/** The line to print for an error that ended a command. */
function userMessage(e: unknown): string {
  if (e instanceof SflError) return e.message;
  if (isEnvironmentError(e)) return (explainRunError(e) ?? environmentError(e)).message;
  if (e instanceof RangeError && /allocation failed|invalid (typed )?array length|out of memory/i.test(e.message)) {
    return `out of memory (${e.message}); use fewer windows (--windows), a smaller model (--hidden) or a machine with more memory`;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return `internal error (a bug in sfl; please report it with this trace):\n${err.stack ?? err.message}`;
}

await main(process.argv);
