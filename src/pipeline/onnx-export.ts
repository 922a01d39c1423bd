/**
 * A trained audio pipeline (the self-taught kind `npm start` and `sfl self-taught --audio` save) as
 * one ONNX model, so that it runs in any ONNX Runtime host: Python, C++, a browser, the map step of
 * a Spark or Ray job.
 *
 * The model starts from one recording's log-spectrogram, not from audio samples: the spectrum
 * (framing, FFT, filterbank, log) stays in sfl, whose settings are written in the description
 * (`spectrum`), and whose output for a file is printed by `sfl features`. From there the graph
 * does what `sfl classify` does for one recording:
 *
 *   x  T x B log-spectrogram (frames x bands), T >= 1
 *   pad to K frames by repeating the last frame (as recordings shorter than a window are padded)
 *   every K-frame window (hop 1), preprocessing folded into the encoder:  Conv [h, 1, K, B]
 *   a = sigmoid(...)                         h x n windows
 *   pooled over time: S equal segments, mean | max | both                 -> width values
 *   standardised with the training mean and std; softmax                  -> k probabilities
 */
import { GraphBuilder } from '../compute/onnx/graph-builder.ts';
import { SflError } from '../util/errors.ts';
import type { AudioClassifierPipeline } from './audio-classifier.ts';
import { pipelineParts } from './pipeline-parts.ts';

/** What the .onnx file takes and gives, written beside it as JSON. */
export interface OnnxPipelineDescription {
  format: 'sfl-onnx-pipeline';
  version: 1;
  opset: number;
  inputs: { name: string; dtype: 'float32'; shape: (string | number)[]; description: string }[];
  outputs: { name: string; dtype: 'float32'; shape: (string | number)[]; description: string }[];
  classNames: string[];
  /** The spectrum settings that make the input (sfl's SpectrumParams). */
  spectrum: unknown;
  windowFrames: number;
  pool: { method: string; segments: number };
}

export const INPUT = 'log_spectrogram';
export const OUTPUT = 'probabilities';

/** The ONNX model and its description; refuses pipelines it cannot express, saying why. */
export function pipelineToOnnx(p: AudioClassifierPipeline): { model: Uint8Array; description: OnnxPipelineDescription } {
  if (p.conv) throw new SflError('export --onnx: convolution pipelines (sfl conv) are not exportable yet; self-taught pipelines are');
  if (p.standardise === 'speaker') {
    throw new SflError('export --onnx: this pipeline standardises each speaker\'s recordings together, which needs many recordings at once; one-recording ONNX export does not support it');
  }
  const parts = pipelineParts(p);
  const { frames: K, bands: B } = parts.windows;
  const { filters, width } = parts;
  const h = filters.hidden;
  const { method, segments: S } = parts.pool;
  const { classNames, mean, std, weights: W, biases } = parts.classifier;
  const k = classNames.length;

  const g = new GraphBuilder('sfl_audio_pipeline');
  const x = g.input(INPUT, 'float32', ['frames', B]);
  const i64 = (v: number): string => g.ints([v]);
  // Pad to K frames: repeat the last frame max(K - T, 0) times.
  const T = g.op('Gather', [g.op('Shape', [x]), i64(0)]); // [1]
  const padCount = g.op('Max', [g.op('Sub', [i64(K), T]), i64(0)]);
  const last = g.op('Slice', [x, i64(-1), i64(Number.MAX_SAFE_INTEGER), i64(0)]); // 1 x B
  const pad = g.op('Tile', [last, g.op('Concat', [padCount, i64(1)], { axis: 0 })]);
  const xp = g.op('Concat', [x, pad], { axis: 0 }); // T' x B
  // Every window, encoded: Conv over [1, 1, T', B] with h kernels of K x B.
  const conv = g.op('Conv', [
    g.op('Reshape', [xp, g.ints([1, 1, -1, B])]),
    g.constant('encoder_filters', Float32Array.from(filters.F), [h, 1, K, B]),
    g.constant('encoder_bias', Float32Array.from(filters.b), [h]),
  ]);
  const a = g.op('Reshape', [g.op('Sigmoid', [conv]), g.ints([h, -1])]); // h x n
  // Pooling over S segments: segment s covers windows [floor(s n / S), max(floor((s+1) n / S), start + 1)).
  const n = g.op('Gather', [g.op('Shape', [a]), i64(1)]);
  const pools: string[] = [];
  for (let s = 0; s < S; s++) {
    const start = g.op('Div', [g.op('Mul', [n, i64(s)]), i64(S)]);
    const end = g.op('Max', [g.op('Div', [g.op('Mul', [n, i64(s + 1)]), i64(S)]), g.op('Add', [start, i64(1)])]);
    const seg = g.op('Slice', [a, start, end, i64(1)]);
    if (method === 'mean' || method === 'meanmax') pools.push(g.op('ReduceMean', [seg], { axes: [1], keepdims: 0 }));
    if (method === 'max' || method === 'meanmax') pools.push(g.op('ReduceMax', [seg], { axes: [1], keepdims: 0 }));
  }
  const f = pools.length === 1 ? pools[0] : g.op('Concat', pools, { axis: 0 }); // width
  const z = g.op('Div', [
    g.op('Sub', [f, g.constant('standardiser_mean', Float32Array.from(mean), [width])]),
    g.constant('standardiser_std', Float32Array.from(std), [width]),
  ]);
  const Wt = new Float32Array(width * k); // width x k: the softmax weights transposed for MatMul
  for (let c = 0; c < k; c++) for (let j = 0; j < width; j++) Wt[j * k + c] = W[c * width + j];
  const scores = g.op('Add', [
    g.op('MatMul', [z, g.constant('softmax_weights', Wt, [width, k])]),
    g.constant('softmax_bias', Float32Array.from(biases), [k]),
  ]);
  g.output(g.op('Softmax', [scores], { axis: 0 }), OUTPUT, 'float32', [k]);

  const description: OnnxPipelineDescription = {
    format: 'sfl-onnx-pipeline',
    version: 1,
    opset: 17,
    inputs: [{
      name: INPUT, dtype: 'float32', shape: ['frames', B],
      description: `one recording's log-spectrogram, frames x ${B} bands, made with the spectrum settings below (what sfl computes for the file; print it with sfl features)`,
    }],
    outputs: [{ name: OUTPUT, dtype: 'float32', shape: [k], description: 'the probability of each class, in the order of classNames' }],
    classNames,
    spectrum: parts.spectrum,
    windowFrames: K,
    pool: { method, segments: S },
  };
  return { model: g.toBytes(`sfl audio pipeline: ${classNames.length} classes from ${B}-band log-spectrograms`), description };
}
