import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { resolveConfig, type PartialConfig } from '../../pipeline/config.ts';
import { runSelfTaughtExperiment } from '../../pipeline/experiments/self-taught.ts';
import { runAudioSelfTaughtExperiment } from '../../pipeline/experiments/audio-self-taught.ts';
import { SflError } from '../../util/errors.ts';
import { printClassificationResult } from '../classification-output.ts';
import {
  addAudioClassificationOptions, withAudioClassificationFlags, type AudioClassificationFlags,
  addDataOptions, addPreprocessOptions, addRunOptions, addSaeOptions, addSoftmaxOptions, configFromFlags, digitsArg, type ExperimentFlags,
} from '../experiment-options.ts';
import { numberArg } from '../options.ts';

type SelfTaughtFlags = ExperimentFlags & AudioClassificationFlags & {
  unlabeled?: number[];
  labeled?: number[];
  trainFraction?: number;
  encoder?: string;
};

/** `sfl self-taught`: features learned from unlabelled data, a softmax trained on them. */
export function registerSelfTaught(program: Command): void {
  const cmd = program
    .command('self-taught')
    .description(
      'self-taught learning: a sparse autoencoder learns features from unlabelled data, a softmax is trained on them. ' +
        '--mnist: features from the training images of the --unlabeled digits, softmax on the first half of the ' +
        '--labeled digits\' training images, tested on the second half. --audio DIR: features from random spectral ' +
        'windows of the training recordings (labels unused), pooled over each recording, classified per --split. ' +
        'Prints the test accuracy, confusion matrix and per-class accuracy',
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
  addAudioClassificationOptions(cmd);
  cmd.action(async (flags: SelfTaughtFlags) => {
    if (flags.digits !== undefined) throw new SflError('self-taught takes --labeled and --unlabeled digits, not --digits');
    let config = await configFromFlags(flags);
    const selfTaught = Object.fromEntries(
      Object.entries({ unlabeledDigits: flags.unlabeled, labeledDigits: flags.labeled, trainFraction: flags.trainFraction, encoder: flags.encoder })
        .filter(([, v]) => v !== undefined),
    );
    config = resolveConfig({ selfTaught } as PartialConfig, 'command-line flags', config);
    config = withAudioClassificationFlags(config, flags);
    await initBackend();
    if (config.data.source === 'audio') {
      const { runPath } = await runAudioSelfTaughtExperiment(config, { baseline: Boolean(flags.baseline) });
      console.log(`run written to ${runPath}`);
      return;
    }
    const { runPath, metrics } = await runSelfTaughtExperiment(config);
    printClassificationResult(runPath, metrics, flags.json);
  });
}
