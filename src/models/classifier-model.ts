/**
 * Trained classifiers (a softmax on some features, or a stacked autoencoder with its softmax) with
 * what is needed to use them on new data: the class names, what the input is, and the fitted
 * preprocessing of the raw input. Saved in TensorFlow.js conventions via model-io.ts.
 */
import { Preprocessor, type PreprocessJSON } from '../features/preprocess.ts';
import { SoftmaxModel } from './softmax/softmax.ts';
import { StackedModel } from './stacked/stacked.ts';
import { concatenated } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import type { InputDescription } from '../features/input-description.ts';
import { getWeight, loadModel, saveModel, savedWeightDecay, type Weight } from './model-io.ts';

interface ClassifierMetadata {
  classNames: string[];
  /** What the classifier's input is: raw vectors of this kind, or features of an encoder. */
  input: InputDescription;
  /** 'raw': the softmax sees preprocessed input vectors; 'encoder': the hidden activations of a sparse autoencoder saved next to it. */
  features: 'raw' | 'encoder';
  /** Preprocessing of the raw input (absent when the features come from an encoder, which has its own). */
  preprocess: PreprocessJSON | null;
  weightDecay?: number;
  /** The weight decay in models saved before it had one name (read, never written). */
  lambda?: number;
}

export interface SoftmaxClassifier {
  model: SoftmaxModel;
  classNames: string[];
  input: InputDescription;
  features: 'raw' | 'encoder';
  preprocessor: Preprocessor | null;
}

export interface StackedClassifier {
  model: StackedModel;
  classNames: string[];
  input: InputDescription;
  preprocessor: Preprocessor;
}

export function softmaxWeights(m: SoftmaxModel, prefix: string): Weight[] {
  const w: Weight[] = [{ name: `${prefix}W`, shape: [m.numClasses, m.inputSize], tensor: Float32Array.from(m.weights) }];
  if (m.bias) w.push({ name: `${prefix}b`, shape: [m.numClasses], tensor: Float32Array.from(m.biases) });
  return w;
}

export async function saveSoftmaxClassifier(dir: string, c: SoftmaxClassifier): Promise<void> {
  const m = c.model;
  await saveModel(dir, {
    kind: 'softmax',
    topology: { inputSize: m.inputSize, numClasses: m.numClasses, bias: m.bias },
    weights: softmaxWeights(m, 'softmax/'),
    metadata: {
      classNames: c.classNames,
      input: c.input,
      features: c.features,
      preprocess: c.preprocessor?.toJSON() ?? null,
      weightDecay: m.weightDecay,
    } satisfies ClassifierMetadata,
  });
}

export async function loadSoftmaxClassifier(dir: string): Promise<SoftmaxClassifier> {
  const saved = await loadModel<ClassifierMetadata>(dir, { kind: 'softmax' });
  const t = saved.topology as { inputSize: number; numClasses: number; bias: boolean };
  const meta = saved.metadata;
  if (!meta?.classNames || !meta.input) throw new SflError('model.json lacks the class names or input of a softmax classifier', dir);
  const W = getWeight(saved, 'softmax/W', dir).tensor;
  const theta = new Float64Array(W.length + (t.bias ? t.numClasses : 0));
  theta.set(W);
  if (t.bias) theta.set(getWeight(saved, 'softmax/b', dir).tensor, W.length);
  return {
    model: new SoftmaxModel(t.inputSize, t.numClasses, t.bias, theta, savedWeightDecay(meta)),
    classNames: meta.classNames,
    input: meta.input,
    features: meta.features,
    preprocessor: meta.preprocess ? Preprocessor.fromJSON(meta.preprocess) : null,
  };
}

export async function saveStackedClassifier(dir: string, c: StackedClassifier): Promise<void> {
  const m = c.model;
  const p = m.params;
  const s = m.layerSizes;
  const layers = p.layers.flatMap((L, i): Weight[] => [
    { name: `layer${i + 1}/W`, shape: [s[i + 1], s[i]], tensor: Float32Array.from(L.W) },
    { name: `layer${i + 1}/b`, shape: [s[i + 1]], tensor: Float32Array.from(L.b) },
  ]);
  const soft = new SoftmaxModel(s[s.length - 1], m.numClasses, m.bias, Float64Array.from(p.softmax));
  await saveModel(dir, {
    kind: 'stacked-autoencoder',
    topology: { layerSizes: [...s], numClasses: m.numClasses, bias: m.bias, activation: 'sigmoid' },
    weights: [...layers, ...softmaxWeights(soft, 'softmax/')],
    metadata: { classNames: c.classNames, input: c.input, features: 'raw', preprocess: c.preprocessor.toJSON() } satisfies ClassifierMetadata,
  });
}

export async function loadStackedClassifier(dir: string): Promise<StackedClassifier> {
  const saved = await loadModel<ClassifierMetadata>(dir, { kind: 'stacked-autoencoder' });
  const t = saved.topology as { layerSizes: number[]; numClasses: number; bias: boolean };
  const meta = saved.metadata;
  if (!meta?.classNames || !meta.input || !meta.preprocess) throw new SflError('model.json lacks the class names, input or preprocessing of a stacked autoencoder', dir);
  const w = (name: string) => Float64Array.from(getWeight(saved, name, dir).tensor);
  const W = w('softmax/W');
  const softmax = new Float64Array(W.length + (t.bias ? t.numClasses : 0));
  softmax.set(W);
  if (t.bias) softmax.set(w('softmax/b'), W.length);
  const model = new StackedModel(t.layerSizes, t.numClasses, t.bias, packLayers(t, softmax, w));
  return { model, classNames: meta.classNames, input: meta.input, preprocessor: Preprocessor.fromJSON(meta.preprocess) };
}

/** Packs the saved softmax and layers in stacked.ts's order (softmax first, then W_l, b_l). */
function packLayers(t: { layerSizes: number[] }, softmax: Float64Array, w: (name: string) => Float64Array): Float64Array {
  const parts = [softmax];
  for (let l = 1; l < t.layerSizes.length; l++) parts.push(w(`layer${l}/W`), w(`layer${l}/b`));
  return concatenated(parts, Float64Array);
}
