/**
 * The `sfl` command-line entry point. Errors a user can act on (SflError) print one sentence and
 * exit 1; anything else is a bug and prints its stack.
 */
import { SflError } from '../util/errors.ts';
import { buildProgram } from './program.ts';

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof SflError) {
      process.stderr.write(`sfl: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      throw e;
    }
  }
}

await main(process.argv);
