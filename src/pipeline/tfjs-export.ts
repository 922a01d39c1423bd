/**
 * Any trained run that classifies, in the ecosystem's own format: its networks as TensorFlow.js
 * LayersModels (model.json + weights.bin that tf.loadLayersModel reads; tfjs-layers.ts), and the
 * front end that turns a recording or an image into their input in one documented JSON beside
 * them (frontend.json, the same format for every kind of run; FrontendDescription below):
 *
 *   audio, windows (self-taught, conv, stacked and train-softmax on audio):
 *     recording -> spectrogram (spectrum) -> every window of windows.frames frames, hop 1, flattened
 *     time-major -> encoder/ -> one row per window -> pooled over the recording (pooling)
 *     -> classifier/ -> class probabilities
 *   audio, whole spectrogram (conv-ae): recording -> spectrogram -> brought to fixedFrames.frames
 *     frames (fixedFrames.rule) -> flattened row-major -> classifier/ -> probabilities
 *   images (MNIST runs): pixels in [0, 1], row-major -> classifier/ -> probabilities
 *
 * The fitted normalisation, whitening and standardisation are layers of the networks (a linear
 * Dense "preprocess", a BatchNormalization "standardise", or folded into the next layer's
 * weights); frontend.json names their settings. The outputs equal the run's own classify (float32
 * rounding aside; the tests check 1e-4).
 */
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpectrumParams } from '../audio/spectrogram.ts';
import { transposed } from '../compute/matrix.ts';
import type { Standardiser } from '../features/normalise.ts';
import { pooledWidth } from '../features/pooling.ts';
import { composedAffine, type AffineStage, type PreprocessStage, type Preprocessor } from '../features/preprocess.ts';
import { classifierSpecs, layerShapes, unpack } from '../models/conv-ae/conv-autoencoder.ts';
import type { ConvFilters } from '../models/conv/convolve.ts';
import { pipelineParts } from './pipeline-parts.ts';
import type { BaselineNetwork } from '../models/mnist-baselines/saved-network.ts';
import { hiddenFromLength, unpackParams } from '../models/sae/sparse-autoencoder.ts';
import type { SaeModel } from '../models/sae/saved-model.ts';
import type { SoftmaxModel } from '../models/softmax/softmax.ts';
import { SflError } from '../util/errors.ts';
import { sflVersion } from '../util/version.ts';
import { buildModel, saveLayersModel, type LayerSpec } from './tfjs-layers.ts';
import type { TrainedRun, TrainedRunKind, WindowEncoder } from './trained-run.ts';

const FRONTEND_FILE = 'frontend.json';
/** The folder of a run that holds its export (written when the run is saved). */
export const TFJS_FOLDER = 'tfjs';
const FRONTEND_VERSION = 2;

const PREPROCESS_WHAT =
  'the fitted normalisation and whitening: Dense "preprocess" (z = A x + c); with rescale01, Dense "center", ReLU "clip" (the clip at 3 standard deviations) and Dense "preprocess"';
const WINDOW_FLATTEN = 'time-major: index = frame * bands + band';
const POOLING_RULE =
  'segments S: the n windows of a recording split into S parts, part s = rows [floor(s n / S), floor((s+1) n / S)) ' +
  '(a recording with fewer windows than S uses window floor(s n / S)); each part pooled per column: mean, max, or mean then max; ' +
  'the parts concatenated in order';

