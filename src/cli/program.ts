/**
 * The `sfl` command-line program: one file per command in src/cli/commands/, wired here.
 *
 * A command's module is imported when the program is built, and only the one named on the command
 * line when it names one: a command loads its own code, not every command's (loading them all,
 * TensorFlow.js and the model code included, costs over a second of CPU, which a `sfl features`
 * run over a folder would otherwise pay on top of its work).
 */
import { Command } from 'commander';
import { sflVersion } from '../util/version.ts';
import { refuseExcessArguments } from './excess-arguments.ts';

type Register = (program: Command) => void;

/** Every command, in the order --help lists them. */
const COMMANDS: readonly [name: string, load: () => Promise<Register>][] = [
  ['info', async () => (await import('./commands/info.ts')).registerInfo],
  ['features', async () => (await import('./commands/features.ts')).registerFeatures],
  ['start', async () => (await import('./commands/start.ts')).registerStart],
  ['train-sae', async () => (await import('./commands/train-sae.ts')).registerTrainSae],
  ['visualize', async () => (await import('./commands/visualize.ts')).registerVisualize],
  ['mnist', async () => (await import('./commands/mnist.ts')).registerMnist],
  ['data', async () => (await import('./commands/data.ts')).registerData],
  ['classify', async () => (await import('./commands/classify.ts')).registerClassify],
  ['encode', async () => (await import('./commands/encode.ts')).registerEncode],
  ['train-softmax', async () => (await import('./commands/train-softmax.ts')).registerTrainSoftmax],
  ['self-taught', async () => (await import('./commands/self-taught.ts')).registerSelfTaught],
  ['stacked', async () => (await import('./commands/stacked.ts')).registerStacked],
  ['conv', async () => (await import('./commands/conv.ts')).registerConv],
  ['conv-ae', async () => (await import('./commands/conv-ae.ts')).registerConvAe],
  ['run', async () => (await import('./commands/run.ts')).registerRun],
  ['report', async () => (await import('./commands/report.ts')).registerReport],
  ['runs', async () => (await import('./commands/runs.ts')).registerRuns],
  ['cache', async () => (await import('./commands/cache.ts')).registerCache],
  ['export', async () => (await import('./commands/export.ts')).registerExport],
  ['serve', async () => (await import('./commands/serve.ts')).registerServe],
];

/**
 * The program with every command, or with only `command` when that names one (the command line's
 * first argument: its --help, flags and action are the same either way).
 */
export async function buildProgram(command?: string): Promise<Command> {
  const program = new Command();
  program
    .name('sfl')
    .description('Spectral feature learning: learn features from sound (and MNIST) with sparse autoencoders')
    .version(sflVersion(), '-V, --version', 'print the version of sfl')
    // A mistyped flag or value is one error line and a pointer to the flags, not the error above a
    // screenful of help (train-sae's help is 60 lines: the error scrolled out of sight).
    .showHelpAfterError("(sfl --help lists the commands, sfl <command> --help a command's flags and their values)");
  const only = COMMANDS.filter(([name]) => name === command);
  for (const [, load] of only.length === 1 ? only : COMMANDS) (await load())(program);
  refuseExcessArguments(program);
  return program;
}
