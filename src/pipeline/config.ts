/**
 * The one typed configuration of sfl, with its defaults. The CLI, the experiment files in
 * configs/*.json and the library API all start from DEFAULT_CONFIG and go through resolveConfig,
 * so a default is named here and nowhere else. The validation rules live in config-schema.ts;
 * a test checks that the two describe exactly the same keys.
 */
import { readFile } from 'node:fs/promises';
import { SflError } from '../util/errors.ts';
import { WHITENING_DEFAULTS } from '../features/whitening-defaults.ts';
import { CONFIG_SCHEMA, EXPERIMENT_NAMES, validateConfig } from './config-schema.ts';
import { upgradeRenamedKeys } from './renamed-keys.ts';
import { BASELINE_DEFAULTS, type BaselinesConfig } from '../models/mnist-baselines/settings.ts';
import { FSDD_PATTERN, type LabelSource } from '../data/labeled-set.ts';
import type { SplitKind } from '../data/splits.ts';

import { SPECTRUM_DEFAULTS, type SpectrumSettings, type Transform } from '../audio/spectrogram.ts';
import { durationSeconds, frameSizeAt, HALF_FRAME, hopAt } from '../audio/frame-length.ts';
import type { SpectrumPreset } from '../audio/presets.ts';
import type { WindowType as WindowFunction } from '../audio/window.ts';
export type { Transform, WindowFunction };
export type Normalise = 'none' | 'example-mean' | 'standardise' | 'rescale01';
export type Whitening = 'none' | 'pca' | 'zca';
/** 'auto': sigmoid when the preprocessed data lies in [0, 1], else linear. */
export type Decoder = 'auto' | 'sigmoid' | 'linear';
export type DataSource = 'audio' | 'mnist';
/** Which pipeline `sfl run` runs (src/pipeline/experiments/index.ts). */
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];
export { EXPERIMENT_NAMES };

/** The spectrum keys a config holds (each documented on SpectrumParams). */
const CONFIG_SPECTRUM_KEYS = [
  'transform', 'frameSize', 'hop', 'window', 'bands', 'fMin', 'log', 'power', 'coefficients', 'meanNormalise', 'trimDb',
  'center', 'padMode', 'melScale', 'melNorm', 'logScale', 'topDb',
] as const satisfies readonly (keyof SpectrumSettings)[];

/**
 * The spectrum section of the config: SpectrumParams' settings (frameSize and hop in samples or as
 * durations like "32ms", resolved at the run's rate by resolveSpectrumParams), with the two that
 * depend on the signal nullable (sampleRate null keeps each file's own rate, fMax null is its
 * Nyquist frequency), and the named preset (audio/presets.ts) the settings came from, for the
 * record (null = none).
 */
export type SpectrumConfig = Pick<SpectrumSettings, (typeof CONFIG_SPECTRUM_KEYS)[number]> & {
  fMax: number | null;
  sampleRate: number | null;
  preset: SpectrumPreset | null;
};

export interface WindowsConfig {
  /** K: consecutive spectrum frames concatenated into one training example. */
  frames: number;
  /** How many windows to sample for unsupervised training. */
  count: number;
  /** null: use run.seed (resolveConfig fills it in, so run.json records the seed actually used). */
  seed: number | null;
  /**
   * How windows are shared among the recordings (features/sampler.ts): 'balanced' gives every
   * recording an equal share, 'duration' every window of every recording an equal chance (a long
   * recording then gives more).
   */
  sampling: 'balanced' | 'duration';
}

export interface PoolingConfig {
  method: 'mean' | 'max' | 'meanmax';
  /** Equal time segments pooled separately and concatenated (coarse temporal order). */
  segments: number;
}

/**
 * Convolution and pooling (sfl conv): filters learned on small patches applied at every position.
 * Time pooling of audio uses `pooling` (method and segments); the sizes here pool over space
 * (images) and over frequency offsets (audio with bandPatch).
 */
