import { Option, type Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { DEFAULT_CONFIG, parseOverride, resolveConfig, type Config, type ConvAeConfig } from '../../pipeline/config.ts';
import { runConvAeExperiment } from '../../pipeline/experiments/conv-ae.ts';
import type { Evaluation } from '../../pipeline/experiments/evaluation.ts';
import { SflError } from '../../util/errors.ts';
import { printClassificationResult } from '../classification-output.ts';
import { addRunOptions, addSoftmaxOptions, configFromFlags, defined, digitsArg, withAudioClassificationFlags, type ExperimentFlags } from '../experiment-options.ts';
import { addSpectrumOptions, intArg, numberArg } from '../options.ts';

const D = DEFAULT_CONFIG.convAe;

function listArg(name: string) {
  return (v: string): number[] => {
    const xs = v.split(',').map((x) => Number(x.trim()));
    if (xs.length === 0 || xs.some((n) => !Number.isInteger(n) || n < 1)) throw new SflError(`${name} takes positive integers like 16,32 (got "${v}")`);
    return xs;
  };
}

/** "5x5" or "5" (square) -> [rows, columns]. */
function sizeArg(name: string) {
  return (v: string): number[] => {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(v.trim());
    if (!m || Number(m[1]) < 1 || (m[2] !== undefined && Number(m[2]) < 1)) throw new SflError(`${name} takes a size like 5x5 (rows x columns; audio: frames x bands) or 5 (got "${v}")`);
    return [Number(m[1]), Number(m[2] ?? m[1])];
  };
}

type ConvAeFlags = ExperimentFlags & {
  split?: string;
  testSpeakers?: string;
  filters?: number[];
  kernel?: number[];
  poolSize?: number[];
  inputFrames?: number;
  pretrainEpochs?: number;
  fineTuneEpochs?: number;
  batchSize?: number;
  learningRate?: number;
  corruption?: number;
  shift?: number;
  weightDecay?: number;
  tied?: boolean;
};

/** The config from the shared flags, then the conv-ae flags, then --set once more (it always wins). */
async function convAeConfig(flags: ConvAeFlags): Promise<Config> {
  let config = await configFromFlags(flags);
  const convAe: Partial<ConvAeConfig> = defined({
    filters: flags.filters,
    kernel: flags.kernel,
    pool: flags.poolSize,
    frames: flags.inputFrames,
    pretrainEpochs: flags.pretrainEpochs,
    fineTuneEpochs: flags.fineTuneEpochs,
    batchSize: flags.batchSize,
    learningRate: flags.learningRate,
    corruption: flags.corruption,
    shift: flags.shift,
    weightDecay: flags.weightDecay,
    tied: flags.tied === false ? false : undefined,
  });
  config = resolveConfig({ experiment: 'conv-ae', convAe }, 'command-line flags', config);
  for (const o of flags.set ?? []) config = resolveConfig(parseOverride(o), '--set', config);
  return withAudioClassificationFlags(config, { split: flags.split, testSpeakers: flags.testSpeakers, set: flags.set });
}

/** `sfl conv-ae`: convolutional autoencoders pretrained layer by layer, a softmax on top, fine-tuned. */
export function registerConvAe(program: Command): void {
  const cmd = program
    .command('conv-ae')
    .description(
      'convolutional autoencoder: convolution + max-pooling layers (--filters, --kernel, --pool-size), each pretrained ' +
        'without labels as a denoising autoencoder that reconstructs its input from the largest response of each pooling ' +
        'region through the transposed convolution; a softmax on the top layer; then the whole network fine-tuned with ' +
        'Adam. Prints the test accuracy before and after fine-tuning. --audio DIR: whole log-mel spectrograms, each brought ' +
        'to --input-frames frames and standardised per band, split per --split (default: FSDD official). --mnist: the ' +
        'training images vs the test images. Writes outputs/<run>/ with the model, first-layer filters (filters.png: ' +
        'audio time to the right, frequency up), cost per epoch, confusion matrices, metrics.json and report.html ' +
        '(see configs/fsdd-conv-ae.json)',
    );
  cmd
    .option('--mnist [dir]', 'learn from MNIST: the folder of the four idx files (default: $SFL_MNIST_DIR)')
    .option('--audio <dir>', `learn from a folder of labelled WAV files (default: ${DEFAULT_CONFIG.data.audioDir})`)
    .option('--digits <list>', 'MNIST digits to use, e.g. 0-9, 5-9 or 1,3,5 (default: all)', digitsArg)
    .option('--count <n>', 'MNIST: use the first n training images (after the digit filter; default: all)', intArg('--count'))
    .addOption(new Option('--split <kind>', 'audio: official (FSDD index 0-4 test), random, speakers (with --test-speakers) or loso (leave one speaker out, each in turn; prints the mean)').choices(['official', 'random', 'speakers', 'loso']))
    .option('--test-speakers <list>', 'audio: speakers held out by --split speakers, e.g. george,lucas');
  addSpectrumOptions(cmd);
  cmd
    .option('--filters <list>', `feature maps of each convolution layer, bottom first; the number of layers (default: ${D.filters.join(',')})`, listArg('--filters'))
    .option('--kernel <RxC>', `kernel size, rows x columns: audio frames x bands, images pixels (default: ${D.kernel.join('x')})`, sizeArg('--kernel'))
    .option('--pool-size <RxC>', `max-pooling region after each layer, rows x columns, not overlapping (default: ${D.pool.join('x')})`, sizeArg('--pool-size'))
    .option('--input-frames <n>', `audio: frames every recording is brought to: a longer one keeps its loudest n frames, a shorter one is centred and padded with each band's training mean (default: ${D.frames})`, intArg('--input-frames'))
    .option('--pretrain-epochs <n>', `Adam epochs of each layer's autoencoder; 0: random filters, no pretraining (default: ${D.pretrainEpochs})`, intArg('--pretrain-epochs'))
    .option('--fine-tune-epochs <n>', `Adam epochs of the whole network after the softmax; 0: no fine-tuning (default: ${D.fineTuneEpochs})`, intArg('--fine-tune-epochs'))
    .option('--batch-size <n>', `examples per Adam step (default: ${D.batchSize})`, intArg('--batch-size'))
    .option('--learning-rate <x>', `Adam's step size at the start of each stage, annealed to 0 along a cosine (default: ${D.learningRate})`, numberArg('--learning-rate'))
    .option('--corruption <x>', `fraction of an autoencoder's input values set to 0 while it learns (denoising; default: ${D.corruption})`, numberArg('--corruption'))
    .option('--shift <n>', `at every Adam step move each training example by up to n rows (audio: frames, in time), filling as padding does; 0: none (default: ${D.shift})`, intArg('--shift'))
    .option('--weight-decay <x>', `weight decay of the filters, and of the softmax while fine-tuning (default: ${D.weightDecay})`, numberArg('--weight-decay'))
    .option('--no-tied', 'give each decoder its own filters instead of the transposed convolution with the encoder\'s (default: tied)');
  addSoftmaxOptions(cmd);
  addRunOptions(cmd);
  cmd.action(async (flags: ConvAeFlags) => {
    const config = await convAeConfig(flags);
    await initBackend();
    const { runPath, metrics } = await runConvAeExperiment(config, flags.quiet ? () => undefined : undefined);
    if (config.split.kind === 'loso' && config.data.source === 'audio' && !flags.json) {
      const folds = metrics.folds as { name: string; beforeFineTune: { test: Evaluation }; afterFineTune: { test: Evaluation } | null }[];
      for (const f of folds) {
        const after = f.afterFineTune ? `, after fine-tuning ${pct(f.afterFineTune.test.accuracy)}` : '';
        console.log(`${f.name}: test accuracy before fine-tuning ${pct(f.beforeFineTune.test.accuracy)}${after}`);
      }
      console.log(`mean test accuracy ${pct(metrics.testAccuracy as number)} over ${folds.length} held-out speakers (before fine-tuning ${pct(metrics.beforeFineTuneAccuracy as number)})\n`);
      printClassificationResult(runPath, metrics, false, [{ label: 'all held-out speakers pooled: test accuracy', evaluation: metrics.test }]);
      return;
    }
    const before = (metrics.beforeFineTune as { test: Evaluation } | undefined)?.test;
    const after = metrics.afterFineTune as { test: Evaluation } | null | undefined;
    const sections = before ? [{ label: 'before fine-tuning: test accuracy', evaluation: before }] : [];
    if (after) sections.push({ label: 'after fine-tuning: test accuracy', evaluation: after.test });
    printClassificationResult(runPath, metrics, flags.json, sections);
  });
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
