/**
 * A trained sparse autoencoder with everything needed to use it on new data: what input it was
 * trained on (image or spectro-temporal windows, with the spectrum parameters), the fitted
 * preprocessing, and the weights. Saved in TensorFlow.js conventions (model.json + weights.bin).
 */
import type { Matrix } from '../../compute/matrix.ts';
import { Preprocessor, type PreprocessJSON } from '../../features/preprocess.ts';
import { encode, hiddenFromLength, packParams, unpackParams, type Decoder } from './sparse-autoencoder.ts';
import { loadModel, saveModel, getWeight, savedWeightDecay } from '../model-io.ts';
import type { InputDescription } from '../../features/input-description.ts';
import { SflError } from '../../util/errors.ts';

export interface SaeHyper {
  hidden: number;
  weightDecay: number;
  beta: number;
  rho: number;
  decoder: Decoder;
}

export interface SaeModel {
  input: InputDescription;
  preprocessor: Preprocessor;
  hyper: SaeHyper;
  /** Packed W1, W2, b1, b2 (models/sparse-autoencoder.ts). */
  theta: Float64Array;
}

interface SaeMetadata {
  input: InputDescription;
  preprocess: PreprocessJSON;
  hyper: SaeHyper;
}

export async function saveSaeModel(dir: string, m: SaeModel): Promise<void> {
  const v = m.preprocessor.outputDim;
  const p = unpackParams(m.theta, v, m.hyper.hidden);
  await saveModel(dir, {
    kind: 'sparse-autoencoder',
    topology: { visible: v, hidden: m.hyper.hidden, decoder: m.hyper.decoder, activation: 'sigmoid' },
    weights: [
      { name: 'encoder/W1', shape: [m.hyper.hidden, v], tensor: Float32Array.from(p.W1) },
      { name: 'encoder/b1', shape: [m.hyper.hidden], tensor: Float32Array.from(p.b1) },
      { name: 'decoder/W2', shape: [v, m.hyper.hidden], tensor: Float32Array.from(p.W2) },
      { name: 'decoder/b2', shape: [v], tensor: Float32Array.from(p.b2) },
    ],
    metadata: { input: m.input, preprocess: m.preprocessor.toJSON(), hyper: m.hyper } satisfies SaeMetadata,
  });
}

export async function loadSaeModel(dir: string): Promise<SaeModel> {
  const saved = await loadModel<SaeMetadata>(dir, { kind: 'sparse-autoencoder' });
  const { input, preprocess, hyper } = saved.metadata;
  if (!input || !preprocess || !hyper) throw new SflError('model.json lacks the input, preprocessing or hyperparameters of a sparse autoencoder', dir);
  const w = (name: string) => Float64Array.from(getWeight(saved, name, dir).tensor);
  const theta = packParams({
    visible: saved.topology.visible as number,
    hidden: hyper.hidden,
    W1: w('encoder/W1'),
    W2: w('decoder/W2'),
    b1: w('encoder/b1'),
    b2: w('decoder/b2'),
  });
  return { input, preprocessor: Preprocessor.fromJSON(preprocess), hyper: { ...hyper, weightDecay: savedWeightDecay(hyper) }, theta };
}

/** Hidden activations of raw (unpreprocessed) input vectors. */
export function saeFeatures(m: SaeModel, X: Matrix): Matrix {
  return encode(m.preprocessor.transform(X), m.theta);
}

/** W1 (hidden x visible), drawn back in the raw input space (through dewhitening). */
export function saeFilters(m: SaeModel): Matrix {
  const v = m.preprocessor.outputDim;
  const W1 = unpackParams(m.theta, v, hiddenFromLength(m.theta.length, v)).W1;
  return m.preprocessor.filtersToInputSpace({ data: Float32Array.from(W1), rows: m.hyper.hidden, cols: v });
}