/** frontend.json: how to feed the exported networks (one format for every kind of run). */
export interface FrontendDescription {
  format: 'sfl-frontend';
  version: number;
  generatedBy: string;
  /** The run folder it was exported from, and what kind of run that is. */
  run: string;
  kind: TrainedRunKind;
  about: string;
  input: 'audio' | 'image';
  /** Audio: decode to mono at spectrum.sampleRate; the spectrogram with these settings (frames x bands, sfl's audio/spectrogram.ts). */
  spectrum?: SpectrumParams;
  /** Images: width x height pixels, values in [0, 1], row-major (index = y * width + x). */
  image?: { width: number; height: number };
  /**
   * Audio runs that encode windows: every window of `frames` consecutive frames (hop 1 frame), a
   * recording shorter than that padded by repeating its last frame; `bands` is the spectrum's width.
   */
  windows?: { frames: number; bands: number; hop: 1; pad: 'repeat-last-frame'; flatten: string };
  /** Audio runs on whole spectrograms (conv-ae): every recording brought to `frames` frames first. */
  fixedFrames?: { frames: number; bands: number; pad: number[]; rule: string };
  /** How the rows of one recording's windows are pooled into the classifier's input. */
  pooling?: { method: string; segments: number; rule: string };
  /** The fitted preprocessing inside the networks: which model and layer, and the settings it was fitted with. */
  preprocess: { model: 'encoder' | 'classifier'; layer: string; what: string; settings?: unknown }[];
  /** The LayersModels, relative to this file; encoder null when the classifier takes the input directly. */
  models: { encoder: string | null; classifier: string };
  /** What each model takes and gives. */
  shapes: { encoder: string | null; classifier: string };
  classNames: string[];
  outputs: string;
}

interface Network {
  inputWidth: number;
  layers: LayerSpec[];
}

/** What one kind of run exports: its networks and the kind-specific fields of frontend.json. */
interface ExportPlan {
  encoder: Network | null;
  classifier: Network;
  frontend: Pick<FrontendDescription, 'input' | 'spectrum' | 'image' | 'windows' | 'fixedFrames' | 'pooling' | 'preprocess' | 'shapes'>;
}

const denseOf = (name: string, a: AffineStage): LayerSpec => ({ type: 'dense', name, units: a.outDim, activation: 'linear', kernel: transposed(a.A, a.outDim, a.inDim), bias: a.c });

/**
 * The fitted preprocessing as layers, from its stages (Preprocessor.stages, or pipeline-parts' copy): one
 * linear Dense "preprocess" when it is affine; with rescale01's clip, a Dense "center" (shifted so
 * the clip range starts at 0), a ReLU "clip" capped at the range's width, and the Dense "preprocess".
 */
function preprocessLayers(stages: PreprocessStage[], inDim: number): { layers: LayerSpec[]; inDim: number; outDim: number } {
  const clipAt = stages.findIndex((s) => s.kind === 'clip');
  const merge = (s: PreprocessStage[], d: number): AffineStage => composedAffine(s as AffineStage[], d);
  if (clipAt < 0) {
    if (stages.length === 0) return { layers: [], inDim, outDim: inDim };
    const a = merge(stages, inDim);
    return { layers: [denseOf('preprocess', a)], inDim, outDim: a.outDim };
  }
  const clip = stages[clipAt] as Extract<PreprocessStage, { kind: 'clip' }>;
  const before = merge(stages.slice(0, clipAt), inDim);
  const after = merge(stages.slice(clipAt + 1), before.outDim);
  // clip(y, lo, hi) = min(max(y - lo, 0), hi - lo) + lo: the shifts go into the Dense layers' biases.
  const center = { ...before, c: before.c.map((v) => v - clip.low) };
  const c = Float64Array.from(after.c);
  for (let r = 0; r < after.outDim; r++) for (let i = 0; i < after.inDim; i++) c[r] += after.A[r * after.inDim + i] * clip.low;
  return {
    layers: [denseOf('center', center), { type: 'relu', name: 'clip', maxValue: clip.high - clip.low }, denseOf('preprocess', { ...after, c })],
    inDim,
    outDim: after.outDim,
  };
}

/** A sparse autoencoder's encoder: its preprocessing, then sigmoid(W1 z + b1). */
function saeNetwork(sae: SaeModel): Network & { hidden: number } {
  const pre = preprocessLayers(sae.preprocessor.stages(), sae.preprocessor.inputDim_!);
  const hidden = hiddenFromLength(sae.theta.length, pre.outDim);
  const { W1, b1 } = unpackParams(sae.theta, pre.outDim, hidden);
  return {
    inputWidth: pre.inDim,
    hidden,
    layers: [...pre.layers, { type: 'dense', name: 'features', units: hidden, activation: 'sigmoid', kernel: transposed(W1, hidden, pre.outDim), bias: b1 }],
  };
}

