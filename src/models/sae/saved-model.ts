/**
 * A trained sparse autoencoder with everything needed to use it on new data: what input it was
 * trained on (image or spectro-temporal windows, with the spectrum parameters), the fitted
 * preprocessing, and the weights. Saved in TensorFlow.js conventions (model.json + weights.bin).
 */
import type { Matrix } from '../../compute/matrix.ts';
import { Preprocessor, type PreprocessJSON } from '../../features/preprocess.ts';
import { encodeLinear, hiddenFromLength, packParams, unpackParams, type Decoder } from './sparse-autoencoder.ts';
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

/**
 * Hidden activations of raw (unpreprocessed) input vectors: sigmoid(W1 (A x + c) + b1) computed as
 * sigmoid((W1 A)(x - centre) + b1 + W1 (A centre + c)), the preprocessing's affine part folded
 * into the encoder (Preprocessor.affineTail; only rescale01's clipping still runs on the data).
 * Why: whitening every window with a d x d product, then encoding it, was a separate pass over
 * every window that took about a third of `sfl classify`'s time.
 */
export function saeFeatures(m: SaeModel, X: Matrix): Matrix {
  const f = foldedEncoder(m);
  if (X.cols !== f.inputDim) throw new SflError(`preprocessing was fitted on vectors of ${f.inputDim} values, these have ${X.cols}`);
  return encodeLinear(f.head ? f.head(X) : X, f.W, f.b, m.hyper.hidden, { centre: f.centre });
}

interface FoldedEncoder {
  /** What it was folded from (a model given new weights or preprocessing is folded again). */
  theta: Float64Array;
  preprocessor: Preprocessor;
  inputDim: number;
  head: ((X: Matrix) => Matrix) | null;
  /** hidden x inputDim, row-major: W1 A. */
  W: Float64Array;
  b: Float64Array;
  centre: Float64Array | undefined;
}

/** Folded once per model (hidden x d x d multiplications) and kept while the model is. */
const folded = new WeakMap<SaeModel, FoldedEncoder>();

function foldedEncoder(m: SaeModel): FoldedEncoder {
  const done = folded.get(m);
  if (done && done.theta === m.theta && done.preprocessor === m.preprocessor) return done;
  const { head, tail, centre } = m.preprocessor.affineTail();
  const v = m.preprocessor.outputDim, h = m.hyper.hidden;
  const { W1, b1 } = unpackParams(m.theta, v, h);
  let f: FoldedEncoder;
  if (!tail) {
    f = { theta: m.theta, preprocessor: m.preprocessor, inputDim: v, head, W: W1, b: b1, centre: undefined };
  } else {
    const { A, c, inDim: d, outDim } = tail;
    if (outDim !== v) throw new Error(`saeFeatures: the preprocessing gives ${outDim} values, the encoder takes ${v}`);
    // W = W1 A (h x d); b = b1 + W1 (A centre + c).
    const shifted = Float64Array.from(c);
    for (let r = 0; r < v; r++) for (let i = 0; i < d; i++) shifted[r] += A[r * d + i] * centre[i];
    const W = new Float64Array(h * d), b = Float64Array.from(b1);
    for (let j = 0; j < h; j++) {
      for (let r = 0; r < v; r++) {
        const w = W1[j * v + r];
        if (w === 0) continue;
        const row = r * d, out = j * d;
        for (let i = 0; i < d; i++) W[out + i] += w * A[row + i];
        b[j] += w * shifted[r];
      }
    }
    f = { theta: m.theta, preprocessor: m.preprocessor, inputDim: d, head, W, b, centre };
  }
  folded.set(m, f);
  return f;
}

/** W1 (hidden x visible), drawn back in the raw input space (through dewhitening). */
export function saeFilters(m: SaeModel): Matrix {
  const v = m.preprocessor.outputDim;
  const W1 = unpackParams(m.theta, v, hiddenFromLength(m.theta.length, v)).W1;
  return m.preprocessor.filtersToInputSpace({ data: Float32Array.from(W1), rows: m.hyper.hidden, cols: v });
}
