/**
 * The one table of command-line flags that set config keys. Each entry maps one flag to one
 * config path, with its parser and help; the default shown in --help is read from DEFAULT_CONFIG
 * at that path, so no default is written twice. A command offers a list of these paths (the CLI
 * builds its commander options from them, src/cli/options.ts); a flag given on the command line
 * sets exactly its key, laid over the config file (see buildConfig in ./build-config.ts).
 *
 * Flags that are not config keys (--config, --set, --quiet, --json, --out, ...) belong to the
 * commands that read them, not here.
 */
import { defaultSpectrumParams, TRANSFORMS } from '../audio/spectrogram.ts';
import { parseHopLength, parseSampleLength } from '../audio/frame-length.ts';
import { PAD_MODES } from '../audio/frames.ts';
import { MEL_NORMS, MEL_SCALES } from '../audio/mel.ts';
import { PRESET_NAMES, spectrumPreset, type SpectrumPreset } from '../audio/presets.ts';
import { LOG_SCALES } from '../audio/scale.ts';
import { WINDOW_TYPES } from '../audio/window.ts';
import { BASELINE_DEFAULTS, BASELINE_MODELS } from '../models/mnist-baselines/settings.ts';
import { AUDIO_EXTENSIONS } from '../data/audio-files.ts';
import { SflError } from '../util/errors.ts';
import { compilePattern, LABEL_SOURCES, type LabelSource } from '../data/labeled-set.ts';
import { SPLIT_KINDS, type SplitKind } from '../data/splits.ts';
import { DEFAULT_CONFIG, type PartialConfig } from './config.ts';

export interface FlagSpec {
  /** Commander syntax: '--hop <n>' (a value), '--mnist [dir]' (an optional value), '--magnitude' or '--no-log' (a switch). */
  flag: string;
  help: string;
  /** The raw string -> the config value; errors name the flag. */
  parse?: (raw: string, flag: string) => unknown;
  choices?: readonly string[];
  /** For a switch: the value the key takes when the flag is given. */
  value?: unknown;
  /**
   * The partial config the flag's value sets, for the few flags that also set a key implied by
   * them (--audio DIR also picks the audio source). Default: `{ [path]: value }`.
   */
  to?: (value: unknown) => PartialConfig;
  /**
   * The default as --help shows it, when the value in DEFAULT_CONFIG needs words (null means
   * "the files' own rate"); false: show none (a switch whose help says it).
   */
  defaultText?: string | false;
  /** The flag's name before weight decay had one name: still accepted (not shown in --help), with a note. */
  formerly?: string;
}

/** Placeholder in a path for the model argument of `sfl mnist <model>`. */
export const MODEL = '{model}';

export function intArg(raw: string, flag: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n)) throw new SflError(`${flag} must be an integer (got "${raw}")`);
  return n;
}

function numberArg(raw: string, flag: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new SflError(`${flag} must be a number (got "${raw}")`);
  return n;
}

function digitsArg(raw: string, flag: string): number[] {
  const out = new Set<number>();
  for (const part of raw.split(',')) {
    const m = /^(\d)(?:-(\d))?$/.exec(part.trim());
    if (!m) throw new SflError(`${flag} takes digits and ranges like 0-4 or 5,7,9 (got "${raw}")`);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) out.add(i);
  }
  return [...out].sort();
}

function nonNegativeListArg(raw: string, flag: string): number[] {
  const parts = raw.split(',').map((x) => x.trim());
  const values = parts.map(Number);
  if (parts.some((x) => x === '') || values.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new SflError(`${flag} takes weight decays >= 0 separated by commas, like 1e-5,1e-4,1e-3 (got "${raw}")`);
  }
  return values;
}

/** A parser of sizes like 200,200; `what` names them in the error ("hidden layer sizes"). */
function sizesArg(what: string, example: string) {
  return (raw: string, flag: string): number[] => {
    const xs = raw.split(',').map((x) => Number(x.trim()));
    if (xs.length === 0 || xs.some((n) => !Number.isInteger(n) || n < 1)) throw new SflError(`${flag} takes ${what} like ${example} (got "${raw}")`);
    return xs;
  };
}

