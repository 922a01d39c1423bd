import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { runSelfTaughtExperiment } from '../../pipeline/experiments/self-taught.ts';
import { runAudioSelfTaughtExperiment } from '../../pipeline/experiments/audio-self-taught.ts';
import { SflError } from '../../util/errors.ts';
import { audioTablesOutput, printAudioRunResult, printClassificationResult } from '../classification-output.ts';
import { addDataOptions, addRunOptions, AUDIO_CLASSIFICATION_FLAGS, PREPROCESS_FLAGS, SAE_FLAGS, SOFTMAX_FLAGS } from '../experiment-options.ts';
import { addConfigFlags, commandConfig } from '../options.ts';

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
  addConfigFlags(cmd, ['selfTaught.unlabeledDigits', 'selfTaught.labeledDigits', 'selfTaught.trainFraction', 'selfTaught.encoder']);
  addConfigFlags(cmd, [...PREPROCESS_FLAGS, ...SAE_FLAGS, ...SOFTMAX_FLAGS]);
  addRunOptions(cmd);
  addConfigFlags(cmd, AUDIO_CLASSIFICATION_FLAGS);
  cmd.action(async (flags: { digits?: number[]; json?: boolean }) => {
    if (flags.digits !== undefined) throw new SflError('self-taught takes --labeled and --unlabeled digits, not --digits');
    const config = await commandConfig(cmd, { command: { experiment: 'self-taught' } });
    await initBackend();
    if (config.data.source === 'audio') {
      const { runPath, metrics } = await runAudioSelfTaughtExperiment(config, { baseline: config.softmax.baseline, print: audioTablesOutput(flags.json) });
      printAudioRunResult(runPath, metrics, flags.json);
      return;
    }
    const { runPath, metrics } = await runSelfTaughtExperiment(config);
    printClassificationResult(runPath, metrics, flags.json);
  });
}
