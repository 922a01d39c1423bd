/**
 * A trained self-taught audio pipeline in the ecosystem's own format: its two networks as
 * TensorFlow.js LayersModels (model.json + weights.bin that tf.loadLayersModel reads), and the
 * front end that turns a recording into their input in a documented JSON beside them:
 *
 *   recording -> spectrogram (frontend.json: spectrum)
 *     -> every window of K frames, hop 1 frame, flattened time-major (frontend.json: windows)
 *     -> encoder/ : Dense 'preprocess' (linear: normalisation and whitening, z = A x + c)
 *                   -> Dense 'features' (sigmoid: the sparse autoencoder's hidden units)
 *     -> pooled over the recording's windows (frontend.json: pooling)
 *     -> classifier/ : Dense 'softmax' (the standardisation of the pooled vector folded in)
 *     -> class probabilities, in frontend.json's classNames order.
 *
 * The outputs equal the pipeline's own (float32 rounding aside; a test checks 1e-4).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pooledWidth } from '../features/pooling.ts';
import { preprocessorAffine } from '../models/conv/convolve.ts';
import { hiddenFromLength, unpackParams } from '../models/sae/sparse-autoencoder.ts';
import { SflError } from '../util/errors.ts';
import { sflVersion } from '../util/version.ts';
import type { AudioClassifierPipeline } from './audio-classifier.ts';
import type { TrainedRun } from './trained-run.ts';

export const FRONTEND_FILE = 'frontend.json';

/** A Sequential of Dense layers with the given weights (kernel: in x out, row-major). */
function denseModel(name: string, inDim: number, layers: { name: string; units: number; activation: 'linear' | 'sigmoid' | 'softmax'; kernel: Float32Array; bias: Float32Array }[]): tf.Sequential {
  const model = tf.sequential({ name });
  layers.forEach((l, i) => model.add(tf.layers.dense({ name: l.name, units: l.units, activation: l.activation, ...(i === 0 ? { inputShape: [inDim] } : {}) })));
  layers.forEach((l, i) => {
    const prev = i === 0 ? inDim : layers[i - 1].units;
    const w = [tf.tensor2d(l.kernel, [prev, l.units]), tf.tensor1d(l.bias)];
    model.layers[i].setWeights(w);
    tf.dispose(w);
  });
  return model;
}

/** Writes a LayersModel as model.json + weights.bin in `dir` (the files tf.loadLayersModel reads). */
async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('tfjs gave no weights to save');
  const weightData = artifacts.weightData as ArrayBuffer;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(weightData));
  const json = {
    format: 'layers-model',
    generatedBy: `sfl ${sflVersion()} (TensorFlow.js ${tf.version_core})`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(json) + '\n');
}

/** Why this run cannot be exported as LayersModels (null: it can). */
export function tfjsExportRefusal(run: TrainedRun): string | null {
  const p = run.audioPipeline;
  if (!p) return `run ${run.dir} is a ${run.kind} run; TensorFlow.js export covers self-taught audio pipelines (sfl self-taught, npm start)`;
  if (p.conv) return `run ${run.dir} makes its features by convolution over frequency (sfl conv); TensorFlow.js export covers self-taught audio pipelines (sfl self-taught, npm start)`;
  if (p.standardise === 'speaker') return `run ${run.dir} standardises each speaker's recordings together, which needs several recordings at once; it is not exported`;
  return null;
}

