/**
 * The `sfl` command-line program: one file per command in src/cli/commands/, wired here.
 * Errors a user can act on (SflError) print one sentence and exit 1; anything else is a bug
 * and prints its stack.
 */
import { Command } from 'commander';
import { SflError } from '../util/errors.ts';
import { registerInfo } from './commands/info.ts';
import { registerFeatures } from './commands/features.ts';
import { registerStart } from './commands/start.ts';
import { registerTrainSae } from './commands/train-sae.ts';
import { registerVisualize } from './commands/visualize.ts';
import { registerMnist } from './commands/mnist.ts';
import { registerData } from './commands/data.ts';
import { registerClassify } from './commands/classify.ts';
import { registerTrainSoftmax } from './commands/train-softmax.ts';
import { registerSelfTaught } from './commands/self-taught.ts';
import { registerStacked } from './commands/stacked.ts';
import { registerConv } from './commands/conv.ts';
import { registerConvAe } from './commands/conv-ae.ts';
import { registerRun } from './commands/run.ts';
import { registerReport } from './commands/report.ts';
import { registerRuns } from './commands/runs.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sfl')
    .description('Spectral feature learning: learn features from sound (and MNIST) with sparse autoencoders')
    .showHelpAfterError();
  registerInfo(program);
  registerFeatures(program);
  registerStart(program);
  registerTrainSae(program);
  registerVisualize(program);
  registerMnist(program);
  registerData(program);
  registerClassify(program);
  registerTrainSoftmax(program);
  registerSelfTaught(program);
  registerStacked(program);
  registerConv(program);
  registerConvAe(program);
  registerRun(program);
  registerReport(program);
  registerRuns(program);
  return program;
}

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
