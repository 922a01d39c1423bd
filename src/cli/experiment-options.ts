/**
 * Flags of the experiment commands (train-sae, and later softmax/self-taught/stacked), turned into
 * a partial config and laid over a config file (--config) and DEFAULT_CONFIG, so the CLI, the
 * configs/ files and the library all share one set of names and defaults.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_CONFIG, loadConfigFile, parseOverride, resolveConfig, type Config, type PartialConfig } from '../pipeline/config.ts';
import { setQuiet } from '../util/progress.ts';
import { SflError } from '../util/errors.ts';
import { addSpectrumOptions, intArg, numberArg, spectrumSettingsFromFlags, type SpectrumFlags } from './options.ts';

const D = DEFAULT_CONFIG;

export function digitsArg(v: string): number[] {
  const out = new Set<number>();
  for (const part of v.split(',')) {
    const m = /^(\d)(?:-(\d))?$/.exec(part.trim());
    if (!m) throw new SflError(`--digits takes digits and ranges like 0-4 or 5,7,9 (got "${v}")`);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) out.add(i);
  }
  return [...out].sort();
}

export function addDataOptions(cmd: Command): Command {
  cmd
    .option('--mnist [dir]', 'learn from MNIST: the folder of the four idx files (default: $SFL_MNIST_DIR)')
    .option('--audio <dir>', `learn from a folder of WAV files (default: ${D.data.audioDir})`)
    .option('--digits <list>', 'MNIST digits to use, e.g. 0-9, 5-9 or 1,3,5 (default: all)', digitsArg)
    .option('--count <n>', 'MNIST: use the first n images (after the digit filter; default: all)', intArg('--count'))
    .option('--frames <K>', `audio: consecutive spectral frames per window (default: ${D.windows.frames})`, intArg('--frames'))
    .option('--windows <n>', `audio: random windows to learn from (default: ${D.windows.count})`, intArg('--windows'));
  return addSpectrumOptions(cmd);
}

export function addPreprocessOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--normalise <kind>', `normalisation before whitening (default: none for --mnist, ${D.normalise} for --audio)`).choices([
        'none',
        'example-mean',
        'standardise',
        'rescale01',
      ]),
    )
    .addOption(new Option('--whitening <kind>', `whitening (default: ${D.whitening.kind})`).choices(['none', 'pca', 'zca']))
    .option('--epsilon <x>', `whitening regulariser added to the eigenvalues (default: ${D.whitening.epsilon})`, numberArg('--epsilon'))
    .option('--retain <fraction>', `PCA: keep the components holding this fraction of variance (default: ${D.whitening.retainVariance})`, numberArg('--retain'));
}

export function addSaeOptions(cmd: Command): Command {
  return cmd
    .option('--hidden <n>', `hidden units (default: ${D.sae.hidden})`, intArg('--hidden'))
    .option('--lambda <x>', `weight decay (default: ${D.sae.lambda})`, numberArg('--lambda'))
    .option('--beta <x>', `weight of the sparsity penalty (default: ${D.sae.beta})`, numberArg('--beta'))
    .option('--rho <x>', `target mean activation of a hidden unit (default: ${D.sae.rho})`, numberArg('--rho'))
    .addOption(
      new Option('--decoder <kind>', 'output units: sigmoid (inputs in [0,1]) or linear (whitened inputs); auto picks by the data (default: auto)').choices([
        'auto',
        'sigmoid',
        'linear',
      ]),
    )
    .option('--iterations <n>', `L-BFGS iterations (default: ${D.sae.maxIter})`, intArg('--iterations'));
}

export function addSoftmaxOptions(cmd: Command): Command {
  return cmd
    .option('--softmax-lambda <x>', `softmax weight decay (default: ${D.softmax.lambda})`, numberArg('--softmax-lambda'))
    .option('--softmax-iterations <n>', `softmax L-BFGS iterations (default: ${D.softmax.maxIter})`, intArg('--softmax-iterations'))
    .option(
      '--choose-lambda <list>',
      `softmax weight decays to choose from, e.g. 1e-5,1e-4,1e-3, instead of --softmax-lambda: the one most accurate on a held-out ` +
        `${D.softmax.validationFraction} of the training rows (seeded random; set softmax.validationFraction to change) wins, ` +
        `then the softmax is trained on all of them with it; the test data plays no part`,
      lambdaListArg,
    );
}

function lambdaListArg(v: string): number[] {
  const parts = v.split(',').map((x) => x.trim());
  const values = parts.map(Number);
  if (parts.some((x) => x === '') || values.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new SflError(`--choose-lambda takes weight decays >= 0 separated by commas, like 1e-5,1e-4,1e-3 (got "${v}")`);
  }
  return values;
}

function layersArg(v: string): number[] {
  const sizes = v.split(',').map((x) => Number(x.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new SflError(`--layers takes hidden layer sizes like 200,200 (got "${v}")`);
  }
  return sizes;
}

export function addStackedOptions(cmd: Command): Command {
  return cmd
    .option('--layers <sizes>', `hidden layer sizes, bottom first, each pretrained as a sparse autoencoder with --lambda, --beta, --rho, --iterations (default: ${D.stacked.layers.join(',')})`, layersArg)
    .option('--fine-tune-iterations <n>', `L-BFGS iterations of the supervised fine-tuning; 0 skips it (default: ${D.stacked.fineTuneMaxIter})`, intArg('--fine-tune-iterations'));
}

/** Audio classification: the split, the pooling over time and the baseline (self-taught, conv). */
export function addAudioClassificationOptions(cmd: Command): Command {
  return cmd
    .option('--split <kind>', 'audio: official (FSDD index 0-4 test), random, speakers (with --test-speakers) or loso (leave one speaker out, each in turn)')
    .option('--test-speakers <list>', 'audio: speakers held out by --split speakers, e.g. george,lucas')
    .option('--pool <method>', 'pooling of features: mean, max or meanmax (audio: over time; images: over each region)')
    .option('--segments <n>', 'audio: time segments pooled separately (coarse temporal order)', intArg('--segments'))
    .option('--baseline', 'audio: also train and print the no-learning baseline (log-spectrum statistics -> softmax) on the same split')
    .option(
      '--standardise-per-speaker',
      "audio: standardise each speaker's recording vectors with that speaker's own mean and std before the softmax (speaker-level normalisation; a held-out speaker's statistics come from its unlabeled test recordings; the baseline gets the same). Default: the training set's statistics for all",
    );
}