/** softmax(W x + b), with a standardisation of x ((x - m) / s) folded in when given. */
function softmaxLayer(sm: SoftmaxModel, st?: Standardiser): LayerSpec {
  const n = sm.inputSize, k = sm.numClasses;
  const kernel = new Float32Array(n * k), bias = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    // softmax(W ((x - m) / s) + b) = softmax((W / s) x + (b - W (m / s))).
    let b = sm.biases[j];
    for (let i = 0; i < n; i++) {
      const w = sm.weights[j * n + i] / (st ? st.std_![i] : 1);
      kernel[i * k + j] = w;
      if (st) b -= w * st.mean_![i];
    }
    bias[j] = b;
  }
  return { type: 'dense', name: 'softmax', units: k, activation: 'softmax', kernel, bias };
}

/** Folded convolution filters (convolve.ts) as a Conv2D layer with a sigmoid. */
function filterLayer(f: ConvFilters): LayerSpec {
  const d = f.kh * f.kw;
  return { type: 'conv2d', name: 'features', kernelShape: [f.kh, f.kw, 1, f.hidden], activation: 'sigmoid', kernel: transposed(f.F, f.hidden, d), bias: f.b };
}

function audioFields(spectrum: SpectrumParams, frames: number, bands: number, pool: { method?: string; segments?: number }): ExportPlan['frontend'] {
  return {
    input: 'audio',
    spectrum,
    windows: { frames, bands, hop: 1, pad: 'repeat-last-frame', flatten: WINDOW_FLATTEN },
    pooling: { method: pool.method ?? 'mean', segments: pool.segments ?? 1, rule: POOLING_RULE },
    preprocess: [],
    shapes: { encoder: `[windows, ${frames * bands}] -> [windows, features]`, classifier: '[recordings, pooled features] -> [recordings, classes]' },
  };
}

function imageFields(width: number, height: number): ExportPlan['frontend'] {
  return { input: 'image', image: { width, height }, preprocess: [], shapes: { encoder: null, classifier: `[images, ${width * height}] -> [images, classes]` } };
}

/** A classifier on pooled window features (train-softmax, stacked on audio): the window autoencoder is the encoder. */
function windowEncoderPlan(run: TrainedRun, we: WindowEncoder, classifier: Network, preprocess: Preprocessing): ExportPlan {
  if (run.input.kind !== 'audio' || we.sae.input.kind !== 'spectro-temporal') throw new Error('a window encoder takes spectral windows');
  const enc = saeNetwork(we.sae);
  const frontend = audioFields(run.input.spectrum, we.sae.input.frames, we.sae.input.bands, we.pool);
  if (classifier.inputWidth !== pooledWidth(enc.hidden, we.pool)) throw new Error('pooled width mismatch');
  frontend.preprocess.push(...preprocessNote('encoder', we.sae.preprocessor), ...preprocess);
  return { encoder: enc, classifier, frontend };
}

type Preprocessing = FrontendDescription['preprocess'];

/** frontend.json's note of a model's preprocessing layers; none when the preprocessing does nothing. */
function preprocessNote(model: 'encoder' | 'classifier', p: Preprocessor): Preprocessing {
  return p.stages().length ? [{ model, layer: 'preprocess', what: PREPROCESS_WHAT, settings: p.options }] : [];
}

/** The classifier's own preprocessing (of its input rows) as its first layer, when it has one (noted in `notes`). */
function withPreprocess(p: Preprocessor | null, rest: LayerSpec[], inputWidth: number, notes: Preprocessing): Network {
  const pre = p ? preprocessLayers(p.stages(), p.inputDim_!) : null;
  if (!p || !pre || pre.layers.length === 0) return { inputWidth, layers: rest };
  notes.push(...preprocessNote('classifier', p));
  return { inputWidth: pre.inDim, layers: [...pre.layers, ...rest] };
}

