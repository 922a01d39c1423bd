import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { parseOverride, resolveConfig, type PartialConfig } from '../../pipeline/config.ts';
import { runSelfTaughtExperiment } from '../../pipeline/experiments/self-taught.ts';
import { runAudioSelfTaughtExperiment } from '../../pipeline/experiments/audio-self-taught.ts';
import { SflError } from '../../util/errors.ts';
import { printClassificationResult } from '../classification-output.ts';
import {
  addDataOptions, addPreprocessOptions, addRunOptions, addSaeOptions, addSoftmaxOptions, configFromFlags, digitsArg, type ExperimentFlags,
} from '../experiment-options.ts';
import { intArg, numberArg } from '../options.ts';

type SelfTaughtFlags = ExperimentFlags & {
  unlabeled?: number[];
  labeled?: number[];
  trainFraction?: number;
  encoder?: string;
  split?: string;
  testSpeakers?: string;
  pool?: string;
  segments?: number;
  baseline?: boolean;
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
  cmd
    .option('--split <kind>', 'audio: official (FSDD index 0-4 test), random, speakers (with --test-speakers) or loso (leave one speaker out, each in turn)')
    .option('--test-speakers <list>', 'audio: speakers held out by --split speakers, e.g. george,lucas')
    .option('--pool <method>', 'audio: pooling of window features over time: mean, max or meanmax')
    .option('--segments <n>', 'audio: time segments pooled separately (coarse temporal order)', intArg('--segments'))
    .option('--baseline', 'audio: also train and print the no-learning baseline (log-spectrum statistics -> softmax) on the same split');
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
    const audio: PartialConfig = {};
    if (flags.split) audio.split = { kind: flags.split as 'official' };
    if (flags.testSpeakers) audio.split = { ...audio.split, kind: 'speakers', testSpeakers: flags.testSpeakers.split(',').map((x) => x.trim()) };
    if (flags.pool || flags.segments) audio.pooling = { method: flags.pool as 'mean' | undefined, segments: flags.segments };
    config = resolveConfig(JSON.parse(JSON.stringify(audio)) as PartialConfig, 'command-line flags', config);
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