/** "5x5" or "5" (square) -> [rows, columns]. */
function sizeArg(raw: string, flag: string): number[] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(raw.trim());
  if (!m || Number(m[1]) < 1 || (m[2] !== undefined && Number(m[2]) < 1)) {
    throw new SflError(`${flag} takes a size like 5x5 (rows x columns; audio: frames x bands) or 5 (got "${raw}")`);
  }
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function listArg(raw: string): string[] {
  return raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

/** The tutorials' value of a baselines setting for each model that has it: "logreg 1000, mlp 1000, ...". */
function perModel(key: string): string {
  const b = BASELINE_DEFAULTS as unknown as Record<string, Record<string, unknown>>;
  return BASELINE_MODELS.filter((m) => key in b[m]).map((m) => `${m} ${JSON.stringify(b[m][key])}`).join(', ');
}

const D = DEFAULT_CONFIG;

/** `--labels folders|pattern:<p>|auto|none` -> data.labels (and data.pattern). */
function labelsArg(raw: string, flag: string): { labels: LabelSource; pattern?: string } {
  if (raw.startsWith('pattern:')) {
    const pattern = raw.slice('pattern:'.length);
    if (!pattern.includes('{label}')) throw new SflError(`${flag} pattern:<pattern> needs {label} in the pattern (got "${pattern}")`);
    compilePattern(pattern);
    return { labels: 'pattern', pattern };
  }
  if ((LABEL_SOURCES as readonly string[]).includes(raw)) return { labels: raw as LabelSource };
  throw new SflError(`${flag} takes folders, pattern:<pattern>, auto or none (got "${raw}")`);
}

/** `--split auto|official|random|speakers|loso|kfold:K` -> split.kind (and split.folds). */
function splitArg(raw: string, flag: string): { kind: SplitKind; folds?: number } {
  const k = /^kfold:(\d+)$/.exec(raw);
  if (k) {
    const folds = Number(k[1]);
    if (folds < 2) throw new SflError(`${flag} kfold:K needs K >= 2 (got "${raw}")`);
    return { kind: 'kfold', folds };
  }
  if (raw !== 'kfold' && (SPLIT_KINDS as readonly string[]).includes(raw)) return { kind: raw as SplitKind };
  throw new SflError(`${flag} takes auto, official, random, speakers, loso or kfold:K (got "${raw}")`);
}

/** Every flag that sets a config key, by the key it sets. */
export const FLAGS = {
  // The data
  'data.mnistDir': {
    flag: '--mnist [dir]',
    help: 'learn from MNIST: the folder of the four idx files (without a folder: $SFL_MNIST_DIR, then the download cache of `sfl data mnist`)',
    to: (v) => ({ data: typeof v === 'string' ? { source: 'mnist', mnistDir: v } : { source: 'mnist' } }),
    defaultText: false,
  },
  'data.audioDir': {
    flag: '--audio <dir>',
    help: `learn from a folder of recordings (${AUDIO_EXTENSIONS.join(' ')}), searched recursively; hidden files are ignored`,
    to: (v) => ({ data: { source: 'audio', audioDir: v as string } }),
  },
  'data.labels': {
    flag: '--labels <source>',
    help:
      'audio, where a classifier needs labels: folders (the name of the top sub-folder), pattern:<pattern> (the file name, ' +
      'e.g. pattern:{label}_{speaker}_{index}, with {label}, {speaker}, {index}, {*}), auto (folders when the files sit in ' +
      `sub-folders, else the pattern ${D.data.pattern}) or none; a file that does not fit is reported, never dropped silently`,
    parse: labelsArg,
    to: (v) => ({ data: v as { labels: LabelSource; pattern?: string } }),
  },
  'data.digits': { flag: '--digits <list>', help: 'MNIST digits to use, e.g. 0-9, 5-9 or 1,3,5', parse: digitsArg, defaultText: 'all' },
  'data.count': { flag: '--count <n>', help: 'MNIST: use the first n images (after the digit filter)', parse: intArg, defaultText: 'all' },
  'windows.frames': { flag: '--frames <K>', help: 'audio: consecutive spectral frames per window', parse: intArg },
  'windows.count': { flag: '--windows <n>', help: 'audio: random windows to learn from', parse: intArg },
  'windows.sampling': {
    flag: '--sampling <policy>',
    help: 'audio: how the windows are shared among recordings: balanced (an equal share each) or duration (in proportion to length; one long recording can then dominate)',
    choices: ['balanced', 'duration'],
  },

  // The spectrum
  'spectrum.transform': { flag: '--transform <name>', help: 'spectral transform', choices: TRANSFORMS },
  'spectrum.frameSize': {
    flag: '--frame <length>',
    help:
      'frame length, the FFT size: a duration like 32ms, rounded at the sample rate to the nearest power of two ' +
      '(in ratio: 256 samples at 8 kHz, 512 at 16 kHz, 1024 at 44.1 kHz), or a number of samples (a power of two)',
    parse: parseSampleLength,
  },
  'spectrum.hop': {
    flag: '--hop <length>',
    help:
      'time between frame starts: half (half the frame as resolved, so frames overlap by 50% at every rate), ' +
      'a duration like 10ms (rounded to the nearest whole sample at the sample rate), or a number of samples',
    parse: parseHopLength,
  },
  'spectrum.window': { flag: '--window <name>', help: 'analysis window', choices: WINDOW_TYPES },
  'spectrum.bands': { flag: '--bands <n>', help: 'mel or Bark bands', parse: intArg },
  'spectrum.fMin': {
    flag: '--fmin <hz>',
    help: 'lowest analysed frequency: the lower edge of the mel/Bark bands (mfcc too); fft keeps the bins from it up; cepstrum needs 0',
    parse: numberArg,
  },
  'spectrum.fMax': {
    flag: '--fmax <hz>',
    help: 'highest analysed frequency, for every transform: the upper edge of the mel/Bark bands (mfcc too); fft keeps the bins up to it; cepstrum is taken of the log spectrum below it',
    parse: numberArg,
    defaultText: 'the Nyquist frequency; when files are upsampled, that of the lowest rate among them, since they have nothing above it',
  },
  'spectrum.coefficients': { flag: '--coefficients <n>', help: 'coefficients kept by mfcc and cepstrum', parse: intArg },
  'spectrum.power': { flag: '--magnitude', help: 'use the magnitude |X| instead of the power |X|^2', value: false, defaultText: 'power' },
  'spectrum.log': { flag: '--no-log', help: 'no log compression of fft/mel/bark output', value: false, defaultText: 'ln(x + 1e-10)' },
  'spectrum.meanNormalise': {
    flag: '--mean-normalise',
    help: "subtract each band's mean over the recording: removes a fixed colouring of the spectrum (microphone, level, part of the speaker)",
    value: true,
    defaultText: false,
  },
  'spectrum.trimDb': {
    flag: '--trim-db <db>',
    help: 'drop the leading and trailing frames more than this many dB below the loudest frame',
    parse: numberArg,
    defaultText: 'keep all',
  },
  'spectrum.center': { flag: '--center', help: "centre frame t on sample t * hop (librosa's center=True and frame count)", value: true, defaultText: false },
  'spectrum.padMode': { flag: '--pad-mode <mode>', help: 'with --center: what lies beyond the ends (constant = zeros)', choices: PAD_MODES },
  'spectrum.melScale': { flag: '--mel-scale <scale>', help: 'mel scale of the mel bands', choices: MEL_SCALES },
  'spectrum.melNorm': { flag: '--mel-norm <norm>', help: 'mel filter normalisation (slaney = equal area)', choices: MEL_NORMS },
  'spectrum.logScale': { flag: '--log-scale <scale>', help: 'log of fft/mel/bark output: ln = ln(x + 1e-10), db = 10 log10(max(x, 1e-10))', choices: LOG_SCALES },
  'spectrum.topDb': { flag: '--top-db <db>', help: 'with --log-scale db: floor at the recording\'s maximum minus this many dB', parse: numberArg, defaultText: 'none' },
  'spectrum.preset': {
    flag: '--preset <name>',
    help:
      "spectrum settings of another tool: librosa = power_to_db(melspectrogram(y, sr)) at librosa's defaults " +
      '(22050 Hz, n_fft 2048, hop 512, centred, 128 Slaney mels with area normalisation, dB with top_db 80); ' +
      'change one of its settings with --set, e.g. --set spectrum.sampleRate=16000',
    choices: PRESET_NAMES,
    to: (v) => ({ spectrum: { ...spectrumPreset(v as string), preset: v as SpectrumPreset } }) as PartialConfig,
    defaultText: 'none',
  },
  'spectrum.sampleRate': {
    flag: '--sample-rate <hz>',
    help: 'resample every file to this rate',
    parse: intArg,
    defaultText: "the files' own rate; when they differ, the most common one (ties: the higher)",
  },

  // Preprocessing
  normalise: {
    flag: '--normalise <kind>',
    help: 'normalisation before whitening',
    choices: ['none', 'example-mean', 'standardise', 'rescale01'],
    defaultText: 'none for MNIST, rescale01 for audio',
  },
  'whitening.kind': { flag: '--whitening <kind>', help: 'whitening', choices: ['none', 'pca', 'zca'] },
  'whitening.epsilon': { flag: '--epsilon <x>', help: 'whitening regulariser added to the eigenvalues', parse: numberArg },
  'whitening.retainVariance': { flag: '--retain <fraction>', help: 'PCA: keep the components holding this fraction of variance', parse: numberArg },

  // The sparse autoencoder
  'sae.hidden': { flag: '--hidden <n>', help: 'hidden units', parse: intArg },
  'sae.weightDecay': { flag: '--weight-decay <x>', help: "weight decay of the autoencoder's weights", parse: numberArg, formerly: '--lambda' },
  'sae.beta': { flag: '--beta <x>', help: 'weight of the sparsity penalty', parse: numberArg },
  'sae.rho': { flag: '--rho <x>', help: 'target mean activation of a hidden unit', parse: numberArg },
  'sae.decoder': {
    flag: '--decoder <kind>',
    help: 'output units: sigmoid (inputs in [0,1]) or linear (whitened inputs); auto picks by the data',
    choices: ['auto', 'sigmoid', 'linear'],
  },
  'sae.maxIter': { flag: '--iterations <n>', help: 'L-BFGS iterations', parse: intArg },

  // The softmax
  'softmax.weightDecay': { flag: '--softmax-weight-decay <x>', help: 'softmax weight decay', parse: numberArg, formerly: '--softmax-lambda' },
  'softmax.maxIter': { flag: '--softmax-iterations <n>', help: 'softmax L-BFGS iterations', parse: intArg },
  'softmax.chooseWeightDecay': {
    flag: '--choose-weight-decay <list>',
    formerly: '--choose-lambda',
    help:
      `softmax weight decays to choose from, e.g. 1e-5,1e-4,1e-3, instead of --softmax-weight-decay: the one most accurate on a held-out ` +
      `${D.softmax.validationFraction} of the training rows (seeded random; set softmax.validationFraction to change) wins, ` +
      `then the softmax is trained on all of them with it; the test data plays no part`,
    parse: nonNegativeListArg,
    defaultText: false,
  },

  // Stacked autoencoders
  'stacked.layers': {
    flag: '--layers <sizes>',
    help: 'hidden layer sizes, bottom first, each pretrained as a sparse autoencoder with --weight-decay, --beta, --rho, --iterations',
    parse: sizesArg('hidden layer sizes', '200,200'),
  },
  'stacked.fineTuneMaxIter': {
    flag: '--fine-tune-iterations <n>',
    help: 'L-BFGS iterations of the supervised fine-tuning; 0 skips it',
    parse: intArg,
    // fineTuneMaxIter stays >= 1 in the config: 0 iterations means "no fine-tuning".
    to: (v) => {
      const n = v as number;
      if (n < 0) throw new SflError('--fine-tune-iterations must be 0 or more');
      return { stacked: n > 0 ? { fineTune: true, fineTuneMaxIter: n } : { fineTune: false } };
    },
  },

  // Audio classification
  'split.kind': {
    flag: '--split <kind>',
    help:
      "audio: auto (official when every file name carries FSDD's recording index and that split puts every label on both sides, else random), official (FSDD index 0-4 test), " +
      `random (seeded, stratified, ${D.split.testFraction} of each label to test), speakers (with --test-speakers), ` +
      'loso (leave one speaker out, each in turn) or kfold:K (K-fold cross-validation, stratified; prints the mean and standard deviation)',
    parse: splitArg,
    to: (v) => ({ split: v as { kind: SplitKind; folds?: number } }),
  },
  'split.testSpeakers': {
    flag: '--test-speakers <list>',
    help: 'audio: speakers held out, e.g. george,lucas (sets --split speakers)',
    parse: listArg,
    to: (v) => ({ split: { kind: 'speakers', testSpeakers: v as string[] } }),
    defaultText: false,
  },
  'pooling.method': { flag: '--pool <method>', help: 'pooling of features: mean, max or meanmax (audio: over time; images: over each region)', choices: ['mean', 'max', 'meanmax'] },
  'pooling.segments': { flag: '--segments <n>', help: 'audio: time segments pooled separately (coarse temporal order)', parse: intArg },
  'softmax.baseline': {
    flag: '--no-baseline',
    help: 'audio: skip the no-learning baseline (log-spectrum statistics -> softmax) trained and printed beside the result on the same split',
    defaultText: false,
  },
  'softmax.standardise': {
    flag: '--standardise-per-speaker',
    help:
      "audio: standardise each speaker's recording vectors with that speaker's own mean and std before the softmax (speaker-level " +
      "normalisation; a held-out speaker's statistics come from its unlabeled test recordings; the baseline gets the same). " +
      "Default: the training set's statistics for all",
    value: 'speaker',
    defaultText: false,
  },

  // Self-taught learning on MNIST
  'selfTaught.unlabeledDigits': { flag: '--unlabeled <digits>', help: 'MNIST digits the autoencoder learns from', parse: digitsArg },
  'selfTaught.labeledDigits': { flag: '--labeled <digits>', help: 'MNIST digits to classify', parse: digitsArg },
  'selfTaught.trainFraction': {
    flag: '--train-fraction <f>',
    help: 'fraction of the labelled images, in file order, to train on; the rest test',
    parse: numberArg,
  },
  'selfTaught.encoder': {
    flag: '--encoder <dir>',
    help: "use this trained sparse autoencoder (a run's model/ or encoder/ folder) instead of training one",
    defaultText: false,
  },

  // Convolution and pooling
  'conv.patchSize': { flag: '--patch <n>', help: 'MNIST: side of the square patches the features span', parse: intArg },
  'conv.bandPatch': {
    flag: '--band-patch <n>',
    help: 'audio: bands a feature spans, sliding over frequency too',
    parse: intArg,
    defaultText: 'all bands, sliding in time only',
  },
  'conv.poolSize': {
    flag: '--pool-size <n>',
    help: 'side of a pooling region: pixels of the feature maps (MNIST) or frequency offsets (audio with --band-patch)',
    parse: intArg,
  },
  'conv.poolStride': { flag: '--pool-stride <n>', help: 'step between pooling regions', parse: intArg, defaultText: 'the pool size, regions do not overlap' },

  // The convolutional autoencoder
  'convAe.filters': {
    flag: '--filters <list>',
    help: 'feature maps of each convolution layer, bottom first; the number of layers',
    parse: sizesArg('positive integers', '16,32'),
  },
  'convAe.kernel': { flag: '--kernel <RxC>', help: 'kernel size, rows x columns: audio frames x bands, images pixels', parse: sizeArg, defaultText: D.convAe.kernel.join('x') },
  'convAe.pool': { flag: '--pool-size <RxC>', help: 'max-pooling region after each layer, rows x columns, not overlapping', parse: sizeArg, defaultText: D.convAe.pool.join('x') },
  'convAe.frames': {
    flag: '--input-frames <n>',
    help:
      "audio: frames every recording is brought to: a longer one keeps its loudest n frames, a shorter one is centred and padded with each band's training mean " +
      `(${D.convAe.frames} frames of the default framing span ${framesSpan(D.convAe.frames, 44100)} s at 44.1 kHz, ${framesSpan(D.convAe.frames, 16000)} s at 16 kHz; ` +
      'the run says how long and how many recordings it cuts)',
    parse: intArg,
  },
  'convAe.pretrainEpochs': { flag: '--pretrain-epochs <n>', help: "Adam epochs of each layer's autoencoder; 0: random filters, no pretraining", parse: intArg },
  'convAe.fineTuneEpochs': { flag: '--fine-tune-epochs <n>', help: 'Adam epochs of the whole network after the softmax; 0: no fine-tuning', parse: intArg },
  'convAe.batchSize': { flag: '--batch-size <n>', help: 'examples per Adam step', parse: intArg },
  'convAe.learningRate': { flag: '--learning-rate <x>', help: "Adam's step size at the start of each stage, annealed to 0 along a cosine", parse: numberArg },
  'convAe.corruption': { flag: '--corruption <x>', help: "fraction of an autoencoder's input values set to 0 while it learns (denoising)", parse: numberArg },
  'convAe.shift': {
    flag: '--shift <n>',
    help: 'at every Adam step move each training example by up to n rows (audio: frames, in time), filling as padding does; 0: none',
    parse: intArg,
  },
  'convAe.weightDecay': { flag: '--weight-decay <x>', help: 'weight decay of the filters, and of the softmax while fine-tuning', parse: numberArg },
  'convAe.tied': { flag: '--no-tied', help: "give each decoder its own filters instead of the transposed convolution with the encoder's", value: false, defaultText: 'tied' },

  // The MNIST baselines ({model} is the command's argument)
  [`baselines.${MODEL}.epochs`]: { flag: '--epochs <n>', help: 'most training epochs (early stopping usually ends sooner)', parse: intArg, defaultText: perModel('epochs') },
  [`baselines.${MODEL}.pretrainEpochs`]: { flag: '--pretrain-epochs <n>', help: 'sda: pretraining epochs per layer', parse: intArg, defaultText: perModel('pretrainEpochs') },
  [`baselines.${MODEL}.batchSize`]: { flag: '--batch-size <n>', help: 'minibatch size', parse: intArg, defaultText: perModel('batchSize') },
  [`baselines.${MODEL}.learningRate`]: { flag: '--learning-rate <x>', help: 'SGD learning rate (sda: the fine-tuning rate)', parse: numberArg, defaultText: perModel('learningRate') },
  [`baselines.${MODEL}.patience`]: { flag: '--patience <n>', help: 'early stopping: initial patience in minibatches (null: 10 epochs)', parse: intArg, defaultText: perModel('patience') },
  'baselines.trainCount': { flag: '--train-count <n>', help: 'training images: the first n of the training file', parse: intArg },
  'baselines.validCount': { flag: '--valid-count <n>', help: 'validation images: the next n', parse: intArg },
  'baselines.testCount': { flag: '--test-count <n>', help: 'test images', parse: intArg, defaultText: 'all' },

  // The run
  'run.seed': { flag: '--seed <n>', help: 'random seed', parse: intArg },
  'run.name': { flag: '--name <run>', help: 'run name: outputs/<run>/', defaultText: '<command>-<date>-<time>' },
  'run.outputs': { flag: '--outputs <dir>', help: 'folder of runs' },
  'run.overwrite': {
    flag: '--overwrite',
    help: 'replace an existing run (or unfinished checkpoint) of the same name; without it that is refused, so a finished run is never lost by accident',
    value: true,
    defaultText: false,
  },
} satisfies Record<string, FlagSpec>;

export type FlagPath = keyof typeof FLAGS;

/** The value at a dotted path of an object (undefined when absent). */
function valueAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** `{ a: { b: value } }` from 'a.b'. */
function partialAt(path: string, value: unknown): PartialConfig {
  const out: Record<string, unknown> = {};
  let node = out;
  const keys = path.split('.');
  keys.forEach((k, i) => {
    if (i === keys.length - 1) node[k] = value;
    else node = (node[k] = {}) as Record<string, unknown>;
  });
  return out as PartialConfig;
}

/** The default as --help shows it: the spec's words, else the value in DEFAULT_CONFIG (lists as 1,2). */
export function defaultHelp(spec: FlagSpec, path: string, model?: string): string | null {
  if (spec.defaultText === false) return null;
  if (spec.defaultText !== undefined) return spec.defaultText;
  const v = valueAt(DEFAULT_CONFIG, model ? path.replace(MODEL, model) : path);
  if (v === undefined || v === null) return null;
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** The partial config one flag sets, from its parsed value (or `true` for a switch). */
export function flagPartial(path: string, value: unknown, model?: string): PartialConfig {
  const spec = (FLAGS as Record<string, FlagSpec>)[path];
  if (!spec) throw new Error(`no flag sets ${path}`);
  const v = spec.value !== undefined ? spec.value : value;
  if (spec.to) return spec.to(v);
  if (path.includes(MODEL)) {
    if (!model) throw new Error(`${spec.flag} needs the model argument`);
    return partialAt(path.replace(MODEL, model), v);
  }
  return partialAt(path, v);
}

/** Seconds spanned by n frames of the default framing at `rate` Hz (for help texts that count frames). */
function framesSpan(n: number, rate: number): string {
  const p = defaultSpectrumParams(rate);
  return (((n - 1) * p.hop + p.frameSize) / rate).toFixed(2);
}
