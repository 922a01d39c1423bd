/**
 * Every trained run through one interface: find it (a run name under outputs/, a run folder, or
 * one of its model folders), load whatever it saved, and use it on new inputs:
 *
 *   classify(pictures) -> class probabilities, one row per picture
 *   encode(pictures)   -> learned features per window, with each picture's rows
 *   filters()          -> the picture of the first layer's filters
 *
 * A picture is a spectrogram (frames x bands, computed with `input.spectrum`) for audio runs, or
 * an image (height x width, values in [0, 1]) for MNIST runs. A run that cannot do one of these
 * says why in `cannotClassify` / `cannotEncode`, and the method throws that sentence.
 *
 *   run folder holds                   kind           classify  encode
 *   pipeline/ (sae/ + classifier/)     audio-pipeline   yes       yes    self-taught, conv on audio, npm start
 *   model/ sparse-autoencoder          sae              no        yes    train-sae
 *   encoder/ + softmax/                self-taught      yes       yes    self-taught on MNIST
 *   encoder/ + classifier/             mnist-conv       yes       yes    conv on MNIST
 *   model/ softmax                     softmax          yes*      no     train-softmax
 *   model/ stacked-autoencoder         stacked          yes*      yes*   stacked
 *   model/ conv-autoencoder-classifier conv-ae          yes       no     conv-ae
 *   model/checkpoint.sflckpt           mnist-baseline  yes**     yes**  sfl mnist logreg|mlp|lenet|da|sda
 *   (*) on audio only when the run also saved its window autoencoder (window-encoder/).
 *   (**) the dA learned features but no classifier; logistic regression learned no features.
 */
import type { InputDescription } from '../features/input-description.ts';
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { defaultSpectrumParams, type SpectrumParams } from '../audio/spectrogram.ts';
import type { Matrix } from '../compute/matrix.ts';
import { convolvePoolImages, foldFilters, type ConvFilters } from '../models/conv/convolve.ts';
import { fixFrames } from '../features/fixed-length.ts';
import { Standardiser } from '../features/normalise.ts';
import { poolRecordings, type PoolOptions, type RowRange } from '../features/pooling.ts';
import { convAeProbabilities } from '../models/conv-ae/conv-autoencoder.ts';
import { SoftmaxModel, softmaxPredict } from '../models/softmax/softmax.ts';
import { argmaxRows, transposed } from '../compute/matrix.ts';
import { stackedFeatures, stackedPredict } from '../models/stacked/stacked.ts';
import { SflError } from '../util/errors.ts';
import { DEFAULT_CONFIG } from './config.ts';
import { convAeFilterPicture, stackedLayerPicture } from './unit-pictures.ts';
import { classifySpectra, loadAudioPipeline, type AudioClassifierPipeline } from './audio-classifier.ts';
import { loadSoftmaxClassifier, loadStackedClassifier, type SoftmaxClassifier, type StackedClassifier } from '../models/classifier-model.ts';
import { CHECKPOINT_FILE as BASELINE_CHECKPOINT } from '../models/mnist-baselines/checkpoint.ts';
import { baselineForward, readBaselineNetwork, type BaselineNetwork } from '../models/mnist-baselines/saved-network.ts';
import { filterGrid } from '../viz/filter-grid.ts';
import { CONV_AE_KIND, loadConvAeClassifier, type ConvAeClassifier } from '../models/conv-ae/saved-model.ts';
import { getWeight, loadModel, MODEL_FILE, savedWeightDecay } from '../models/model-io.ts';
import { convWindowFeatures, windowFeatures } from './recording-features.ts';
import { loadSaeModel, saeFeatures, saveSaeModel, type SaeModel } from '../models/sae/saved-model.ts';
import { filterPicture, type FilterPicture, type FilterPictureOptions } from '../models/sae/filter-picture.ts';

export type TrainedRunKind = 'audio-pipeline' | 'sae' | 'self-taught' | 'mnist-conv' | 'softmax' | 'stacked' | 'conv-ae' | 'mnist-baseline';

