import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { parseOverride, resolveConfig, type PartialConfig } from '../../pipeline/config.ts';
import { runSelfTaughtExperiment } from '../../pipeline/experiments/self-taught.ts';
import { SflError } from '../../util/errors.ts';
import { printClassificationResult } from '../classification-output.ts';
import {
  addDataOptions, addPreprocessOptions, addRunOptions, addSaeOptions, addSoftmaxOptions, configFromFlags, digitsArg, type ExperimentFlags,
} from '../experiment-options.ts';
import { numberArg } from '../options.ts';

type SelfTaughtFlags = ExperimentFlags & { unlabeled?: number[]; labeled?: number[]; trainFraction?: number; encoder?: string };

/** `sfl self-taught`: features learned from unlabelled data, a softmax trained on them. */
export function registerSelfTaught(program: Command): void {
  const cmd = program
    .command('self-taught')
    .description(
      'self-taught learning: a sparse autoencoder learns features from unlabelled images (--mnist: the training images of ' +
        'the --unlabeled digits), a softmax is trained on those features of the first half of the --labeled digits\' ' +
        'training images and tested on the second half; prints the test accuracy, confusion matrix and per-class accuracy',
    );
  addDataOptions(cmd);
  cmd
    .option('--unlabeled <digits>', 'MNIST digits the autoencoder learns from (default: 5-9)', digitsArg)
    .option('--labeled <digits>', 'MNIST digits to classify (default: 0-4)', digitsArg)
    .option('--train-fraction <f>', 'fraction of the labelled images, in file order, to train on; the rest test (default: 0.5)', numberArg('--train-fraction'))
    .option('--encoder <dir>', "use this trained sparse autoencoder (a run's model/ or encoder/ folder) instead of training one");
  addPreprocessOptions(cmd);
  addSaeOptions(cmd);
  addSoftmaxOptions(cmd);
  addRunOptions(cmd);
  cmd.action(async (flags: SelfTaughtFlags) => {
    if (flags.digits !== undefined) throw new SflError('self-taught takes --labeled and --unlabeled digits, not --digits');
    let config = await configFromFlags(flags);
    const selfTaught = Object.fromEntries(
      Object.entries({ unlabeledDigits: flags.unlabeled, labeledDigits: flags.labeled, trainFraction: flags.trainFraction, encoder: flags.encoder })
        .filter(([, v]) => v !== undefined),
    );
    config = resolveConfig({ selfTaught } as PartialConfig, 'command-line flags', config);
    // --set has the last word, as in every other command.
    for (const o of flags.set ?? []) config = resolveConfig(parseOverride(o), '--set', config);
    await initBackend();
    const { runPath, metrics } = await runSelfTaughtExperiment(config);
    printClassificationResult(runPath, metrics, flags.json);
  });
}
