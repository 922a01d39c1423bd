/** The `sfl` command-line program: one file per command in src/cli/commands/, wired here. */
import { Command } from 'commander';
import { sflVersion } from '../util/version.ts';
import { registerInfo } from './commands/info.ts';
import { registerFeatures } from './commands/features.ts';
import { registerStart } from './commands/start.ts';
import { registerTrainSae } from './commands/train-sae.ts';
import { registerVisualize } from './commands/visualize.ts';
import { registerMnist } from './commands/mnist.ts';
import { registerData } from './commands/data.ts';
import { registerClassify } from './commands/classify.ts';
import { registerEncode } from './commands/encode.ts';
import { registerTrainSoftmax } from './commands/train-softmax.ts';
import { registerSelfTaught } from './commands/self-taught.ts';
import { registerStacked } from './commands/stacked.ts';
import { registerConv } from './commands/conv.ts';
import { registerConvAe } from './commands/conv-ae.ts';
import { registerRun } from './commands/run.ts';
import { registerReport } from './commands/report.ts';
import { registerRuns } from './commands/runs.ts';
import { registerCache } from './commands/cache.ts';
import { registerExport } from './commands/export.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sfl')
    .description('Spectral feature learning: learn features from sound (and MNIST) with sparse autoencoders')
    .version(sflVersion(), '-V, --version', 'print the version of sfl')
    .showHelpAfterError();
  registerInfo(program);
  registerFeatures(program);
  registerStart(program);
  registerTrainSae(program);
  registerVisualize(program);
  registerMnist(program);
  registerData(program);
  registerClassify(program);
  registerEncode(program);
  registerTrainSoftmax(program);
  registerSelfTaught(program);
  registerStacked(program);
  registerConv(program);
  registerConvAe(program);
  registerRun(program);
  registerReport(program);
  registerRuns(program);
  registerCache(program);
  registerExport(program);
  return program;
}
