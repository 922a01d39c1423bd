/**
 * A trained convolutional autoencoder classifier on disk (../model-io.ts conventions: model.json +
 * weights.bin), with everything needed to feed it new data the way it was trained: the class
 * names, the input picture (audio: frames, bands, spectrum settings; or image size) and the
 * standardisation (per band for audio, one mean and deviation for images).
 */
import type { SpectrumParams } from '../../audio/spectrogram.ts';
import { classifierSpecs, paramCount, unpack, type ConvAeModel, type ConvAeShape } from './conv-autoencoder.ts';
import { SflError } from '../../util/errors.ts';
import { getWeight, loadModel, saveModel } from '../model-io.ts';

export const CONV_AE_KIND = 'conv-autoencoder-classifier';

/** What one example fed to the network is. */
export type ConvAeInput =
  | { kind: 'image'; width: number; height: number }
  /** A recording's spectrogram brought to `frames` frames (features/fixed-length.ts), time down the rows. */
  | { kind: 'spectrogram'; frames: number; bands: number; spectrum: SpectrumParams };

export interface ConvAeClassifier {
  model: ConvAeModel;
  classNames: string[];
  /** Named `picture`, not `input`, in the metadata: the report reads `input` as a filter tile's shape. */
  picture: ConvAeInput;
  /** Standardisation fitted on the training data: (x - mean[j]) / std[j], j the band (audio) or 0 (images). */
  standardise: { mean: Float32Array; std: Float32Array };
}

export async function saveConvAeClassifier(dir: string, c: ConvAeClassifier): Promise<void> {
  const specs = classifierSpecs(c.model.shape);
  const parts = unpack(c.model.theta, specs);
  await saveModel(dir, {
    kind: CONV_AE_KIND,
    topology: { ...c.model.shape, activation: 'relu', pooling: 'max', layout: 'NHWC, filters [rows, columns, in, out], softmax/W [features, classes]' },
    weights: specs.map((p) => ({ name: p.name, shape: p.shape, tensor: parts[p.name] })),
    metadata: { classNames: c.classNames, picture: c.picture, standardise: c.standardise },
  });
}

export async function loadConvAeClassifier(dir: string): Promise<ConvAeClassifier> {
  const saved = await loadModel<Omit<ConvAeClassifier, 'model'>>(dir, { kind: CONV_AE_KIND });
  const t = saved.topology as unknown as ConvAeShape;
  const shape: ConvAeShape = {
    height: t.height, width: t.width, channels: t.channels, filters: t.filters, kernel: t.kernel, pool: t.pool, classes: t.classes,
  };
  const specs = classifierSpecs(shape);
  const theta = new Float32Array(paramCount(specs));
  const parts = unpack(theta, specs);
  for (const p of specs) {
    const w = getWeight(saved, p.name, dir);
    if (w.tensor.length !== parts[p.name].length) throw new SflError(`weight ${p.name} has ${w.tensor.length} values, the topology needs ${parts[p.name].length}`, dir);
    parts[p.name].set(w.tensor);
  }
  const m = saved.metadata;
  return { model: { shape, theta }, classNames: m.classNames, picture: m.picture, standardise: m.standardise };
}
