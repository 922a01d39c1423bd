/**
 * Building TensorFlow.js LayersModels from weights sfl already holds, and writing them in the
 * files tf.loadLayersModel reads (model.json + weights.bin). The layers are the stock Keras ones
 * (Dense, Conv2D, pooling, BatchNormalization, Reshape, Flatten, Concatenate), so any TensorFlow.js
 * program, in Node or a browser, loads them without sfl.
 *
 * Weight layouts as tfjs wants them: a Dense kernel is inputs x units (row-major), a Conv2D kernel
 * kh x kw x in x out.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sflVersion } from '../util/version.ts';

export type Activation = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'softmax';

/** One layer of a network to build, with its weights. */
export type LayerSpec =
  | { type: 'dense'; name: string; units: number; activation: Activation; kernel: ArrayLike<number>; bias: ArrayLike<number> }
  | { type: 'conv2d'; name: string; kernelShape: [number, number, number, number]; activation: Activation; kernel: ArrayLike<number>; bias: ArrayLike<number> }
  | { type: 'pool2d'; name: string; kind: 'max' | 'mean' | 'meanmax'; size: [number, number]; strides: [number, number] }
  /** (x - mean) / std along `axis` (1-based over the example's dimensions: 2 = columns of a rows x columns x channels picture; -1 = channels). */
  | { type: 'standardise'; name: string; axis: number; mean: ArrayLike<number>; std: ArrayLike<number> }
  | { type: 'activation'; name: string; activation: Activation }
  /** min(max(x, 0), maxValue). */
  | { type: 'relu'; name: string; maxValue: number }
  | { type: 'reshape'; name: string; shape: number[] }
  | { type: 'flatten'; name: string };

function apply(spec: LayerSpec, x: tf.SymbolicTensor): tf.SymbolicTensor {
  const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
  const withWeights = (layer: tf.layers.Layer, weights: tf.Tensor[]): tf.SymbolicTensor => {
    const y = layer.apply(x) as tf.SymbolicTensor;
    layer.setWeights(weights);
    tf.dispose(weights);
    return y;
  };
  switch (spec.type) {
    case 'dense': {
      const inDim = x.shape[x.shape.length - 1] as number;
      const layer = tf.layers.dense({ name: spec.name, units: spec.units, activation: spec.activation });
      return withWeights(layer, [tf.tensor2d(f32(spec.kernel), [inDim, spec.units]), tf.tensor1d(f32(spec.bias))]);
    }
    case 'conv2d': {
      const [kh, kw, , out] = spec.kernelShape;
      const layer = tf.layers.conv2d({ name: spec.name, filters: out, kernelSize: [kh, kw], padding: 'valid', activation: spec.activation });
      return withWeights(layer, [tf.tensor4d(f32(spec.kernel), spec.kernelShape), tf.tensor1d(f32(spec.bias))]);
    }
    case 'pool2d': {
      const o = { poolSize: spec.size, strides: spec.strides, padding: 'valid' as const };
      if (spec.kind === 'max') return tf.layers.maxPooling2d({ name: spec.name, ...o }).apply(x) as tf.SymbolicTensor;
      if (spec.kind === 'mean') return tf.layers.averagePooling2d({ name: spec.name, ...o }).apply(x) as tf.SymbolicTensor;
      // Means then maxima along the channels, as features/pooling's 'meanmax' and convolve.ts poolMaps.
      const mean = tf.layers.averagePooling2d({ name: `${spec.name}_mean`, ...o }).apply(x) as tf.SymbolicTensor;
      const max = tf.layers.maxPooling2d({ name: `${spec.name}_max`, ...o }).apply(x) as tf.SymbolicTensor;
      return tf.layers.concatenate({ name: spec.name, axis: -1 }).apply([mean, max]) as tf.SymbolicTensor;
    }
    case 'standardise': {
      // Inference-time batch normalisation is gamma (x - movingMean) / sqrt(movingVariance + eps) + beta:
      // with movingVariance 1 and gamma sqrt(1 + eps) / std it is (x - mean) / std exactly.
      const eps = 1e-3;
      const layer = tf.layers.batchNormalization({ name: spec.name, axis: spec.axis, epsilon: eps });
      const n = spec.mean.length;
      const gamma = Float32Array.from(spec.std, (s) => Math.sqrt(1 + eps) / s);
      return withWeights(layer, [tf.tensor1d(gamma), tf.zeros([n]), tf.tensor1d(f32(spec.mean)), tf.ones([n])]);
    }
    case 'activation':
      return tf.layers.activation({ name: spec.name, activation: spec.activation }).apply(x) as tf.SymbolicTensor;
    case 'relu':
      return tf.layers.reLU({ name: spec.name, maxValue: spec.maxValue }).apply(x) as tf.SymbolicTensor;
    case 'reshape':
      return tf.layers.reshape({ name: spec.name, targetShape: spec.shape }).apply(x) as tf.SymbolicTensor;
    case 'flatten':
      return tf.layers.flatten({ name: spec.name }).apply(x) as tf.SymbolicTensor;
  }
}

/** A LayersModel taking rows of `inputWidth` values through `layers` in order. */
export function buildModel(name: string, inputWidth: number, layers: readonly LayerSpec[]): tf.LayersModel {
  const input = tf.input({ shape: [inputWidth], name: `${name}_input` });
  const output = layers.reduce((x, spec) => apply(spec, x), input);
  return tf.model({ name, inputs: input, outputs: output });
}

/** Writes a LayersModel as model.json + weights.bin in `dir` (the files tf.loadLayersModel reads). */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
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