export interface ConvConfig {
  /** Images: side of the square patches the autoencoder learns and the filters span. */
  patchSize: number;
  /** Audio: bands a filter spans; null: all bands (a filter then slides in time only). */
  bandPatch: number | null;
  /** Side of a pooling region (images: pixels of the feature map; audio: frequency offsets). */
  poolSize: number;
  /** Step between pooling regions; null: poolSize (regions tile the map without overlap). */
  poolStride: number | null;
}

/**
 * The convolutional autoencoder (sfl conv-ae): convolution + max-pooling layers, each pretrained
 * as a denoising convolutional autoencoder, a softmax on the top layer (softmax.*), then the
 * whole network fine-tuned with Adam. Pictures are [rows, columns]: audio [frames, bands]
 * (time down the rows), images [pixel rows, pixel columns].
 */
export interface ConvAeConfig {
  /** Feature maps (filters) of each layer, bottom first. */
  filters: number[];
  /** Kernel size [rows, columns]; audio: [frames, bands]. */
  kernel: number[];
  /** Non-overlapping max-pooling region after each layer, [rows, columns]. */
  pool: number[];
  /**
   * Audio: frames every recording is brought to. A longer one keeps its loudest stretch of
   * `frames` frames; a shorter one is centred and padded with the training mean of each band.
   */
  frames: number;
  /** Adam epochs of each layer's autoencoder; 0: no pretraining (random filters). */
  pretrainEpochs: number;
  /** Adam epochs of the whole network after the softmax; 0: no fine-tuning. */
  fineTuneEpochs: number;
  batchSize: number;
  /** Adam's step size at the start of each stage (pretraining a layer, fine-tuning); it falls to 0 along a cosine. */
  learningRate: number;
  /** Fraction of each autoencoder's input values set to 0 while it learns (denoising). */
  corruption: number;
  /**
   * At every Adam step each training example is moved by a random whole number of rows in
   * [-shift, shift] (audio: frames, so in time), the rows it leaves filled as padding is; 0: none.
   */
  shift: number;
  /** Weight decay of the filters (and of the softmax weights while fine-tuning). */
  weightDecay: number;
  /** The decoder is the transposed convolution with the encoder's own filters; false: it has its own. */
  tied: boolean;
}

export interface WhiteningConfig {
  kind: Whitening;
  /** Added to the eigenvalues before dividing, so near-zero directions are not blown up. */
  epsilon: number;
  /** PCA keeps the fewest components holding this fraction of the variance (1 keeps all). */
  retainVariance: number;
}

export interface SaeConfig {
  hidden: number;
  /** Weight decay. */
  weightDecay: number;
  /** Weight of the sparsity penalty. */
  beta: number;
  /** Target mean activation of each hidden unit. */
  rho: number;
  decoder: Decoder;
  maxIter: number;
}

export interface SoftmaxConfig {
  weightDecay: number;
  maxIter: number;
  /**
   * Weight decays to choose from instead of `weightDecay` (empty: use `weightDecay`): each is trained on
   * the training rows less a held-out `validationFraction` of them (a seeded random draw), the
   * most accurate on the held-out rows wins, and the softmax is trained on all of them with it.
   * The test data plays no part in the choice.
   */
  chooseWeightDecay: number[];
  /** The fraction of training rows held out to choose weightDecay. */
  validationFraction: number;
  /**
   * Audio: how recording vectors are standardised before the softmax. 'training': with the
   * training set's mean and std. 'speaker': each speaker's vectors with that speaker's own
   * (speaker-level normalisation; a held-out speaker's come from its unlabeled test recordings,
   * so it adapts to the new voice without seeing a label).
   */
  standardise: 'training' | 'speaker';
  /** Audio: also train the no-learning baseline (log-spectrum statistics -> softmax) on the same split and report it beside the result. */
  baseline: boolean;
}

export interface StackedConfig {
  /** Hidden sizes of the stacked layers, each trained greedily as a sparse autoencoder (sae.*). */
  layers: number[];
  /** Fine-tune the whole stack and the softmax with backpropagation after greedy training. */
  fineTune: boolean;
  fineTuneMaxIter: number;
}

