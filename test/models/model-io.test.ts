import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../src/compute/matrix.ts';
import { assertCompatible, getWeight, loadModel, saveModel, type SavedModel } from '../../src/models/model-io.ts';

const seq = (n: number, scale = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * scale);

function sampleModel(): SavedModel {
  return {
    kind: 'sparse-autoencoder',
    topology: { visible: 6, hidden: 4, decoder: 'linear' },
    weights: [
      { name: 'W1', shape: [4, 6], tensor: seq(24) },
      { name: 'b1', shape: [4], tensor: seq(4, 0.1) },
      { name: 'W2', shape: [6, 4], tensor: seq(24, 3) },
      { name: 'b2', shape: [6], tensor: new Float32Array([NaN, -0, 1e-30, 3.4e38, -1, 0.5]) },
    ],
    metadata: {
      spectrum: { transform: 'mel', bands: 40, fMax: null },
      windows: { frames: 4 },
      normalise: { kind: 'standardise', mean: seq(6), std: [1, 2, 3] },
      whitening: { kind: 'zca', epsilon: 0.1, W: matrix(6, 6, seq(36)) },
    },
  };
}

const made: string[] = [];
const tmp = () => made[made.push(mkdtempSync(join(tmpdir(), 'sfl-model-'))) - 1];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('model-io', () => {
  it('round-trips weights, topology and metadata exactly', async () => {
    const dir = tmp();
    const model = sampleModel();
    await saveModel(dir, model);
    const back = await loadModel(dir, { kind: 'sparse-autoencoder' });
    expect(back.kind).toBe('sparse-autoencoder');
    expect(back.topology).toEqual(model.topology);
    expect(back.weights.map((w) => w.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    for (const w of model.weights) {
      const b = getWeight(back, w.name);
      expect(b.shape).toEqual(w.shape);
      expect(b.tensor).toBeInstanceOf(Float32Array);
      expect(Array.from(b.tensor)).toEqual(Array.from(w.tensor)); // toEqual: NaN == NaN, -0 kept apart
    }
    expect(back.metadata).toEqual(model.metadata); // Float32Array and Matrix values restored
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json).toMatchObject({ format: 'sfl-model', modelTopology: { kind: 'sparse-autoencoder', visible: 6 } });
    expect(json.generatedBy).toMatch(/^sfl /);
    expect(json.userDefinedMetadata.whitening.W).toEqual({ $weight: 'metadata/whitening.W', as: 'matrix' });
    expect(readFileSync(join(dir, 'weights.bin')).length).toBe((24 + 4 + 24 + 6 + 6 + 36) * 4);
    expect(() => getWeight(back, 'W3')).toThrow('the sparse-autoencoder model has no weight W3');
  });

  it('tfjs decodes our weights.bin with our manifest to the same arrays', async () => {
    const dir = tmp();
    const model = sampleModel();
    await saveModel(dir, model);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
    const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const decoded = tf.io.decodeWeights(buffer, json.weightsManifest[0].weights);
    for (const w of model.weights) {
      expect(decoded[w.name].shape).toEqual(w.shape);
      expect(Array.from(decoded[w.name].dataSync())).toEqual(Array.from(w.tensor));
    }
    expect(Array.from(decoded['metadata/whitening.W'].dataSync())).toEqual(Array.from(seq(36)));
    tf.dispose(Object.values(decoded));
  });

  it('a truncated weights.bin is an error naming the file and both sizes', async () => {
    const dir = tmp();
    await saveModel(dir, sampleModel());
    truncateSync(join(dir, 'weights.bin'), 100);
    await expect(loadModel(dir)).rejects.toThrow(`${join(dir, 'weights.bin')}: weights.bin holds 100 bytes, model.json declares 400`);
  });

  it('a model of another kind or feature configuration is refused, naming the key', async () => {
    const dir = tmp();
    await saveModel(dir, sampleModel());
    await expect(loadModel(dir, { kind: 'softmax' })).rejects.toThrow(
      `${join(dir, 'model.json')}: this is a sparse-autoencoder model, but a softmax model is needed`,
    );
    await expect(loadModel(dir, { metadata: { spectrum: { transform: 'mel', bands: 64 } } })).rejects.toThrow(
      'the model was made with spectrum.bands = 40, but this run uses 64',
    );
    const { metadata } = await loadModel(dir, { metadata: { spectrum: { transform: 'mel', bands: 40, fMax: null }, windows: { frames: 4 } } });
    expect(() => assertCompatible(metadata, { windows: { frames: 8 } }, 'm/model.json')).toThrow(
      'm/model.json: the model was made with windows.frames = 4, but this run uses 8',
    );
    expect(() => assertCompatible(metadata, { windows: { hop: 8 } })).toThrow('the model has no windows.hop (this run uses 8)');
  });

  it('files that are not sfl models are clear errors', async () => {
    const dir = tmp();
    await expect(loadModel(dir)).rejects.toThrow('model.json: no model here (model.json not found)');
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model' }));
    await expect(loadModel(dir)).rejects.toThrow('not an sfl model (format is "layers-model", expected "sfl-model")');
    await expect(saveModel(dir, { ...sampleModel(), weights: [{ name: 'W', shape: [2, 2], tensor: new Float32Array(3) }] })).rejects.toThrow(
      'weight W has 3 values but shape [2,2] holds 4',
    );
  });
});
