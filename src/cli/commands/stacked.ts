import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { runStackedExperiment } from '../../pipeline/experiments/stacked.ts';
import type { Evaluation } from '../../pipeline/run-metrics.ts';
import { SflError } from '../../util/errors.ts';
import { printClassificationResult } from '../classification-output.ts';
import { addDataOptions, addRunOptions, PREPROCESS_FLAGS, SAE_FLAGS, SOFTMAX_FLAGS, SPLIT_FLAGS, STACKED_FLAGS } from '../experiment-options.ts';
import { addConfigFlags, commandConfig } from '../options.ts';

/** `sfl stacked`: greedy layer-wise pretraining, a softmax on top, then fine-tuning. */
export function registerStacked(program: Command): void {
  const cmd = program
    .command('stacked')
    .description(
      'stacked autoencoders: pretrain --layers sparse autoencoders one after the other, train a softmax on the top layer, ' +
        'fine-tune the whole network by backpropagation; prints the accuracy before and after fine-tuning. --mnist: on the ' +
        'pixels, training images vs test images. --audio DIR: on each recording\'s window features pooled over time ' +
        '(a window autoencoder is learned first, as in self-taught), split per --split (see configs/fsdd-stacked.json)',
    );
  addDataOptions(cmd);
  addConfigFlags(cmd, [...PREPROCESS_FLAGS, ...SAE_FLAGS, ...STACKED_FLAGS, ...SOFTMAX_FLAGS, ...SPLIT_FLAGS]);
  addRunOptions(cmd);
  cmd.action(async (flags: { hidden?: number; json?: boolean }) => {
    const config = await commandConfig(cmd, { command: { experiment: 'stacked' } });
    // On audio --hidden is the window autoencoder's size (sae.hidden, as in self-taught), under the
    // stack; on images there is no such autoencoder, and --hidden would be mistaken for --layers.
    if (flags.hidden !== undefined && config.data.source !== 'audio') {
      throw new SflError('stacked on images takes the hidden layer sizes as --layers (e.g. 200,200), not --hidden (on audio, --hidden sizes the window autoencoder under the stack)');
    }
    await initBackend();
    const { runPath, metrics } = await runStackedExperiment(config);
    if (Array.isArray(metrics.folds)) {
      // Cross-validated: each fold's run (with before/after fine-tuning) is in folds/; here the pooled result.
      printClassificationResult(runPath, metrics, flags.json, [{ label: 'every held-out recording, pooled over the runs: test accuracy', evaluation: metrics.test }], config.data.source === 'audio');
      return;
    }
    const before = (metrics.beforeFineTune as { test: Evaluation }).test;
    const after = metrics.afterFineTune as { test: Evaluation } | null;
    const sections = [{ label: 'before fine-tuning: test accuracy', evaluation: before }];
    if (after) sections.push({ label: 'after fine-tuning: test accuracy', evaluation: after.test });
    printClassificationResult(runPath, metrics, flags.json, sections, config.data.source === 'audio');
  });
}