/** Self-taught learning (UFLDL): the autoencoder learns from other classes than the softmax sees. */
export interface SelfTaughtConfig {
  /** MNIST digits whose training images are the unlabeled data the autoencoder learns from. */
  unlabeledDigits: number[];
  /** MNIST digits to classify; their training images are split in file order into train and test. */
  labeledDigits: number[];
  /** Fraction of the labeled images (the first ones, in file order) the softmax trains on; the rest test it. */
  trainFraction: number;
  /** A saved sparse autoencoder (a run's model/ folder) to encode with instead of training one; null trains. */
  encoder: string | null;
}

/** See SplitKind (data/splits.ts): 'auto' is the official split when names carry FSDD's index, else seeded stratified random. */
export interface SplitConfig {
  kind: SplitKind;
  /** Fraction of examples (random) or speakers (speakers, when testSpeakers is empty) held out. */
  testFraction: number;
  /** Speakers held out by kind 'speakers'; empty: chosen with the seed to match testFraction. */
  testSpeakers: string[];
  /** K of kind 'kfold'. */
  folds: number;
  seed: number | null;
}

export interface DataConfig {
  source: DataSource;
  /** Folder of recordings (searched recursively). */
  audioDir: string;
  /** Where labels come from when a command needs them: sub-folder names, file names (pattern), or auto. */
  labels: LabelSource;
  /** File-name pattern (no extension) with {label}, {speaker}, {index}, {*}: labels when labels = 'pattern', else speaker and index. */
  pattern: string;
  /** Folder with the MNIST idx files; null: --mnist DIR or SFL_MNIST_DIR. */
  mnistDir: string | null;
  /** MNIST classes to use. */
  digits: number[];
  /** Most examples to load; null loads all. */
  count: number | null;
}

export interface RunConfig {
  /** null: `<namePrefix>-<YYYYMMDD-HHMMSS>`, made unique with a suffix. */
  name: string | null;
  /** Start of an unnamed run's name; null: the command (e.g. train-sae). */
  namePrefix: string | null;
  /** Folder that holds one sub-folder per run. */
  outputs: string;
  seed: number;
  /** Replace an existing run (or unfinished checkpoint) of the same name; without it that is refused. */
  overwrite: boolean;
}

export interface Config {
  experiment: ExperimentName;
  /** Free text for people: what the experiment is for (shown in the report). */
  description: string;
  spectrum: SpectrumConfig;
  windows: WindowsConfig;
  /** Audio classification: how a recording's window features are pooled over time. */
  pooling: PoolingConfig;
  /** Normalisation before whitening; null in the defaults: 'none' for MNIST (pixels are already in [0, 1]), 'rescale01' for audio. */
  normalise: Normalise;
  whitening: WhiteningConfig;
  sae: SaeConfig;
  softmax: SoftmaxConfig;
  stacked: StackedConfig;
  conv: ConvConfig;
  convAe: ConvAeConfig;
  selfTaught: SelfTaughtConfig;
  split: SplitConfig;
  data: DataConfig;
  run: RunConfig;
  /** The MNIST baselines of the deep-learning tutorials (sfl mnist). */
  baselines: BaselinesConfig;
}

/** Objects may be given in part; arrays and scalars are replaced whole. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type PartialConfig = DeepPartial<Config>;
/** The defaults: a Config whose source-dependent keys are still null (resolveConfig fills them). */
export type ConfigDefaults = Omit<Config, 'normalise'> & { normalise: Normalise | null };

