import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { runSaeExperiment } from '../../pipeline/experiments/sae.ts';
import { addDataOptions, addRunOptions, PREPROCESS_FLAGS, SAE_FLAGS } from '../experiment-options.ts';
import { addConfigFlags, commandConfig } from '../options.ts';
import { nextStepsLine } from '../next-steps.ts';

/** `sfl train-sae`: learn features with a sparse autoencoder (MNIST or a folder of audio). */
export function registerTrainSae(program: Command): void {
  const cmd = program
    .command('train-sae')
    .description(
      'train a sparse autoencoder on MNIST images (--mnist) or on spectro-temporal windows of a folder of audio ' +
        '(--audio, default audio/fsdd/recordings: the official training recordings), and write the model, ' +
        'its filter picture and cost curve to outputs/<run>/',
    );
  addDataOptions(cmd);
  addConfigFlags(cmd, [...PREPROCESS_FLAGS, ...SAE_FLAGS]);
  addRunOptions(cmd);
  cmd.action(async (flags: { json?: boolean }) => {
    const config = await commandConfig(cmd, { command: { experiment: 'sae' } });
    await initBackend();
    const { runPath, metrics } = await runSaeExperiment(config);
    if (flags.json) {
      console.log(JSON.stringify({ run: runPath, ...metrics, costHistory: undefined }, null, 2));
    } else {
      console.log(
        `final cost ${(metrics.finalCost as number).toPrecision(7)} after ${metrics.iterations} iterations ` +
          `(${metrics.stopReason}), ${(metrics.trainSeconds as number).toFixed(1)} s`,
      );
      console.log(`run written to ${runPath} (model/, filters.png, cost.png, metrics.json)`);
      console.log(nextStepsLine(runPath, 'features'));
    }
  });
}