/** What a run loaded, by kind: the models themselves, for exporters (tfjs-export.ts) that write them in other forms. */
export type RunParts =
  | { kind: 'audio-pipeline'; pipeline: AudioClassifierPipeline }
  | { kind: 'sae'; sae: SaeModel }
  | { kind: 'self-taught'; sae: SaeModel; classifier: SoftmaxClassifier }
  | { kind: 'mnist-conv'; sae: SaeModel; filters: ConvFilters; pool: MnistConvMeta['pool']; standardiser: Standardiser; softmax: SoftmaxModel }
  | { kind: 'softmax'; classifier: SoftmaxClassifier; windowEncoder: WindowEncoder | null }
  | { kind: 'stacked'; classifier: StackedClassifier; windowEncoder: WindowEncoder | null }
  | { kind: 'conv-ae'; classifier: ConvAeClassifier }
  | { kind: 'mnist-baseline'; network: BaselineNetwork };

/** What the run takes: spectrograms computed with `spectrum`, or images of width x height. */
export type RunInput = { kind: 'audio'; spectrum: SpectrumParams } | { kind: 'image'; width: number; height: number };

export interface Prediction {
  /** The most probable class of each picture. */
  labels: Int32Array;
  /** pictures x classes probabilities (rows sum to 1). */
  probs: Matrix;
}

export interface Encoded {
  /** One row per window (audio: per K-frame window or time offset; images: per picture). */
  features: Matrix;
  /** ranges[i]: the rows of picture i. */
  ranges: RowRange[];
  /** How the rows of each picture are pooled into one vector (the run's own pooling). */
  pool: PoolOptions;
}

export interface TrainedRun {
  /** The folder the run was found in. */
  readonly dir: string;
  readonly kind: TrainedRunKind;
  readonly input: RunInput;
  /** Null when the run has no classifier. */
  readonly classNames: string[] | null;
  /** Null when the run classifies; else the sentence saying why it cannot. */
  readonly cannotClassify: string | null;
  readonly cannotEncode: string | null;
  /**
   * Set when encode() of a spectrogram gives one row per window of this many frames (hop 1), each
   * from its own frames only: then a long recording can be encoded a chunk of frames at a time
   * (encode-recordings.ts) with the same rows.
   */
  readonly windowFrames?: number;
  classify(pictures: readonly Matrix[]): Prediction;
  encode(pictures: readonly Matrix[]): Encoded;
  /** The self-taught or conv audio pipeline, when the run is one (what TensorFlow.js export takes). */
  readonly audioPipeline: AudioClassifierPipeline | null;
  /** The sparse autoencoder whose features the run uses, when it has one. */
  readonly sae: SaeModel | null;
  /** The first layer's filters as a picture, with a caption saying how to read it (options: sparse autoencoders' pictures). */
  filters(o?: FilterPictureOptions): FilterPicture;
  /** One line saying what the run is. */
  describe(): string;
  /** The models the run loaded (what an exporter writes). */
  readonly parts: RunParts;
}

/**
 * The run folder `target` names: a path to a run folder (or to a model folder inside one), or the
 * name of a run under `outputs`.
 */
export function resolveRunDir(target: string, outputs: string = DEFAULT_CONFIG.run.outputs): string {
  if (existsSync(target) && statSync(target).isDirectory()) return target;
  const named = join(outputs, target);
  if (!target.includes('/') && existsSync(named) && statSync(named).isDirectory()) return named;
  throw new SflError(`not found: no run folder ${target}${target.includes('/') ? '' : ` and no run named ${target} in ${outputs}/`} (sfl runs lists the runs)`);
}

const has = (dir: string, ...parts: string[]) => existsSync(join(dir, ...parts));

function modelKind(dir: string): string | null {
  try {
    const j = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as { modelTopology?: { kind?: string } };
    return j.modelTopology?.kind ?? null;
  } catch {
    return null;
  }
}

