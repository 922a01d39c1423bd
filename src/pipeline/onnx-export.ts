/**
 * A trained audio pipeline (self-taught: `npm start`, `sfl self-taught --audio`; or convolution:
 * `sfl conv` on audio) as one ONNX model, so that it runs in any ONNX Runtime host: Python, C++, a
 * browser, the map step of a Spark or Ray job.
 *
 * The model starts from one recording's samples, mono float32 at the run's sample rate; decoding
 * and resampling stay outside (ONNX has no operators for them). From there it does what
 * `sfl classify` does for a whole recording (pipeline-parts.ts names every piece):
 *
 *   x  n samples (at least one frame's worth)
 *   the spectrogram with the run's settings (audio/spectrogram-onnx.ts)   T x bands
 *   pad to K frames by repeating the last frame (as recordings shorter than a window are padded)
 *   every K x P window (hop 1 frame; and every frequency offset when P < bands), by a Gather,
 *   in blocks of windows (as the spectrogram's frames are) so that a long recording's run is bounded
 *   the preprocessing stage by stage (MatMul, Clip), a = sigmoid(W1 z + b1)     n x offsets x h
 *   (conv runs: sfl's folded filters, a = sigmoid(F x + b))
 *   conv runs with band patches: pooled over frequency offsets (MaxPool / AveragePool)
 *   rows per window, offset-major: n x (regions * h)
 *   pooled over time: S equal segments, mean | max | both              -> features (width)
 *   speaker runs: (features - speaker_mean) / speaker_std (inputs, see below)
 *   standardised with the training mean and std; softmax              -> k probabilities
 *
 * A pipeline trained with per-speaker standardisation (--standardise-per-speaker) needs the mean
 * and std of the speaker's recordings' pooled vectors, which one recording cannot give: the model
 * then takes them as two more inputs, and gives the pooled vector as its `features` output, so a
 * caller runs every recording of a speaker once (with mean 0 and std 1), takes the mean and the
 * population std (floored at 1e-6) of their `features`, and runs them again with those.
 */
import { spectrumWidth } from '../audio/spectrogram.ts';
import { transposed } from '../compute/matrix.ts';
import { dataType, GraphBuilder, OPSET } from '../compute/onnx/graph-builder.ts';
import { blockLoop } from '../compute/onnx/block-loop.ts';
import { spectrogramGraph } from '../audio/spectrogram-onnx.ts';
import { pooledSide } from '../models/conv/convolve.ts';
import { SflError } from '../util/errors.ts';
import type { AudioClassifierPipeline } from './audio-classifier.ts';
import { pipelineParts } from './pipeline-parts.ts';

type Tensor = { name: string; dtype: 'float32'; shape: (string | number)[]; description: string };

/** What the .onnx file takes and gives, written beside it as JSON. */
export interface OnnxPipelineDescription {
  format: 'sfl-onnx-pipeline';
  version: 2;
  opset: number;
  /** What the graph starts from: audio samples at sampleRate (the spectrum is inside the graph). */
  input: 'samples';
  sampleRate: number;
  inputs: Tensor[];
  outputs: Tensor[];
  classNames: string[];
  /** The spectrum settings the graph computes with (sfl's SpectrumParams, every one present). */
  spectrum: unknown;
  windowFrames: number;
  pool: { method: string; segments: number };
  /** Convolution runs: filters of `bandPatch` bands sliding over frequency, pooled as frequencyPool says. */
  conv: unknown;
  /** 'speaker': the speaker_mean and speaker_std inputs are used (see the model's file comment). */
  standardise: 'training' | 'speaker';
}

export const INPUT = 'samples';
export const OUTPUT = 'probabilities';
export const FEATURES = 'features';
export const SPEAKER_MEAN = 'speaker_mean';
export const SPEAKER_STD = 'speaker_std';

/**
 * At most this many bytes of float64 windows (or of a preprocessing stage's output) per block of
 * windows: 16 MB, a few thousand windows, so a short recording is one block and a long one is
 * bounded.
 */
export const WINDOW_BLOCK_BYTES = 2 ** 24;

/**
 * The ONNX model and its description. `opts.block` sets the frames and the windows per block (tests
 * use a small one to run several blocks on a short recording).
 */