export type AudioClassificationFlags = { split?: string; testSpeakers?: string; pool?: string; segments?: number; baseline?: boolean; standardisePerSpeaker?: boolean };

/** The config with the audio classification flags laid over it (--set still wins). */
export function withAudioClassificationFlags(config: Config, flags: AudioClassificationFlags & { set?: string[] }): Config {
  const audio: PartialConfig = {};
  if (flags.split) audio.split = { kind: flags.split as 'official' };
  if (flags.testSpeakers) audio.split = { ...audio.split, kind: 'speakers', testSpeakers: flags.testSpeakers.split(',').map((x) => x.trim()) };
  if (flags.pool || flags.segments) audio.pooling = defined({ method: flags.pool as 'mean' | undefined, segments: flags.segments });
  if (flags.standardisePerSpeaker) audio.softmax = { standardise: 'speaker' };
  config = resolveConfig(audio, 'command-line flags', config);
  for (const o of flags.set ?? []) config = resolveConfig(parseOverride(o), '--set', config);
  return config;
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'start from this JSON config (configs/*.json); flags override it')
    .option('--set <key=value...>', 'override any config key, e.g. --set sae.lambda=1e-3 windows.count=50000')
    .option('--seed <n>', `random seed (default: ${D.run.seed})`, intArg('--seed'))
    .option('--name <run>', 'run name: outputs/<run>/ (default: <command>-<date>-<time>)')
    .option('--outputs <dir>', `folder of runs (default: ${D.run.outputs})`)
    .option('--overwrite', 'replace an existing run of the same name (default: refuse, so a finished run is never lost by accident)')
    .option('--quiet', 'no progress display')
    .option('--json', 'print the result as one JSON object on stdout');
}

