import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { runConvAeExperiment } from '../../pipeline/experiments/conv-ae.ts';
import type { Evaluation } from '../../pipeline/run-metrics.ts';
import { printClassificationResult } from '../classification-output.ts';
import { addRunOptions, SOFTMAX_FLAGS, SPECTRUM_FLAGS, SPLIT_FLAGS } from '../experiment-options.ts';
import { addConfigFlags, commandConfig } from '../options.ts';

/** `sfl conv-ae`: convolutional autoencoders pretrained layer by layer, a softmax on top, fine-tuned. */
export function registerConvAe(program: Command): void {
  const cmd = program
    .command('conv-ae')
    .description(
      'convolutional autoencoder: convolution + max-pooling layers (--filters, --kernel, --pool-size), each pretrained ' +
        'without labels as a denoising autoencoder that reconstructs its input from the largest response of each pooling ' +
        'region through the transposed convolution; a softmax on the top layer; then the whole network fine-tuned with ' +
        'Adam. Prints the test accuracy before and after fine-tuning. --audio DIR: whole log-mel spectrograms, each brought ' +
        'to --input-frames frames and standardised per band, split per --split. --mnist: the ' +
        'training images vs the test images. Writes outputs/<run>/ with the model, first-layer filters (filters.png: ' +
        'audio time to the right, frequency up), cost per epoch, confusion matrices, metrics.json and report.html ' +
        '(see configs/fsdd-conv-ae.json)',
    );
  addConfigFlags(cmd, ['data.mnistDir', 'data.audioDir', 'data.labels', 'data.digits', 'data.count', ...SPLIT_FLAGS, ...SPECTRUM_FLAGS]);
  addConfigFlags(cmd, [
    'convAe.filters',
    'convAe.kernel',
    'convAe.pool',
    'convAe.frames',
    'convAe.pretrainEpochs',
    'convAe.fineTuneEpochs',
    'convAe.batchSize',
    'convAe.learningRate',
    'convAe.corruption',
    'convAe.shift',
    'convAe.weightDecay',
    'convAe.tied',
    ...SOFTMAX_FLAGS,
  ]);
  addRunOptions(cmd);
  cmd.action(async (flags: { json?: boolean; quiet?: boolean }) => {
    const config = await commandConfig(cmd, { command: { experiment: 'conv-ae' } });
    await initBackend();
    const { runPath, metrics } = await runConvAeExperiment(config, flags.quiet ? () => undefined : undefined);
    if (Array.isArray(metrics.folds) && !flags.json) {
      const folds = metrics.folds as { name: string; beforeFineTune: { test: Evaluation }; afterFineTune: { test: Evaluation } | null }[];
      for (const f of folds) {
        const after = f.afterFineTune ? `, after fine-tuning ${pct(f.afterFineTune.test.accuracy)}` : '';
        console.log(`${f.name}: test accuracy before fine-tuning ${pct(f.beforeFineTune.test.accuracy)}${after}`);
      }
      console.log(
        `mean test accuracy ${pct(metrics.testAccuracy as number)} ± ${pct(metrics.testAccuracySd as number)} (standard deviation) over ${folds.length} runs ` +
          `(before fine-tuning ${pct(metrics.beforeFineTuneAccuracy as number)})\n`,
      );
      printClassificationResult(runPath, metrics, false, [{ label: 'every held-out recording, pooled over the runs: test accuracy', evaluation: metrics.test }], config.data.source === 'audio');
      return;
    }
    const before = (metrics.beforeFineTune as { test: Evaluation } | undefined)?.test;
    const after = metrics.afterFineTune as { test: Evaluation } | null | undefined;
    const sections = before ? [{ label: 'before fine-tuning: test accuracy', evaluation: before }] : [];
    if (after) sections.push({ label: 'after fine-tuning: test accuracy', evaluation: after.test });
    printClassificationResult(runPath, metrics, flags.json, sections, config.data.source === 'audio');
  });
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