function plan(run: TrainedRun): ExportPlan {
  const parts = run.parts;
  const image = run.input.kind === 'image' ? run.input : null;
  switch (parts.kind) {
    case 'audio-pipeline': {
      // The pipeline's numbers as the ONNX export takes them too (pipeline-parts.ts), the
      // preprocessing stage by stage so that rescale01's clip is kept.
      const p = pipelineParts(parts.pipeline);
      const sae = parts.pipeline.sae;
      // No path in the sentence: during a run this is called on the run's staging folder, and
      // the note that reports it names the run already (as sfl export does with the run asked for).
      if (p.standardise === 'speaker') throw new SflError(`the run standardises each speaker's recordings together (softmax.standardise "speaker"), which needs several recordings at once; it is not exported`);
      const K = p.windows.frames, k = p.classifier.classNames.length;
      const softmax: LayerSpec = { type: 'dense', name: 'softmax', units: k, activation: 'softmax', kernel: p.classifier.folded.kernel, bias: p.classifier.folded.bias };
      const classifier: Network = { inputWidth: p.width, layers: [softmax] };
      if (!p.conv) {
        const pre = preprocessLayers(p.preprocess.stages, p.preprocess.inDim);
        const { hidden, W1, b1 } = p.encoder;
        const features: LayerSpec = { type: 'dense', name: 'features', units: hidden, activation: 'sigmoid', kernel: transposed(W1, hidden, pre.outDim), bias: b1 };
        const frontend = audioFields(p.spectrum, K, p.windows.bands, p.pool);
        frontend.preprocess.push(...preprocessNote('encoder', sae.preprocessor));
        frontend.preprocess.push({ model: 'classifier', layer: 'softmax', what: 'the standardisation of pooled vectors, folded into the softmax weights' });
        return { encoder: { inputWidth: pre.inDim, layers: [...pre.layers, features] }, classifier, frontend };
      }
      // Convolution: the filters (preprocessing folded in) slide over the whole window's bands,
      // then are pooled over frequency offsets; one row per window, offset-major as convolve.ts.
      const B = p.conv.inputBands;
      const filters = p.filters;
      const offsets = B - filters.kw + 1;
      const fp = p.conv.frequencyPool;
      const layers: LayerSpec[] = [{ type: 'reshape', name: 'window', shape: [K, B, 1] }, filterLayer(filters)];
      if (offsets > 1) layers.push({ type: 'pool2d', name: 'frequency_pool', kind: fp.kind, size: [1, fp.size], strides: [1, fp.stride] });
      layers.push({ type: 'flatten', name: 'flatten' });
      const frontend = audioFields(p.spectrum, K, B, p.pool);
      frontend.preprocess.push({ model: 'encoder', layer: 'features', what: `normalisation and whitening of ${K} x ${filters.kw} patches, folded into the convolution filters`, settings: sae.preprocessor.options });
      frontend.preprocess.push({ model: 'classifier', layer: 'softmax', what: 'the standardisation of pooled vectors, folded into the softmax weights' });
      return { encoder: { inputWidth: K * B, layers }, classifier, frontend };
    }
    case 'self-taught': {
      if (!image) throw new Error('self-taught runs of this kind take images');
      const enc = saeNetwork(parts.sae);
      const frontend = imageFields(image.width, image.height);
      frontend.preprocess.push(...preprocessNote('classifier', parts.sae.preprocessor));
      return { encoder: null, classifier: { inputWidth: enc.inputWidth, layers: [...enc.layers, softmaxLayer(parts.classifier.model)] }, frontend };
    }
    case 'mnist-conv': {
      if (!image) throw new Error('conv runs of this kind take images');
      const { size, stride, kind } = parts.pool;
      const frontend = imageFields(image.width, image.height);
      frontend.preprocess.push({ model: 'classifier', layer: 'features', what: 'the patches\' normalisation and whitening, folded into the convolution filters', settings: parts.sae.preprocessor.options });
      frontend.preprocess.push({ model: 'classifier', layer: 'softmax', what: 'the standardisation of pooled features, folded into the softmax weights' });
      const layers: LayerSpec[] = [
        { type: 'reshape', name: 'image', shape: [image.height, image.width, 1] },
        filterLayer(parts.filters),
        { type: 'pool2d', name: 'pool', kind, size: [size, size], strides: [stride, stride] },
        { type: 'flatten', name: 'flatten' },
        softmaxLayer(parts.softmax, parts.standardiser),
      ];
      return { encoder: null, classifier: { inputWidth: image.width * image.height, layers }, frontend };
    }
    case 'softmax':
    case 'stacked': {
      const c = parts.classifier;
      const head: LayerSpec[] = [];
      let width: number;
      if (parts.kind === 'stacked') {
        // sigmoid(W_l a + b_l) per layer (W_l: s_l x s_(l-1)), then softmax(Theta a + c) (Theta: k x s_L).
        const m = parts.classifier.model;
        const s = m.layerSizes, k = m.numClasses, hL = s[s.length - 1];
        m.params.layers.forEach((L, i) => head.push({ type: 'dense', name: `layer${i + 1}`, units: s[i + 1], activation: 'sigmoid', kernel: transposed(L.W, s[i + 1], s[i]), bias: L.b }));
        const theta = m.params.softmax;
        head.push({ type: 'dense', name: 'softmax', units: k, activation: 'softmax', kernel: transposed(theta.subarray(0, k * hL), k, hL), bias: m.bias ? theta.subarray(k * hL) : new Float32Array(k) });
        width = s[0];
      } else {
        head.push(softmaxLayer(parts.classifier.model));
        width = parts.classifier.model.inputSize;
      }
      if (parts.windowEncoder) {
        const notes: Preprocessing = [];
        return windowEncoderPlan(run, parts.windowEncoder, withPreprocess(c.preprocessor, head, width, notes), notes);
      }
      if (!image) throw new SflError(`run ${run.dir} classifies vectors that are not images and has no window autoencoder to make them from recordings; it is not exported`);
      const frontend = imageFields(image.width, image.height);
      return { encoder: null, classifier: withPreprocess(c.preprocessor, head, width, frontend.preprocess), frontend };
    }
    case 'conv-ae': {
      const c = parts.classifier;
      const s = c.model.shape;
      const w = unpack(c.model.theta, classifierSpecs(s));
      const audio = c.picture.kind === 'spectrogram';
      const frontend: ExportPlan['frontend'] = audio
        ? {
          input: 'audio',
          spectrum: run.input.kind === 'audio' ? run.input.spectrum : undefined,
          fixedFrames: {
            frames: s.height,
            bands: s.width,
            pad: Array.from(c.standardise.mean),
            rule: 'a recording longer than `frames` frames keeps the `frames` consecutive frames with the largest sum of values; a shorter one is centred (an odd leftover frame after it) and padded with `pad`, one value per band (sfl\'s features/fixed-length.ts)',
          },
          preprocess: [],
          shapes: { encoder: null, classifier: `[recordings, ${s.height * s.width}] (frames x bands, row-major) -> [recordings, classes]` },
        }
        : imageFields(s.width, s.height);
      frontend.preprocess.push({ model: 'classifier', layer: 'standardise', what: audio ? 'per-band standardisation fitted on the training frames' : 'one mean and deviation over all training pixels' });
      const layers: LayerSpec[] = [
        { type: 'reshape', name: 'picture', shape: [s.height, s.width, 1] },
        // Per band: the columns of a frames x bands x 1 picture (axis 2 counting the batch); images: the one channel.
        { type: 'standardise', name: 'standardise', axis: c.standardise.mean.length > 1 ? 2 : -1, mean: c.standardise.mean, std: c.standardise.std },
      ];
      layerShapes(s).forEach((l, i) => {
        layers.push({ type: 'conv2d', name: `conv${i + 1}`, kernelShape: [s.kernel[0], s.kernel[1], l.inC, l.filters], activation: 'relu', kernel: w[`conv${i + 1}/W`], bias: w[`conv${i + 1}/b`] });
        layers.push({ type: 'pool2d', name: `pool${i + 1}`, kind: 'max', size: s.pool, strides: s.pool });
      });
      layers.push({ type: 'flatten', name: 'flatten' }, { type: 'dense', name: 'softmax', units: s.classes, activation: 'softmax', kernel: w['softmax/W'], bias: w['softmax/b'] });
      return { encoder: null, classifier: { inputWidth: s.height * s.width, layers }, frontend };
    }
    case 'mnist-baseline': {
      if (!image) throw new Error('MNIST baselines take images');
      return { encoder: null, classifier: baselineNetwork(parts.network), frontend: imageFields(image.width, image.height) };
    }
    case 'sae':
      throw new Error('unreachable: a sparse autoencoder run cannot classify');
  }
}

