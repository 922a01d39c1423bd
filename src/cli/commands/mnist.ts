import { Argument, type Command } from 'commander';
import { resolve } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import type { Config, PartialConfig } from '../../pipeline/config.ts';
import { MODEL, type FlagPath } from '../../pipeline/flags.ts';
import { MNIST_BASELINE_EXPERIMENTS } from '../../pipeline/experiments/mnist-baselines.ts';
import { checkpointDir, readCheckpoint } from '../../models/mnist-baselines/checkpoint.ts';
import { BASELINE_MODELS, type BaselineModel } from '../../models/mnist-baselines/settings.ts';
import { DEFAULT_CONFIG } from '../../pipeline/config.ts';
import { SflError } from '../../util/errors.ts';
import { addOutputOptions, RUN_FLAGS } from '../experiment-options.ts';
import { addConfigFileFlags, addConfigFlags, commandConfig, givenFlags } from '../options.ts';

/** The flags that may change a resumed run: its epoch caps (and --quiet, --outputs). */
const CAPS: readonly string[] = [`baselines.${MODEL}.epochs`, `baselines.${MODEL}.pretrainEpochs`];

const MNIST_FLAGS = [
  'data.mnistDir',
  `baselines.${MODEL}.epochs`,
  `baselines.${MODEL}.pretrainEpochs`,
  `baselines.${MODEL}.batchSize`,
  `baselines.${MODEL}.learningRate`,
  `baselines.${MODEL}.patience`,
  'baselines.trainCount',
  'baselines.validCount',
  'baselines.testCount',
] as const satisfies readonly FlagPath[];

/**
 * The config of a run: the tutorials' defaults <- --config <- flags <- --set; with --resume, the
 * interrupted run's own config, where only the epoch caps (and --quiet) may be changed.
 */
async function mnistConfig(cmd: Command, model: BaselineModel, resume: string | undefined): Promise<Config> {
  const command = { experiment: `mnist-${model}`, data: { source: 'mnist' } } as PartialConfig;
  if (!resume) return commandConfig(cmd, { command, model });
  const opts = cmd.opts<{ outputs?: string; config?: string; set?: string[] }>();
  const fixed = givenFlags(cmd).filter((f) => !CAPS.includes(f.path) && f.path !== 'run.outputs');
  if (fixed.length > 0 || opts.config || opts.set) {
    throw new SflError('--resume reuses the run\'s own config: only --epochs, --pretrain-epochs, --outputs, --quiet and --json may be given with it');
  }
  const outputs = opts.outputs ?? DEFAULT_CONFIG.run.outputs;
  const saved = readCheckpoint<{ config: Config }>(checkpointDir(resolve(outputs), resume)).header.config;
  // Laid over today's defaults, so a checkpoint written before a config key existed still loads.
  return commandConfig(cmd, {
    file: { partial: { ...(saved as PartialConfig), run: { ...saved.run, name: resume, outputs } }, source: `the checkpoint of run ${resume}` },
    model,
    flags: givenFlags(cmd).filter((f) => CAPS.includes(f.path)),
    sets: [],
  });
}

/** `sfl mnist <model>`: the MNIST baselines of the deep-learning tutorials, with their settings as defaults. */
export function registerMnist(program: Command): void {
  const cmd = program
    .command('mnist')
    .description(
      'train an MNIST baseline of the deep-learning tutorials (first 50,000 training images to train, last 10,000 to validate, ' +
        'test set for the reported error; SGD with early stopping) and write metrics.json, the learning curve and the model to outputs/<run>/',
    )
    .addArgument(new Argument('<model>', 'logreg, mlp, lenet, da (denoising autoencoder) or sda (stacked denoising autoencoders)').choices(BASELINE_MODELS))
    .option('--resume <run>', 'continue an interrupted run from its last checkpoint (its config is reused; --epochs may raise the cap)');
  addConfigFlags(cmd, MNIST_FLAGS);
  addConfigFlags(cmd, RUN_FLAGS, { 'run.name': 'mnist-<model>-<date>-<time>' });
  addConfigFileFlags(cmd, 'configs/mnist-*.json');
  addOutputOptions(cmd);
  cmd
    .action(async (model: BaselineModel, flags: { resume?: string; json?: boolean }) => {
      const config = await mnistConfig(cmd, model, flags.resume);
      await initBackend();
      const runner = MNIST_BASELINE_EXPERIMENTS[`mnist-${model}`];
      const { runPath, metrics } = await runner(config, undefined, { resume: flags.resume !== undefined });
      if (flags.json) {
        console.log(JSON.stringify({ run: runPath, ...metrics, validations: undefined, epochHistory: undefined }, null, 2));
      } else {
        const err = metrics.testError as number | null | undefined;
        const spe = metrics.secondsPerEpoch as number | null;
        console.log(
          `${model}: ${err !== undefined && err !== null ? `test error ${(100 * err).toFixed(3)}%, ` : ''}${metrics.epochs} epochs, ` +
            `${spe === null ? 'n/a' : spe.toFixed(2)} s/epoch, ${(metrics.wallSeconds as number).toFixed(1)} s in all`,
        );
        console.log(`run written to ${runPath}`);
      }
    });
}