/** Writes dir/encoder/, dir/classifier/ and dir/frontend.json for an audio pipeline run. */
export async function exportTfjs(run: TrainedRun, dir: string): Promise<string[]> {
  const refusal = tfjsExportRefusal(run);
  if (refusal) throw new SflError(refusal);
  const p = run.audioPipeline as AudioClassifierPipeline;
  if (p.sae.input.kind !== 'spectro-temporal' || run.input.kind !== 'audio') throw new Error('an audio pipeline');
  const { frames: K, bands } = p.sae.input;

  // Encoder: preprocessing as a linear Dense (z = A x + c), then the hidden units.
  const { A, c, inDim, outDim } = preprocessorAffine(p.sae.preprocessor);
  const hidden = hiddenFromLength(p.sae.theta.length, outDim);
  const { W1, b1 } = unpackParams(p.sae.theta, outDim, hidden);
  const transpose = (M: ArrayLike<number>, rows: number, cols: number) => {
    const T = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) T[k * rows + r] = M[r * cols + k];
    return T;
  };
  const encoder = denseModel('sfl_encoder', inDim, [
    { name: 'preprocess', units: outDim, activation: 'linear', kernel: transpose(A, outDim, inDim), bias: Float32Array.from(c) },
    { name: 'features', units: hidden, activation: 'sigmoid', kernel: transpose(W1, hidden, outDim), bias: Float32Array.from(b1) },
  ]);

  // Classifier: softmax(W ((x - m) / s) + b) = softmax((W / s) x + (b - W (m / s))).
  const sm = p.classifier.softmax, st = p.classifier.standardiser;
  const n = sm.inputSize, k = sm.numClasses;
  if (n !== pooledWidth(hidden, p.pool)) throw new Error('pooled width mismatch');
  const mean = st.mean_!, std = st.std_!;
  const kernel = new Float32Array(n * k), bias = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    let b = sm.bias ? sm.biases[j] : 0;
    for (let i = 0; i < n; i++) {
      const w = sm.weights[j * n + i] / std[i];
      kernel[i * k + j] = w;
      b -= w * mean[i];
    }
    bias[j] = b;
  }
  const classifier = denseModel('sfl_classifier', n, [{ name: 'softmax', units: k, activation: 'softmax', kernel, bias }]);

  try {
    await saveLayersModel(encoder, join(dir, 'encoder'));
    await saveLayersModel(classifier, join(dir, 'classifier'));
  } finally {
    encoder.dispose();
    classifier.dispose();
  }
  const frontend = {
    format: 'sfl-frontend',
    generatedBy: `sfl ${sflVersion()}`,
    run: run.dir,
    about:
      'How to turn a recording into the input of encoder/ and classifier/ (TensorFlow.js LayersModels): decode to mono at ' +
      'spectrum.sampleRate; compute the spectrogram with `spectrum` (frames x bands, natural-log energies; see sfl\'s ' +
      'audio/spectrogram.ts); take every window of windows.frames consecutive frames (hop 1 frame), flattened time-major ' +
      '(frame 0 bands, frame 1 bands, ...), padding a recording shorter than that by repeating its last frame; run encoder/ on ' +
      'the windows (its first layer, "preprocess", is the fitted normalisation and whitening); pool the rows of one recording ' +
      'as `pooling` says; run classifier/ on the pooled vector (the standardisation of pooled vectors is folded into it).',
    spectrum: run.input.spectrum,
    windows: { frames: K, bands, flatten: 'time-major: index = frame * bands + band' },
    preprocess: {
      settings: p.sae.preprocessor.toJSON().options,
      layer: 'encoder/ layer "preprocess": z = A x + c, the fitted normalisation and whitening as one affine map',
    },
    pooling: {
      ...p.pool,
      rule:
        'segments S: the n windows of a recording split into S parts, part s = rows [floor(s n / S), floor((s+1) n / S)) ' +
        '(a recording with fewer windows than S uses window floor(s n / S)); each part pooled per unit: mean, max, or mean then max; ' +
        'the parts concatenated in order',
    },
    classNames: p.classifier.classNames,
    outputs: 'classifier/ gives the probability of each class, in classNames order',
  };
  await writeFile(join(dir, FRONTEND_FILE), JSON.stringify(frontend, null, 2) + '\n');
  return [join(dir, 'encoder', 'model.json'), join(dir, 'classifier', 'model.json'), join(dir, FRONTEND_FILE)];
}