/** Loads the run `target` names (see resolveRunDir), whatever experiment made it. */
export async function loadTrainedRun(target: string, outputs: string = DEFAULT_CONFIG.run.outputs): Promise<TrainedRun> {
  const given = resolve(resolveRunDir(target, outputs));
  // A folder inside a run (pipeline/, model/, pretrained/ ...) belongs to its run folder.
  const dir = has(given, 'run.json') || !has(dirname(given), 'run.json') ? given : dirname(given);
  // A model folder given itself is the model used (stacked's pretrained/, say); otherwise the run's.
  if (has(given, MODEL_FILE) && given !== dir) {
    const run = await modelRun(dir, given);
    if (run) return run;
  }
  if (has(dir, 'pipeline', 'classifier', MODEL_FILE)) return audioPipelineRun(dir, await loadAudioPipeline(join(dir, 'pipeline')));
  if (has(dir, 'classifier', MODEL_FILE) && has(dir, 'sae', MODEL_FILE)) return audioPipelineRun(dir, await loadAudioPipeline(dir));
  if (has(dir, 'encoder', MODEL_FILE) && has(dir, 'softmax', MODEL_FILE)) return selfTaughtRun(dir);
  if (has(dir, 'encoder', MODEL_FILE) && has(dir, 'classifier', MODEL_FILE)) return mnistConvRun(dir);
  const checkpointDir = has(dir, 'model', BASELINE_CHECKPOINT) ? join(dir, 'model') : has(dir, BASELINE_CHECKPOINT) ? dir : null;
  if (checkpointDir) return baselineRun(dir, readBaselineNetwork(checkpointDir));
  const modelDir = has(dir, 'model', MODEL_FILE) ? join(dir, 'model') : has(dir, MODEL_FILE) ? dir : null;
  if (modelDir) {
    const run = await modelRun(dir, modelDir);
    if (run) return run;
    throw new SflError(`model.json of kind ${JSON.stringify(modelKind(modelDir))} is not a model sfl knows how to use`, join(modelDir, MODEL_FILE));
  }
  if (has(dir, 'run.json')) {
    throw new SflError(`run ${basename(dir)} saved no model (it has no pipeline/, model/ or encoder/ folder): it may have failed before saving, or be a kind of run that keeps none`, dir);
  }
  throw new SflError('not a run folder: it holds no run.json and no saved model (model.json)', dir);
}

/** The run of a single saved model folder, by the model's kind; null for a kind this does not load alone. */
async function modelRun(dir: string, modelDir: string): Promise<TrainedRun | null> {
  const kind = modelKind(modelDir);
  if (kind === 'sparse-autoencoder') return saeRun(dir, await loadSaeModel(modelDir));
  if (kind === 'softmax') return softmaxRun(dir, modelDir);
  if (kind === 'stacked-autoencoder') return stackedRun(dir, await loadStackedClassifier(modelDir));
  if (kind === CONV_AE_KIND) return convAeRun(dir, await loadConvAeClassifier(modelDir));
  return null;
}

function refuse(why: string | null): never {
  throw new SflError(why ?? 'cannot');
}

/**
 * A saved run's spectrum settings with every setting added since it was saved at its default,
 * which is what that version computed (padMode 'constant', HTK mel without area normalisation,
 * natural log, no top_db).
 */
export function savedSpectrum(p: SpectrumParams): SpectrumParams {
  return { ...defaultSpectrumParams(p.sampleRate), ...p };
}

function audioInput(sae: SaeModel): RunInput {
  if (sae.input.kind !== 'spectro-temporal') throw new Error('an audio model must have spectro-temporal input');
  return { kind: 'audio', spectrum: savedSpectrum(sae.input.spectrum) };
}

function saeInput(sae: SaeModel): RunInput {
  return sae.input.kind === 'image' ? { kind: 'image', width: sae.input.width, height: sae.input.height } : audioInput(sae);
}

/** Images (height x width each) as one row per image. */
function imageRows(pictures: readonly Matrix[], input: RunInput): Matrix {
  if (input.kind !== 'image') throw new Error('imageRows: not an image run');
  const d = input.width * input.height;
  const data = new Float32Array(pictures.length * d);
  pictures.forEach((p, i) => {
    if (p.rows !== input.height || p.cols !== input.width) throw new SflError(`picture ${i} is ${p.rows} x ${p.cols}; this model takes ${input.height} x ${input.width} images`);
    data.set(p.data, i * d);
  });
  return { data, rows: pictures.length, cols: d };
}

const oneRowEach = (n: number): RowRange[] => Array.from({ length: n }, (_, i) => ({ start: i, end: i + 1 }));

