import { Argument, type Command } from 'commander';
import { resolve } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { loadConfigFile, parseOverride, resolveConfig, type Config, type PartialConfig } from '../../pipeline/config.ts';
import { setQuiet } from '../../util/progress.ts';
import { MNIST_BASELINE_EXPERIMENTS } from '../../pipeline/experiments/mnist-baselines.ts';
import { checkpointDir, readCheckpoint } from '../../models/mnist-baselines/checkpoint.ts';
import { BASELINE_MODELS, type BaselineModel } from '../../models/mnist-baselines/settings.ts';
import { intArg, numberArg } from '../options.ts';
import { defined } from '../experiment-options.ts';

interface MnistFlags {
  mnist?: string;
  epochs?: number;
  pretrainEpochs?: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  trainCount?: number;
  validCount?: number;
  testCount?: number;
  resume?: string;
  config?: string;
  set?: string[];
  seed?: number;
  name?: string;
  outputs?: string;
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
}


/**
 * The config of a run: the tutorials' defaults <- --config <- flags <- --set; with --resume, the
 * interrupted run's own config, where only the epoch caps (and --quiet) may be changed.
 */
async function mnistConfig(model: BaselineModel, f: MnistFlags): Promise<Config> {
  const caps = defined({ epochs: f.epochs, pretrainEpochs: model === 'sda' ? f.pretrainEpochs : undefined });
  if (f.resume) {
    const outputs = f.outputs ?? 'outputs';
    const saved = readCheckpoint<{ config: Config }>(checkpointDir(resolve(outputs), f.resume)).header.config;
    // Laid over today's defaults, so a checkpoint written before a config key existed still loads.
    const config = resolveConfig(saved as PartialConfig, `the checkpoint of run ${f.resume}`);
    return resolveConfig({ run: { name: f.resume, outputs }, baselines: { [model]: caps } } as PartialConfig, 'command-line flags', config);
  }
  let config = f.config ? await loadConfigFile(f.config) : resolveConfig({});
  const settings = { ...caps, ...defined({ batchSize: f.batchSize, learningRate: f.learningRate, patience: model === 'da' ? undefined : f.patience }) };
  const partial = {
    experiment: `mnist-${model}`,
    data: defined({ source: 'mnist', mnistDir: f.mnist }),
    run: defined({ seed: f.seed, name: f.name, outputs: f.outputs, overwrite: f.overwrite }),
    baselines: { ...defined({ trainCount: f.trainCount, validCount: f.validCount, testCount: f.testCount }), [model]: settings },
  } as PartialConfig;
  config = resolveConfig(partial, 'command-line flags', config);
  for (const o of f.set ?? []) config = resolveConfig(parseOverride(o), '--set', config);
  return config;
}

/** `sfl mnist <model>`: the MNIST baselines of the deep-learning tutorials, with their settings as defaults. */
export function registerMnist(program: Command): void {
  program
    .command('mnist')
    .description(
      'train an MNIST baseline of the deep-learning tutorials (first 50,000 training images to train, last 10,000 to validate, ' +
        'test set for the reported error; SGD with early stopping) and write metrics.json, the learning curve and the model to outputs/<run>/',
    )
    .addArgument(new Argument('<model>', 'logreg, mlp, lenet, da (denoising autoencoder) or sda (stacked denoising autoencoders)').choices(BASELINE_MODELS))
    .option('--mnist <dir>', 'folder of the four MNIST idx files (default: $SFL_MNIST_DIR, then the download cache of `sfl data mnist`)')
    .option('--epochs <n>', 'most training epochs (default: the tutorial\'s, e.g. 1000 for logreg; early stopping usually ends sooner)', intArg('--epochs'))
    .option('--pretrain-epochs <n>', 'sda: pretraining epochs per layer (default 15)', intArg('--pretrain-epochs'))
    .option('--batch-size <n>', 'minibatch size (default: the tutorial\'s)', intArg('--batch-size'))
    .option('--learning-rate <x>', 'SGD learning rate (default: the tutorial\'s; sda: the fine-tuning rate)', numberArg('--learning-rate'))
    .option('--patience <n>', 'early stopping: initial patience in minibatches (default: the tutorial\'s)', intArg('--patience'))
    .option('--train-count <n>', 'training images: the first n of the training file (default 50000)', intArg('--train-count'))
    .option('--valid-count <n>', 'validation images: the next n (default 10000)', intArg('--valid-count'))
    .option('--test-count <n>', 'test images (default: all)', intArg('--test-count'))
    .option('--resume <run>', 'continue an interrupted run from its last checkpoint (its config is reused; --epochs may raise the cap)')
    .option('--config <file>', 'start from this JSON config (configs/mnist-*.json); flags override it')
    .option('--set <key=value...>', 'override any config key, e.g. --set baselines.mlp.hidden=[800]')
    .option('--seed <n>', 'random seed (default 1)', intArg('--seed'))
    .option('--name <run>', 'run name: outputs/<run>/ (default: mnist-<model>-<date>-<time>)')
    .option('--outputs <dir>', 'folder of runs (default: outputs)')
    .option('--overwrite', 'start a named run again over its finished run or unfinished checkpoint (default: refuse; --resume continues it instead)')
    .option('--quiet', 'no progress display')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (model: BaselineModel, flags: MnistFlags) => {
      if (flags.quiet) setQuiet(true);
      const config = await mnistConfig(model, flags);
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