// Defaults follow the UFLDL exercises where they apply (sparse autoencoder, softmax, stacked).
// rescale01 + sigmoid decoder go together: a sigmoid can only reconstruct values in [0, 1].
export const DEFAULT_CONFIG: Readonly<ConfigDefaults> = deepFreeze({
  experiment: 'sae',
  description: '',
  // The audio layer's defaults (audio/spectrogram.ts); the rate and fMax follow the files.
  spectrum: { ...pickKeys(SPECTRUM_DEFAULTS, CONFIG_SPECTRUM_KEYS), fMax: null, sampleRate: null, preset: null },
  windows: { frames: 4, count: 100000, seed: null, sampling: 'balanced' },
  pooling: { method: 'meanmax', segments: 3 },
  normalise: null,
  whitening: { kind: 'none', ...WHITENING_DEFAULTS },
  sae: { hidden: 196, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'auto', maxIter: 400 },
  softmax: { weightDecay: 1e-4, maxIter: 100, chooseWeightDecay: [], validationFraction: 0.2, standardise: 'training', baseline: true },
  stacked: { layers: [200, 200], fineTune: true, fineTuneMaxIter: 400 },
  conv: { patchSize: 8, bandPatch: null, poolSize: 7, poolStride: null },
  convAe: {
    filters: [16, 32],
    kernel: [5, 5],
    pool: [2, 2],
    frames: 48,
    pretrainEpochs: 10,
    fineTuneEpochs: 30,
    batchSize: 32,
    learningRate: 1e-3,
    corruption: 0.2,
    shift: 8,
    weightDecay: 1e-4,
    tied: true,
  },
  selfTaught: { unlabeledDigits: [5, 6, 7, 8, 9], labeledDigits: [0, 1, 2, 3, 4], trainFraction: 0.5, encoder: null },
  split: { kind: 'auto', testFraction: 0.2, testSpeakers: [], folds: 5, seed: null },
  data: { source: 'audio', audioDir: 'audio/fsdd/recordings', labels: 'auto', pattern: FSDD_PATTERN, mnistDir: null, digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], count: null },
  run: { name: null, namePrefix: null, outputs: 'outputs', seed: 1, overwrite: false },
  baselines: BASELINE_DEFAULTS,
} satisfies ConfigDefaults);

/**
 * Deep-merges `partial` onto `base` (default: the defaults), validates the result and fills the
 * derived seeds. Errors name the key and `source` (a file name, or e.g. '--set'), e.g.
 * `configs/x.json: sae.weightDecay must be a number >= 0 (got "abc")`. Unknown keys are errors, so a
 * typo never silently falls back to a default.
 */
export function resolveConfig(partial: PartialConfig = {}, source?: string, base: Readonly<ConfigDefaults> = DEFAULT_CONFIG): Config {
  // Validated as unknown: the partial may come from JSON or plain JavaScript, whatever its type says.
  if (partial === null) partial = {};
  const problems = validateConfig(partial, CONFIG_SCHEMA, { partial: true });
  if (problems.length === 0) {
    const merged = deepMerge(structuredClone(base) as unknown as Record<string, unknown>, partial as Record<string, unknown>) as unknown as Config;
    problems.push(...validateConfig(merged, CONFIG_SCHEMA, { partial: false }), ...crossChecks(merged));
    if (problems.length === 0) return fillDerived(merged);
  }
  const message = problems.length === 1 ? problems[0] : `${problems.length} problems: ${problems.join('; ')}`;
  throw new SflError(message, source);
}

/** Reads a JSON config file and resolves it onto `base`; every error names the file. */
export async function loadConfigFile(path: string, base: Readonly<ConfigDefaults> = DEFAULT_CONFIG): Promise<Config> {
  return resolveConfig(await readConfigFile(path), path, base);
}

/**
 * The partial config a JSON file holds, parsed but not yet resolved, so later layers (--set) can
 * be merged in before the derived seeds are filled (`--set run.seed=5` then moves windows.seed too).
 */
export async function readConfigFile(path: string): Promise<PartialConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SflError(code === 'ENOENT' ? 'config file not found' : `cannot read config file (${code ?? (e as Error).message})`, path);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SflError(`not valid JSON: ${(e as Error).message}`, path);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SflError('a config file must hold one JSON object', path);
  }
  return upgradeRenamedKeys(parsed as PartialConfig, path);
}

/** `over` laid onto `under` (objects merged key by key, arrays and scalars replaced); neither is changed. */
export function mergePartials(under: PartialConfig, over: PartialConfig): PartialConfig {
  return deepMerge(structuredClone(under) as Record<string, unknown>, over as Record<string, unknown>) as PartialConfig;
}