export function pipelineToOnnx(p: AudioClassifierPipeline, opts: { block?: number } = {}): { model: Uint8Array; description: OnnxPipelineDescription } {
  const parts = pipelineParts(p);
  const { spectrum, filters, width, conv } = parts;
  const { frames: K, bands: P } = parts.windows;
  const bands = spectrumWidth(spectrum);
  if (conv ? conv.inputBands !== bands : P !== bands) {
    throw new SflError(`export --onnx: the pipeline's filters were made for spectrograms of ${conv?.inputBands ?? P} bands, its spectrum settings give ${bands}`);
  }
  const h = filters.hidden;
  const { method, segments: S } = parts.pool;
  const { classNames, mean, std, weights: W, biases } = parts.classifier;
  const k = classNames.length;
  const speaker = parts.standardise === 'speaker';

  const g = new GraphBuilder('sfl_audio_pipeline');
  const i64 = (v: number): string => g.ints([v]);
  const x = g.input(INPUT, 'float32', ['samples']);
  // The spectrogram, the preprocessing and the encoder in float64: a log-spectrum's offsets make
  // the first products nearly cancel, which in float32 loses digits.
  const spec = spectrogramGraph(g, x, spectrum, 'float64', opts.block); // T x bands
  // Pad to K frames: repeat the last frame max(K - T, 0) times.
  const T = g.op('Gather', [g.op('Shape', [spec]), i64(0)]); // [1]
  const padCount = g.op('Max', [g.op('Sub', [i64(K), T]), i64(0)]);
  const last = g.op('Slice', [spec, i64(-1), i64(Number.MAX_SAFE_INTEGER), i64(0)]); // 1 x bands
  const pad = g.op('Tile', [last, g.op('Concat', [padCount, i64(1)], { axis: 0 })]);
  const xp = g.op('Concat', [spec, pad], { axis: 0 }); // T' x bands
  // Every window (time-major K x P patch) at every time t and frequency offset o, by a Gather from
  // the flattened spectrogram: element (t, o, i P + j) = xp[t + i][o + j]. In blocks of windows
  // (blockLoop), as the spectrogram's frames are: the windows and the preprocessing are float64, K x P
  // (or more) values per window, and only the encoder's float32 output (h per window and offset) is
  // kept for the whole recording. Peak memory of one run above the loaded session, 8 kHz, 4 x 40
  // windows (mel 40, hop 128): 30 minutes 555 MB whole, 140 MB in blocks; 60 minutes 1075 MB whole,
  // 304 MB in blocks (what is left grows with the samples and the float64 spectrogram, 40 per frame).
  const offsets = bands - P + 1;
  const nWindows = g.op('Add', [g.op('Sub', [g.op('Gather', [g.op('Shape', [xp]), i64(0)]), i64(K)]), i64(1)]); // [1]
  const perBlock = opts.block ?? Math.floor(WINDOW_BLOCK_BYTES / (8 * offsets * Math.max(K * P, parts.preprocess.outDim)));
  const flat = g.op('Reshape', [xp, g.ints([-1])]);
  const within = new BigInt64Array(offsets * K * P);
  for (let o = 0; o < offsets; o++) for (let i = 0; i < K; i++) for (let j = 0; j < P; j++) within[(o * K + i) * P + j] = BigInt(i * bands + o + j);
  const windowIndex = g.constant('window_index', within, [offsets, K * P]);
  const [act] = blockLoop(g, nWindows, perBlock, (body, rows) => {
    const rowStarts = body.op('Mul', [rows, i64(bands)]);
    const windows = body.op('Gather', [flat, body.op('Add', [body.op('Unsqueeze', [rowStarts, g.ints([1, 2])]), windowIndex])]); // size x offsets x KP
    let pre = windows, We: Float64Array, bias: Float64Array, inner: number;
    if (conv) {
      // sfl's convolution features: the preprocessing folded into the filters (models/conv/convolve.ts).
      We = transposed(filters.F, h, K * P, Float64Array);
      bias = filters.b;
      inner = K * P;
    } else {
      // The preprocessing stage by stage as sfl applies it (affine maps, rescale01's clip), then the encoder.
      parts.preprocess.stages.forEach((st, i) => {
        pre = st.kind === 'clip'
          ? body.op('Clip', [pre, g.scalar(st.low, 'float64'), g.scalar(st.high, 'float64')])
          : body.op('Add', [body.op('MatMul', [pre, g.constant(`preprocess_${i}_A`, transposed(st.A, st.outDim, st.inDim, Float64Array), [st.inDim, st.outDim])]), g.constant(`preprocess_${i}_c`, Float64Array.from(st.c), [st.outDim])]);
      });
      We = transposed(parts.encoder.W1, h, parts.preprocess.outDim, Float64Array);
      bias = parts.encoder.b1;
      inner = parts.preprocess.outDim;
    }
    // a = sigmoid(W z + b): size x offsets x h, then float32.
    const blockAct = body.op('Cast', [body.op('Sigmoid', [body.op('Add', [
      body.op('MatMul', [pre, g.constant('encoder_weights', We, [inner, h])]),
      g.constant('encoder_bias', Float64Array.from(bias), [h]),
    ])])], { to: dataType('float32') });
    return [{ value: blockAct, type: 'float32', dims: ['block', offsets, h] }];
  }); // n x offsets x h
  let a: string; // one row per window, offset-major (recording-features.ts' layout): n x (regions * h)
  if (offsets > 1) {
    const fp = conv!.frequencyPool;
    const pooled = g.op(fp.kind === 'max' ? 'MaxPool' : 'AveragePool', [g.op('Transpose', [act], { perm: [0, 2, 1] })], { kernel_shape: [fp.size], strides: [fp.stride] }); // n x h x regions
    a = g.op('Reshape', [g.op('Transpose', [pooled], { perm: [0, 2, 1] }), g.ints([-1, pooledSide(offsets, fp.size, fp.stride) * h])]);
  } else {
    a = g.op('Reshape', [act, g.ints([-1, h])]);
  }
  // Pooling over S segments: segment s covers windows [floor(s n / S), max(floor((s+1) n / S), start + 1)).
  const n = g.op('Gather', [g.op('Shape', [a]), i64(0)]);
  const pools: string[] = [];
  for (let s = 0; s < S; s++) {
    const start = g.op('Div', [g.op('Mul', [n, i64(s)]), i64(S)]);
    const end = g.op('Max', [g.op('Div', [g.op('Mul', [n, i64(s + 1)]), i64(S)]), g.op('Add', [start, i64(1)])]);
    const seg = g.op('Slice', [a, start, end, i64(0)]);
    if (method === 'mean' || method === 'meanmax') pools.push(g.op('ReduceMean', [seg], { axes: [0], keepdims: 0 }));
    if (method === 'max' || method === 'meanmax') pools.push(g.op('ReduceMax', [seg], { axes: [0], keepdims: 0 }));
  }
  const f = pools.length === 1 ? pools[0] : g.op('Concat', pools, { axis: 0 }); // width
  g.output(f, FEATURES, 'float32', [width]);
  const fs = speaker
    ? g.op('Div', [g.op('Sub', [f, g.input(SPEAKER_MEAN, 'float32', [width])]), g.input(SPEAKER_STD, 'float32', [width])])
    : f;
  const z = g.op('Div', [
    g.op('Sub', [fs, g.constant('standardiser_mean', Float32Array.from(mean), [width])]),
    g.constant('standardiser_std', Float32Array.from(std), [width]),
  ]);
  const Wt = transposed(W, k, width); // width x k: the softmax weights transposed for MatMul
  const scores = g.op('Add', [
    g.op('MatMul', [z, g.constant('softmax_weights', Wt, [width, k])]),
    g.constant('softmax_bias', Float32Array.from(biases), [k]),
  ]);
  g.output(g.op('Softmax', [scores], { axis: 0 }), OUTPUT, 'float32', [k]);

  const rate = spectrum.sampleRate;
  const inputs: Tensor[] = [{
    name: INPUT, dtype: 'float32', shape: ['samples'],
    description: `one recording: mono samples at ${rate} Hz, in [-1, 1] (decode, mix to mono and resample to ${rate} Hz first), at least ${spectrum.frameSize} of them`,
  }];
  if (speaker) {
    const stat = (what: string) =>
      `the ${what} of the ${FEATURES} output over the speaker's recordings (run them once with ${SPEAKER_MEAN} 0 and ${SPEAKER_STD} 1 to get it)`;
    inputs.push(
      { name: SPEAKER_MEAN, dtype: 'float32', shape: [width], description: stat('mean') },
      { name: SPEAKER_STD, dtype: 'float32', shape: [width], description: stat('population standard deviation, each at least 1e-6,') },
    );
  }
  const description: OnnxPipelineDescription = {
    format: 'sfl-onnx-pipeline',
    version: 2,
    opset: OPSET,
    input: 'samples',
    sampleRate: rate,
    inputs,
    outputs: [
      { name: OUTPUT, dtype: 'float32', shape: [k], description: 'the probability of each class, in the order of classNames' },
      { name: FEATURES, dtype: 'float32', shape: [width], description: 'the recording\'s learned features pooled over time (the classifier\'s input before standardisation)' },
    ],
    classNames,
    spectrum,
    windowFrames: K,
    pool: { method, segments: S },
    conv,
    standardise: parts.standardise,
  };
  return { model: g.toBytes(`sfl audio pipeline: ${k} classes from ${rate} Hz audio samples`), description };
}