/** An MNIST baseline (saved-network.ts) as layers: tanh(maxpool(conv) + b) is tanh(maxpool(conv + b)), b being per map. */
function baselineNetwork(net: BaselineNetwork): Network {
  const layers: LayerSpec[] = [];
  let convs = 0;
  net.layers.forEach((L, i) => {
    if (L.kind === 'conv-pool-tanh') {
      if (convs++ === 0) layers.push({ type: 'reshape', name: 'image', shape: [net.side, net.side, 1] });
      layers.push({ type: 'conv2d', name: `conv${convs}`, kernelShape: L.kernel, activation: 'linear', kernel: L.W, bias: L.b });
      layers.push({ type: 'pool2d', name: `pool${convs}`, kind: 'max', size: [L.pool, L.pool], strides: [L.pool, L.pool] });
      layers.push({ type: 'activation', name: `tanh${convs}`, activation: 'tanh' });
      return;
    }
    if (i > 0 && net.layers[i - 1].kind === 'conv-pool-tanh') layers.push({ type: 'flatten', name: 'flatten' });
    layers.push({ type: 'dense', name: L.activation === 'softmax' ? 'softmax' : `dense${i + 1}`, units: L.units, activation: L.activation, kernel: L.W, bias: L.b });
  });
  return { inputWidth: net.side * net.side, layers };
}

