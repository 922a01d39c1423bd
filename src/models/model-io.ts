/**
 * Saves and loads trained models in the TensorFlow.js file conventions: model.json (topology,
 * weightsManifest, userDefinedMetadata) next to weights.bin (float32, little-endian, the weights
 * concatenated in manifest order). tfjs's own weight decoder (tf.io.decodeWeights) reads our
 * weights.bin with our manifest; our `modelTopology` describes sfl's models, not a Keras graph,
 * so `format` is 'sfl-model' and tf.loadLayersModel does not apply.
 *
 * Metadata (feature parameters, normalisation and whitening state) is JSON, except that typed
 * arrays and Matrix values in it are moved into the weights (named `metadata/<key.path>`) and
 * left in the JSON as {"$weight": name, "as": "matrix" | "array"}; loadModel puts them back.
 * So a 1000 x 1000 whitening matrix costs 4 MB of binary, not 20 MB of decimal text.
 */
import { readFile } from 'node:fs/promises';
import { makeDirs, writeFileNamed } from '../util/fs-errors.ts';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { sflVersion } from '../util/version.ts';

const MODEL_FORMAT = 'sfl-model';
export const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/**
 * The weight decay a saved model records. Models saved before weight decay had one name store it
 * as `lambda`; they still load.
 */
export function savedWeightDecay(saved: { weightDecay?: number; lambda?: number }): number {
  return saved.weightDecay ?? saved.lambda ?? 0;
}

export interface Weight {
  name: string;
  shape: number[];
  tensor: Float32Array;
}

export interface SavedModel<M = Record<string, unknown>> {
  /** e.g. 'sparse-autoencoder', 'softmax', 'stacked-autoencoder'. */
  kind: string;
  /** Sizes and choices that define the network, e.g. {visible, hidden, decoder}. */
  topology: Record<string, unknown>;
  weights: Weight[];
  metadata: M;
}

/** One entry of a tfjs weights manifest. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface ModelJson {
  format: string;
  generatedBy: string;
  convertedBy: null;
  modelTopology: { kind: string } & Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  userDefinedMetadata: unknown;
}

const META_PREFIX = 'metadata/';

/** Writes model.json and weights.bin into `dir` (created if needed). weights.bin is written first. */
export async function saveModel(dir: string, model: SavedModel<unknown>): Promise<void> {
  const weights = [...model.weights];
  const metadata = extractArrays(model.metadata, '', weights);
  const seen = new Set<string>();
  for (const w of weights) {
    if (seen.has(w.name)) throw new Error(`saveModel: two weights are named ${w.name}`);
    seen.add(w.name);
    if (!(w.tensor instanceof Float32Array)) throw new Error(`saveModel: weight ${w.name} is not a Float32Array`);
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (size !== w.tensor.length) throw new Error(`saveModel: weight ${w.name} has ${w.tensor.length} values but shape [${w.shape}] holds ${size}`);
  }
  const json: ModelJson = {
    format: MODEL_FORMAT,
    generatedBy: `sfl ${sflVersion()}`,
    convertedBy: null,
    modelTopology: { ...model.topology, kind: model.kind },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' })) }],
    userDefinedMetadata: metadata,
  };
  makeDirs(dir);
  await writeFileNamed(join(dir, WEIGHTS_FILE), encodeWeights(weights));
  await writeFileNamed(join(dir, MODEL_FILE), JSON.stringify(json, null, 2) + '\n');
}

/**
 * Reads a model saved by saveModel. With `expected`, checks the kind and that every key given in
 * expected.metadata has the same value in the model's metadata (see assertCompatible).
 */
export async function loadModel<M = Record<string, unknown>>(
  dir: string,
  expected?: { kind?: string; metadata?: unknown },
): Promise<SavedModel<M>> {
  const modelPath = join(dir, MODEL_FILE);
  const json = await readModelJson(modelPath);
  const kind = json.modelTopology.kind;
  if (expected?.kind !== undefined && kind !== expected.kind) {
    throw new SflError(`this is a ${kind} model, but a ${expected.kind} model is needed`, modelPath);
  }

  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const declared = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  const chunks: Buffer[] = [];
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
    try {
      chunks.push(await readFile(join(dir, p)));
    } catch (e) {
      throw new SflError(`cannot read weights (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, join(dir, p));
    }
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== declared) {
    const paths = json.weightsManifest.flatMap((g) => g.paths).join(' + ');
    throw new SflError(`${paths} holds ${bytes.length} bytes, model.json declares ${declared}`, join(dir, paths.split(' + ')[0]));
  }

  const weights = decodeWeights(bytes, specs);
  const byName = new Map(weights.map((w) => [w.name, w]));
  const metadata = restoreArrays(json.userDefinedMetadata, byName, modelPath) as M;
  if (expected?.metadata !== undefined) assertCompatible(metadata, expected.metadata, modelPath);
  const { kind: _kind, ...topology } = json.modelTopology;
  return { kind, topology, weights: weights.filter((w) => !w.name.startsWith(META_PREFIX)), metadata };
}

/** The weight called `name`; SflError naming the model folder when it is missing. */
export function getWeight(model: SavedModel<unknown>, name: string, dir?: string): Weight {
  const w = model.weights.find((x) => x.name === name);
  if (!w) throw new SflError(`the ${model.kind} model has no weight ${name}`, dir);
  return w;
}

/**
 * Throws an SflError naming the first key whose value differs between `actual` (a model's
 * metadata) and `expected` (what this run would compute). Only keys present in `expected` are
 * compared, so callers pass just the settings that must match (e.g. {spectrum, windows}).
 */
export function assertCompatible(actual: unknown, expected: unknown, file?: string, path = ''): void {
  if (isObject(expected) && !isTyped(expected)) {
    if (!isObject(actual)) {
      throw new SflError(`the model's ${path || 'metadata'} is ${show(actual)}, expected an object`, file);
    }
    for (const [key, value] of Object.entries(expected)) {
      const sub = path ? `${path}.${key}` : key;
      if (!(key in actual)) throw new SflError(`the model has no ${sub} (this run uses ${show(value)})`, file);
      assertCompatible((actual as Record<string, unknown>)[key], value, file, sub);
    }
    return;
  }
  if (!sameValue(actual, expected)) {
    throw new SflError(`the model was made with ${path || 'metadata'} = ${show(actual)}, but this run uses ${show(expected)}`, file);
  }
}