function audioPipelineRun(dir: string, p: AudioClassifierPipeline): TrainedRun {
  return {
    dir,
    kind: 'audio-pipeline',
    audioPipeline: p,
    input: { kind: 'audio', spectrum: savedSpectrum(p.spectrum) },
    classNames: p.classifier.classNames,
    cannotClassify: null,
    cannotEncode: null,
    windowFrames: p.sae.input.kind === 'spectro-temporal' ? p.sae.input.frames : undefined,
    classify: (spectra) => classifySpectra(p, [...spectra]),
    encode: (spectra) => {
      const { H, ranges } = p.conv ? convWindowFeatures(p.sae, spectra, p.conv) : windowFeatures(p.sae, spectra);
      return { features: H, ranges, pool: p.pool };
    },
    sae: p.sae,
    filters: (o) => filterPicture(p.sae, o),
    describe: () => `${p.conv ? 'convolution' : 'self-taught'} audio pipeline: ${p.sae.hyper.hidden} learned features -> softmax over ${p.classifier.classNames.length} classes`,
    parts: { kind: 'audio-pipeline', pipeline: p },
  };
}

function saeRun(dir: string, sae: SaeModel): TrainedRun {
  const input = saeInput(sae);
  // Pooled per recording as self-taught learning pools by default (mean and max over 3 segments).
  const pool: PoolOptions = { method: 'meanmax', segments: 3 };
  return {
    dir,
    kind: 'sae',
    audioPipeline: null,
    input,
    classNames: null,
    cannotClassify: `run ${basename(dir)} is a sparse autoencoder (sfl train-sae): it learned features but no classifier; use sfl encode for its features, or train a classifier on labelled data (sfl self-taught, or self-taught --encoder ${join(dir, 'model')} on MNIST)`,
    cannotEncode: null,
    windowFrames: sae.input.kind === 'spectro-temporal' ? sae.input.frames : undefined,
    classify: () => refuse(saeRun(dir, sae).cannotClassify),
    encode: (pictures) => {
      if (input.kind === 'image') return { features: saeFeatures(sae, imageRows(pictures, input)), ranges: oneRowEach(pictures.length), pool };
      const { H, ranges } = windowFeatures(sae, pictures);
      return { features: H, ranges, pool };
    },
    sae,
    filters: (o) => filterPicture(sae, o),
    describe: () => `sparse autoencoder: ${sae.hyper.hidden} features of ${input.kind === 'image' ? `${input.width}x${input.height} images` : 'spectro-temporal windows'} (no classifier)`,
    parts: { kind: 'sae', sae },
  };
}

function imageOnly(dir: string, input: RunInput, what: string): string | null {
  return input.kind === 'image' ? null : `run ${basename(dir)} is ${what}`;
}

async function selfTaughtRun(dir: string): Promise<TrainedRun> {
  const sae = await loadSaeModel(join(dir, 'encoder'));
  const c = await loadSoftmaxClassifier(join(dir, 'softmax'));
  const input = saeInput(sae);
  const pool: PoolOptions = { method: 'mean', segments: 1 };
  return {
    dir,
    kind: 'self-taught',
    audioPipeline: null,
    input,
    classNames: c.classNames,
    cannotClassify: imageOnly(dir, input, 'not an image classifier'),
    cannotEncode: null,
    classify: (pictures) => softmaxPredict(c.model, saeFeatures(sae, imageRows(pictures, input))),
    encode: (pictures) => ({ features: saeFeatures(sae, imageRows(pictures, input)), ranges: oneRowEach(pictures.length), pool }),
    sae,
    filters: (o) => filterPicture(sae, o),
    describe: () => `self-taught learning on images: ${sae.hyper.hidden} learned features -> softmax over ${c.classNames.length} classes`,
    parts: { kind: 'self-taught', sae, classifier: c },
  };
}

interface MnistConvMeta {
  classNames: string[];
  image: { width: number; height: number };
  patchSize: number;
  pool: { size: number; stride: number; kind: 'mean' | 'max' | 'meanmax' };
  standardiser: unknown;
}