export type ExperimentFlags = SpectrumFlags & {
  mnist?: string | boolean;
  audio?: string;
  digits?: number[];
  count?: number;
  frames?: number;
  windows?: number;
  normalise?: string;
  whitening?: string;
  epsilon?: number;
  retain?: number;
  hidden?: number;
  lambda?: number;
  beta?: number;
  rho?: number;
  decoder?: string;
  iterations?: number;
  softmaxLambda?: number;
  softmaxIterations?: number;
  chooseLambda?: number[];
  layers?: number[];
  fineTuneIterations?: number;
  config?: string;
  set?: string[];
  seed?: number;
  name?: string;
  outputs?: string;
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
};

/** Drops undefined values so they do not override the config. */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The resolved config: DEFAULT_CONFIG <- --config file <- flags <- --set overrides. */
export async function configFromFlags(f: ExperimentFlags): Promise<Config> {
  if (f.quiet) setQuiet(true);
  if (f.mnist !== undefined && f.audio !== undefined) throw new SflError('give either --mnist or --audio, not both');
  let config = f.config ? await loadConfigFile(f.config) : resolveConfig({});
  const mnist = f.mnist !== undefined;
  const spectrumGiven = ['transform', 'frame', 'hop', 'window', 'bands', 'fmin', 'fmax', 'coefficients', 'magnitude', 'sampleRate', 'meanNormalise', 'trimDb'].some(
    (k) => (f as unknown as Record<string, unknown>)[k] !== undefined,
  ) || f.log === false;
  if (f.fineTuneIterations !== undefined && f.fineTuneIterations < 0) throw new SflError('--fine-tune-iterations must be 0 or more');
  const partial: PartialConfig = {
    data: defined({
      source: mnist ? 'mnist' : f.audio !== undefined ? 'audio' : undefined,
      mnistDir: typeof f.mnist === 'string' ? f.mnist : undefined,
      audioDir: f.audio,
      digits: f.digits,
      count: f.count,
    }),
    windows: defined({ frames: f.frames, count: f.windows }),
    // MNIST pixels are already in [0, 1]: the exercise feeds them as they are.
    normalise: (f.normalise ?? (mnist && !f.config ? 'none' : undefined)) as PartialConfig['normalise'],
    whitening: defined({ kind: f.whitening, epsilon: f.epsilon, retainVariance: f.retain }) as PartialConfig['whitening'],
    sae: defined({ hidden: f.hidden, lambda: f.lambda, beta: f.beta, rho: f.rho, decoder: f.decoder, maxIter: f.iterations }) as PartialConfig['sae'],
    run: defined({ seed: f.seed, name: f.name, outputs: f.outputs, overwrite: f.overwrite }),
    softmax: defined({ lambda: f.softmaxLambda, maxIter: f.softmaxIterations, chooseLambda: f.chooseLambda }),
    // fineTuneMaxIter must stay >= 1 in the config: 0 iterations means "no fine-tuning".
    stacked: defined({
      layers: f.layers,
      fineTune: f.fineTuneIterations === undefined ? undefined : f.fineTuneIterations > 0,
      fineTuneMaxIter: f.fineTuneIterations ? f.fineTuneIterations : undefined,
    }),
  };
  if (spectrumGiven) partial.spectrum = spectrumSettingsFromFlags(f);
  if (partial.normalise === undefined) delete partial.normalise;
  if (f.seed !== undefined) partial.windows = { ...partial.windows, seed: f.seed };
  config = resolveConfig(partial, 'command-line flags', config);
  for (const o of f.set ?? []) config = resolveConfig(parseOverride(o), '--set', config);
  return config;
}