/** Why this run cannot be exported (null: it can). */
export function tfjsExportRefusal(run: TrainedRun): string | null {
  if (run.cannotClassify) return `${run.cannotClassify}; TensorFlow.js export writes runs that classify`;
  try {
    plan(run);
    return null;
  } catch (e) {
    if (e instanceof SflError) return e.message;
    throw e;
  }
}

/**
 * Writes dir/classifier/ (and dir/encoder/ for runs that encode windows) as LayersModels and
 * dir/frontend.json; returns the files written.
 */
export async function exportTfjs(run: TrainedRun, dir: string, o: { runPath?: string } = {}): Promise<string[]> {
  if (run.cannotClassify) throw new SflError(`${run.cannotClassify}; TensorFlow.js export writes runs that classify`);
  const p = plan(run);
  const files: string[] = [];
  for (const [name, net] of [['encoder', p.encoder], ['classifier', p.classifier]] as const) {
    if (!net) continue;
    const model = buildModel(`sfl_${name}`, net.inputWidth, net.layers);
    try {
      await saveLayersModel(model, join(dir, name));
    } finally {
      model.dispose();
    }
    files.push(join(dir, name, 'model.json'));
  }
  const kinds = p.encoder ? 'encoder/ and classifier/' : 'classifier/';
  const frontend: FrontendDescription = {
    format: 'sfl-frontend',
    version: FRONTEND_VERSION,
    generatedBy: `sfl ${sflVersion()} (TensorFlow.js ${tf.version_core})`,
    run: o.runPath ?? run.dir,
    kind: run.kind,
    about:
      `How to turn ${p.frontend.input === 'audio' ? 'a recording' : 'an image'} into the input of ${kinds} (TensorFlow.js LayersModels, tf.loadLayersModel). ` +
      (p.frontend.windows
        ? 'Decode to mono at spectrum.sampleRate; compute the spectrogram with `spectrum` (frames x bands; sfl\'s audio/spectrogram.ts); take every window as `windows` says; ' +
          'run encoder/ on the windows (one row each); pool the rows of one recording as `pooling` says; run classifier/ on the pooled vector.'
        : p.frontend.fixedFrames
          ? 'Decode to mono at spectrum.sampleRate; compute the spectrogram with `spectrum`; bring it to fixedFrames.frames frames as fixedFrames.rule says; flatten it row-major and run classifier/ on it.'
          : 'Flatten the image row-major with pixel values in [0, 1] and run classifier/ on it.') +
      ' The fitted preprocessing is inside the networks (see `preprocess`).',
    ...p.frontend,
    models: { encoder: p.encoder ? 'encoder/model.json' : null, classifier: 'classifier/model.json' },
    classNames: run.classNames!,
    outputs: 'classifier/ gives the probability of each class, in classNames order',
  };
  await writeFile(join(dir, FRONTEND_FILE), JSON.stringify(frontend, null, 2) + '\n');
  return [...files, join(dir, FRONTEND_FILE)];
}