/**
 * Turns a command-line override `sae.weightDecay=0.001` into a partial config. The value is read as
 * JSON when it parses (numbers, true, null, [1,2]) and as a plain string otherwise, so
 * `spectrum.transform=mfcc` needs no quotes.
 */
export function parseOverride(assignment: string): PartialConfig {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new SflError(`--set ${assignment}: expected key=value, e.g. sae.weightDecay=0.001`);
  const keys = assignment.slice(0, eq).trim().split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const out: Record<string, unknown> = {};
  let node = out;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) node[k] = value;
    else node = (node[k] = {}) as Record<string, unknown>;
  });
  return upgradeRenamedKeys(out as PartialConfig, `--set ${assignment}`);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) deepMerge(current, value);
    else target[key] = structuredClone(value);
  }
  return target;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rules that involve more than one key (single-key rules are in the schema). */
/**
 * Refuses softmax.chooseWeightDecay in an experiment that would otherwise ignore it (say which), before
 * any work or output.
 */
export function refuseChooseWeightDecay(config: Config, experiment: string, why: string): void {
  if (config.softmax.chooseWeightDecay.length > 0) throw new SflError(`softmax.chooseWeightDecay is not supported by ${experiment}: ${why}`);
}

function crossChecks(c: Config): string[] {
  const out: string[] = [];
  const s = c.spectrum;
  // In samples when they can be (numbers, or durations with a fixed rate); otherwise the loader
  // checks them at the files' rate (resolveSpectrumParams). Half the frame never exceeds it.
  const frame = typeof s.frameSize === 'number' ? s.frameSize : s.sampleRate !== null ? frameSizeAt(s.frameSize, s.sampleRate) : null;
  const explicitHop = s.hop !== HALF_FRAME;
  const hop = !explicitHop ? null : typeof s.hop === 'number' ? s.hop : s.sampleRate !== null && frame !== null ? hopAt(s.hop, s.sampleRate, frame) : null;
  const bothDurations = typeof s.frameSize === 'string' && typeof s.hop === 'string' && explicitHop;
  if (frame !== null && hop !== null ? hop > frame : bothDurations && durationSeconds(s.hop as string)! > durationSeconds(s.frameSize as string)!) {
    out.push(
      `spectrum.hop (${s.hop}) must not exceed spectrum.frameSize (${s.frameSize}), or samples would be skipped: give a shorter --hop or a longer --frame, or leave the hop at "${HALF_FRAME}" (half the frame)`,
    );
  }
  if (s.fMax !== null && s.fMax <= s.fMin) out.push(`spectrum.fMax (${s.fMax}) must be greater than spectrum.fMin (${s.fMin})`);
  if (s.sampleRate !== null && s.fMax !== null && s.fMax > s.sampleRate / 2) {
    out.push(`spectrum.fMax (${s.fMax}) must not exceed half of spectrum.sampleRate (${s.sampleRate / 2})`);
  }
  if (s.transform === 'mfcc' && s.coefficients > s.bands) {
    out.push(`spectrum.coefficients (${s.coefficients}) must not exceed spectrum.bands (${s.bands}) for mfcc`);
  }
  if (s.transform === 'cepstrum' && frame !== null && s.coefficients > frame / 2 + 1) {
    out.push(`spectrum.coefficients (${s.coefficients}) must not exceed spectrum.frameSize / 2 + 1 (${frame / 2 + 1}) for cepstrum`);
  }
  if (new Set(c.data.digits).size !== c.data.digits.length) out.push('data.digits must not repeat a digit');
  for (const key of ['kernel', 'pool'] as const) {
    if (c.convAe[key].length !== 2) out.push(`convAe.${key} must hold two sizes, [rows, columns] (audio: [frames, bands]), got [${c.convAe[key].join(', ')}]`);
  }
  return out;
}

/** Keys whose default depends on another key, filled once the layers are merged (run.json records the values used). */
function fillDerived(c: Config): Config {
  c.windows.seed ??= c.run.seed;
  c.split.seed ??= c.run.seed;
  c.normalise ??= c.data.source === 'mnist' ? 'none' : 'rescale01';
  return c;
}

function pickKeys<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
