import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { runSoftmaxExperiment } from '../../pipeline/experiments/softmax.ts';
import { printClassificationResult } from '../classification-output.ts';
import { addDataOptions, addRunOptions, PREPROCESS_FLAGS, SOFTMAX_FLAGS, SPLIT_FLAGS } from '../experiment-options.ts';
import { addConfigFlags, commandConfig } from '../options.ts';

/** `sfl train-softmax`: softmax regression on the input vectors themselves (the baseline). */
export function registerTrainSoftmax(program: Command): void {
  const cmd = program
    .command('train-softmax')
    .description(
      'train softmax regression (weight decay, L-BFGS) on MNIST pixels (--mnist: the training images, tested on the ' +
        'test images) or on each recording\'s pooled window features (--audio DIR, as stacked does; split per --split) and print the ' +
        'test accuracy, confusion matrix and per-class accuracy; writes outputs/<run>/',
    );
  addDataOptions(cmd);
  addConfigFlags(cmd, [...PREPROCESS_FLAGS, ...SOFTMAX_FLAGS, ...SPLIT_FLAGS]);
  addRunOptions(cmd);
  cmd.action(async (flags: { json?: boolean }) => {
    const config = await commandConfig(cmd, { command: { experiment: 'softmax' } });
    await initBackend();
    const { runPath, metrics } = await runSoftmaxExperiment(config);
    printClassificationResult(runPath, metrics, flags.json, undefined, config.data.source === 'audio');
  });
}