async function mnistConvRun(dir: string): Promise<TrainedRun> {
  const sae = await loadSaeModel(join(dir, 'encoder'));
  const saved = await loadModel<MnistConvMeta>(join(dir, 'classifier'), { kind: 'softmax-on-conv-features' });
  const m = saved.metadata;
  const t = saved.topology as { inputSize: number; numClasses: number; bias: boolean; weightDecay?: number; lambda?: number };
  const W = getWeight(saved, 'softmax/W', dir).tensor;
  const theta = new Float64Array(W.length + (t.bias ? t.numClasses : 0));
  theta.set(W);
  if (t.bias) theta.set(getWeight(saved, 'softmax/b', dir).tensor, W.length);
  const softmax = new SoftmaxModel(t.inputSize, t.numClasses, t.bias, theta, savedWeightDecay(t));
  const standardiser = Standardiser.fromJSON(m.standardiser as never);
  const input: RunInput = { kind: 'image', width: m.image.width, height: m.image.height };
  const filters = foldFilters(sae.preprocessor, sae.theta, m.patchSize, m.patchSize);
  const features = (pictures: readonly Matrix[]) => convolvePoolImages(imageRows(pictures, input), m.image.height, m.image.width, filters, m.pool);
  return {
    dir,
    kind: 'mnist-conv',
    audioPipeline: null,
    input,
    classNames: m.classNames,
    cannotClassify: null,
    cannotEncode: null,
    classify: (pictures) => softmaxPredict(softmax, standardiser.transform(features(pictures))),
    encode: (pictures) => ({ features: features(pictures), ranges: oneRowEach(pictures.length), pool: { method: 'mean', segments: 1 } }),
    sae,
    filters: (o) => filterPicture(sae, o),
    describe: () => `convolution and pooling on images: ${sae.hyper.hidden} ${m.patchSize}x${m.patchSize} features -> softmax over ${m.classNames.length} classes`,
    parts: { kind: 'mnist-conv', sae, filters, pool: m.pool, standardiser, softmax },
  };
}

/** How an audio softmax or stacked run made its rows: every window encoded, pooled per recording. */
export interface WindowEncoder {
  sae: SaeModel;
  pool: PoolOptions;
}

const WINDOW_ENCODER = 'window-encoder';
const POOLING_FILE = 'pooling.json';

/** Saves a WindowEncoder in run folder `runDir` (window-encoder/: the autoencoder and pooling.json). */
export async function saveWindowEncoder(runDir: string, w: WindowEncoder): Promise<void> {
  await saveSaeModel(join(runDir, WINDOW_ENCODER), w.sae);
  await writeFile(join(runDir, WINDOW_ENCODER, POOLING_FILE), JSON.stringify(w.pool, null, 2) + '\n');
}

/** The run's WindowEncoder, when it saved one; runs of earlier versions did not. */
async function windowEncoder(dir: string): Promise<WindowEncoder | null> {
  const at = join(dir, WINDOW_ENCODER);
  if (!has(at, MODEL_FILE)) return null;
  const sae = await loadSaeModel(at);
  const pool = JSON.parse(readFileSync(join(at, POOLING_FILE), 'utf8')) as PoolOptions;
  return { sae, pool };
}

const RETRAIN = 'it was saved without the window autoencoder its rows came from (earlier versions of sfl did not keep it); train it again with this version (for example sfl run configs/fsdd-stacked.json) to classify audio with it';

async function softmaxRun(dir: string, modelDir: string): Promise<TrainedRun> {
  const c = await loadSoftmaxClassifier(modelDir);
  // Pooled window features (saved as 'image' before they had their own kind) need the run's window autoencoder.
  const front = (c.input.kind === 'image' || c.input.kind === 'pooled-features') && has(dir, 'run.json') ? await windowEncoder(dir) : null;
  const audioRows = (spectra: readonly Matrix[]) => {
    if (!front) refuse(`run ${basename(dir)}: ${RETRAIN}`);
    const { H, ranges } = windowFeatures(front.sae, spectra);
    return poolRecordings(H, ranges, front.pool);
  };
  const input: RunInput = front ? audioInput(front.sae) : fixedInput(c.input);
  const rows = (pictures: readonly Matrix[]) => {
    const X = front || c.input.kind === 'pooled-features' ? audioRows(pictures) : imageRows(pictures, input);
    return c.preprocessor ? c.preprocessor.transform(X) : X;
  };
  const cannot = c.features === 'encoder' ? `run ${basename(dir)}: its softmax takes the features of an encoder that is not saved beside it` : null;
  return {
    dir,
    kind: 'softmax',
    audioPipeline: null,
    input,
    classNames: c.classNames,
    cannotClassify: cannot,
    cannotEncode: `run ${basename(dir)} is a softmax on its input vectors: it learned no features to encode`,
    classify: (pictures) => (cannot ? refuse(cannot) : softmaxPredict(c.model, rows(pictures))),
    encode: () => refuse(`run ${basename(dir)} is a softmax on its input vectors: it learned no features to encode`),
    sae: null,
    filters: () => refuse(`run ${basename(dir)} is a softmax on its input vectors: it has no filters to draw`),
    describe: () => `softmax regression over ${c.classNames.length} classes`,
    parts: { kind: 'softmax', classifier: c, windowEncoder: front },
  };
}