/** tfjs-compatible encoding: float32 little-endian, concatenated in order. */
function encodeWeights(weights: Weight[]): Uint8Array {
  const total = weights.reduce((n, w) => n + w.tensor.length, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const w of weights) {
    out.set(w.tensor, at);
    at += w.tensor.length;
  }
  const bytes = new Uint8Array(out.buffer);
  if (endianness() === 'BE') swap32(bytes);
  return bytes;
}

function decodeWeights(bytes: Uint8Array, specs: WeightSpec[]): Weight[] {
  // Copy into a fresh, aligned buffer: Buffer views may start at an offset not divisible by 4.
  const copy = new Uint8Array(bytes);
  if (endianness() === 'BE') swap32(copy);
  const all = new Float32Array(copy.buffer);
  let at = 0;
  return specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const w = { name: s.name, shape: [...s.shape], tensor: all.slice(at, at + n) };
    at += n;
    return w;
  });
}

async function readModelJson(path: string): Promise<ModelJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SflError(code === 'ENOENT' ? 'no model here (model.json not found)' : `cannot read model (${code})`, path);
  }
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (e) {
    throw new SflError(`not valid JSON: ${(e as Error).message}`, path);
  }
  if (!isObject(json) || json.format !== MODEL_FORMAT) {
    throw new SflError(`not an sfl model (format is ${show(isObject(json) ? json.format : json)}, expected "${MODEL_FORMAT}")`, path);
  }
  if (!isObject(json.modelTopology) || typeof json.modelTopology.kind !== 'string') throw new SflError('modelTopology.kind is missing', path);
  if (!Array.isArray(json.weightsManifest)) throw new SflError('weightsManifest is missing', path);
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw new SflError('weightsManifest entries need paths and weights', path);
    for (const s of group.weights) {
      if (typeof s?.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new SflError(`weightsManifest entry ${show(s)} needs a name and a shape of non-negative integers`, path);
      }
      if (s.dtype !== 'float32') throw new SflError(`weight ${s.name} has dtype ${show(s.dtype)}; only float32 is supported`, path);
    }
  }
  return json;
}

/** Replaces typed arrays and Matrix values in `value` by weight references, appending the weights. */
function extractArrays(value: unknown, path: string, weights: Weight[]): unknown {
  if (value instanceof Float32Array) {
    weights.push({ name: META_PREFIX + path, shape: [value.length], tensor: value });
    return { $weight: META_PREFIX + path, as: 'array' };
  }
  if (ArrayBuffer.isView(value)) throw new Error(`saveModel: metadata ${path} is a ${value.constructor.name}; use a Float32Array`);
  if (isMatrix(value)) {
    weights.push({ name: META_PREFIX + path, shape: [value.rows, value.cols], tensor: value.data });
    return { $weight: META_PREFIX + path, as: 'matrix' };
  }
  if (Array.isArray(value)) return value.map((v, i) => extractArrays(v, `${path}[${i}]`, weights));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, extractArrays(v, path ? `${path}.${k}` : k, weights)]));
  }
  return value;
}

function restoreArrays(value: unknown, byName: Map<string, Weight>, file: string): unknown {
  if (Array.isArray(value)) return value.map((v) => restoreArrays(v, byName, file));
  if (!isObject(value)) return value;
  if (typeof value.$weight === 'string') {
    const w = byName.get(value.$weight);
    if (!w) throw new SflError(`metadata refers to weight ${value.$weight}, which the manifest does not list`, file);
    return value.as === 'matrix' ? { data: w.tensor, rows: w.shape[0], cols: w.shape[1] } satisfies Matrix : w.tensor;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreArrays(v, byName, file)]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTyped(v: unknown): boolean {
  return ArrayBuffer.isView(v) || isMatrix(v);
}

function isMatrix(v: unknown): v is Matrix {
  return isObject(v) && v.data instanceof Float32Array && typeof v.rows === 'number' && typeof v.cols === 'number';
}

function sameValue(a: unknown, b: unknown): boolean {
  if (isMatrix(a) && isMatrix(b)) return a.rows === b.rows && a.cols === b.cols && sameValue(a.data, b.data);
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  if (isMatrix(v)) return `a ${v.rows} x ${v.cols} matrix`;
  if (ArrayBuffer.isView(v)) return `an array of ${(v as unknown as ArrayLike<number>).length} values`;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function swap32(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    [bytes[i], bytes[i + 3]] = [bytes[i + 3], bytes[i]];
    [bytes[i + 1], bytes[i + 2]] = [bytes[i + 2], bytes[i + 1]];
  }
}