async function stackedRun(dir: string, c: StackedClassifier): Promise<TrainedRun> {
  const front = await windowEncoder(dir);
  const isAudioRows = (c.input.kind === 'image' || c.input.kind === 'pooled-features') && front !== null;
  // Audio stacked runs' rows are pooled window features (drawn as an image); without the window
  // autoencoder they cannot be made from new recordings.
  const legacyAudio = !front && has(dir, 'run.json') && JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))?.config?.data?.source === 'audio';
  const input: RunInput = isAudioRows ? audioInput(front!.sae) : fixedInput(c.input);
  const cannot = legacyAudio ? `run ${basename(dir)}: ${RETRAIN}` : null;
  const rows = (pictures: readonly Matrix[]) => {
    if (cannot) refuse(cannot);
    if (!front) return c.preprocessor.transform(imageRows(pictures, input));
    const { H, ranges } = windowFeatures(front.sae, pictures);
    return c.preprocessor.transform(poolRecordings(H, ranges, front.pool));
  };
  return {
    dir,
    kind: 'stacked',
    audioPipeline: null,
    input,
    classNames: c.classNames,
    cannotClassify: cannot,
    cannotEncode: cannot,
    classify: (pictures) => stackedPredict(c.model, rows(pictures)),
    encode: (pictures) => ({ features: stackedFeatures(c.model, rows(pictures)), ranges: oneRowEach(pictures.length), pool: { method: 'mean', segments: 1 } }),
    sae: front?.sae ?? null,
    filters: () => stackedLayerPicture(c, front?.sae ?? null, 1)!,
    describe: () => `stacked autoencoder ${c.model.layerSizes.join(' -> ')} -> softmax over ${c.classNames.length} classes${front ? ' (on pooled window features)' : ''}`,
    parts: { kind: 'stacked', classifier: c, windowEncoder: front },
  };
}

/** The input of a classifier that needs no window autoencoder in front of it. */
function fixedInput(input: InputDescription): RunInput {
  if (input.kind === 'image') return { kind: 'image', width: input.width, height: input.height };
  // Pooled window features without their window autoencoder: the run loads, and says it cannot classify.
  if (input.kind === 'pooled-features') return { kind: 'image', width: input.units, height: input.blocks };
  return { kind: 'audio', spectrum: savedSpectrum(input.spectrum) };
}

function convAeRun(dir: string, c: ConvAeClassifier): TrainedRun {
  const pic = c.picture;
  const input: RunInput = pic.kind === 'image' ? { kind: 'image', width: pic.width, height: pic.height } : { kind: 'audio', spectrum: savedSpectrum(pic.spectrum) };
  const { height: H, width: W } = c.model.shape;
  const examples = (pictures: readonly Matrix[]): Float32Array => {
    const x = new Float32Array(pictures.length * H * W);
    pictures.forEach((p, i) => {
      const fixed = pic.kind === 'spectrogram' ? fixFrames(p, H, c.standardise.mean) : imageRows([p], input);
      if (fixed.data.length !== H * W) throw new SflError(`picture ${i} has ${p.cols} columns; this network takes ${W}`);
      x.set(fixed.data, i * H * W);
    });
    // Standardise as in training: per band for audio, one mean and deviation for images.
    const per = c.standardise.mean.length > 1;
    for (let i = 0; i < x.length; i++) {
      const j = per ? i % W : 0;
      x[i] = (x[i] - c.standardise.mean[j]) / c.standardise.std[j];
    }
    return x;
  };
  return {
    dir,
    kind: 'conv-ae',
    audioPipeline: null,
    input,
    classNames: c.classNames,
    cannotClassify: null,
    cannotEncode: `run ${basename(dir)} is a convolutional autoencoder classifier: sfl encode takes sparse-autoencoder features (self-taught, conv, train-sae, stacked runs)`,
    classify: (pictures) => {
      const x = tf.tensor4d(examples(pictures), [pictures.length, H, W, 1]);
      try {
        const probs = convAeProbabilities(c.model, x);
        return { labels: argmaxRows(probs.data, probs.rows, probs.cols), probs };
      } finally {
        x.dispose();
      }
    },
    encode: () => refuse(`run ${basename(dir)} is a convolutional autoencoder classifier: sfl encode takes sparse-autoencoder features (self-taught, conv, train-sae, stacked runs)`),
    sae: null,
    filters: () => convAeFilterPicture(c),
    describe: () => `convolutional autoencoder (${c.model.shape.filters.join(', ')} maps) -> softmax over ${c.classNames.length} classes`,
    parts: { kind: 'conv-ae', classifier: c },
  };
}

const BASELINE_NAMES: Record<string, string> = {
  logreg: 'logistic regression', mlp: 'multilayer perceptron', lenet: 'LeNet convolutional network', da: 'denoising autoencoder', sda: 'stacked denoising autoencoders',
};

/** An MNIST baseline run (sfl mnist): its network, from the checkpoint in model/ (saved-network.ts). */
function baselineRun(dir: string, net: BaselineNetwork): TrainedRun {
  const name = BASELINE_NAMES[net.model];
  const input: RunInput = { kind: 'image', width: net.side, height: net.side };
  const classNames = net.classes === null ? null : Array.from({ length: net.classes }, (_, i) => String(i));
  const cannotClassify = net.classes === null ? `run ${basename(dir)} is a ${name} (sfl mnist da): it learned features but no classifier; sfl encode gives its features, and sfl mnist sda stacks such autoencoders into a classifier` : null;
  // The features are the last hidden layer's activations (the dA's code); logistic regression has none.
  const depth = net.classes === null ? net.layers.length : net.layers.length - 1;
  const cannotEncode = depth === 0 ? `run ${basename(dir)} is a ${name}: it learned no features to encode, only class probabilities (sfl classify)` : null;
  const first = net.layers[0];
  return {
    dir,
    kind: 'mnist-baseline',
    audioPipeline: null,
    input,
    classNames,
    cannotClassify,
    cannotEncode,
    classify: (pictures) => {
      if (cannotClassify) refuse(cannotClassify);
      const probs = baselineForward(net, imageRows(pictures, input));
      return { labels: argmaxRows(probs.data, probs.rows, probs.cols), probs };
    },
    encode: (pictures) => {
      if (cannotEncode) refuse(cannotEncode);
      return { features: baselineForward(net, imageRows(pictures, input), depth), ranges: oneRowEach(pictures.length), pool: { method: 'mean', segments: 1 } };
    },
    sae: null,
    filters: () => {
      // Each first-layer unit's weights on the image (or the convolution kernel), one grey tile each.
      const [rows, cols, th, tw] = first.kind === 'dense' ? [first.units, first.inputs, net.side, net.side] : [first.kernel[3], first.kernel[0] * first.kernel[1], first.kernel[0], first.kernel[1]];
      const units = first.kind === 'dense' ? first.units : first.kernel[3];
      const image = filterGrid({ data: transposed(first.W, cols, units), rows, cols }, { tileWidth: tw, tileHeight: th, scale: first.kind === 'dense' ? 2 : 8 });
      return { image, caption: `${name}: the first layer's ${rows} units, each drawn as its weights on the ${th} x ${tw} ${first.kind === 'dense' ? 'image' : 'kernel'} (grey tiles, each scaled on its own; light = positive)` };
    },
    describe: () => `MNIST ${name} (sfl mnist ${net.model})${net.classes === null ? ': features, no classifier' : `: ${net.classes} classes`}`,
    parts: { kind: 'mnist-baseline', network: net },
  };
}
