/**
 * Stacked convolutional autoencoders (Masci, Meier, Ciresan & Schmidhuber 2011), pretrained layer
 * by layer without labels, then a softmax on the top layer's pooled maps, then fine-tuned as one
 * convolutional network.
 *
 * Shapes: a picture is height x width x channels (audio: frames x bands x 1, time down the rows;
 * MNIST: 28 x 28 x 1). Layer l, with kernel kh x kw, F_l filters and pooling ph x pw:
 *   encoder  h = relu(valid(a, W) + b)                 [N, H, W, C] -> [N, H-kh+1, W-kw+1, F]
 *   pooling  a' = maxpool(h, ph x pw, non-overlapping)  -> [N, floor((H-kh+1)/ph), floor((W-kw+1)/pw), F]
 * The autoencoder of layer l reconstructs its input a from h with only the maximum of each
 * pooling region kept (all else zero: the sparse code of Masci et al., and exactly what the next
 * layer sees), through the tied decoder (the transposed convolution with the same W) or its own
 * filters V:
 *   a^ = full(keepPoolMax(h), W or V) + c               [N, H, W, C]
 *   J  = 1/(2N) sum ||a^ - a||^2 + weightDecay/2 (||W||^2 [+ ||V||^2])
 * trained as a denoising autoencoder: the encoder sees `a` with a random fraction `corruption`
 * of its values set to 0, the cost compares with the clean `a`.
 *
 * Classifier: a_L flattened (row-major h, w, f) -> softmax(a_L Ws + bs); fine-tuning minimises
 *   J = mean cross-entropy + weightDecay/2 (sum_l ||W_l||^2 + ||Ws||^2)
 * over every parameter. Biases are not decayed.
 *
 * The max-only code makes the autoencoder's cost jump where the maximum of a pooling region moves
 * to another position (the decoder then draws from another place); its gradient is exact
 * everywhere else, which is where the tests check it. Max pooling carries its own gradient
 * (maxPool2d): the wasm backend's MaxPoolGrad is slower, and wrong where a region's maximum is
 * negative.
 *
 * Every stage exposes its cost and gradient as a function of one flat parameter vector (the
 * layouts below), so Adam (optim/adam.ts) and the gradient checker drive the same function. The
 * convolutions carry hand-written gradients (conv2d.ts); the rest is tfjs autodiff. Training
 * may shift every example in time (rows) at each step, a cheap augmentation against the timing
 * differences between speakers.
 */
import * as tf from '@tensorflow/tfjs';
import { argmaxRows, concatenated, transposed, type Matrix } from '../../compute/matrix.ts';
import { adam, cosineSchedule } from '../../optim/adam.ts';
import type { CostAndGradient } from '../../optim/types.ts';
import { SflError } from '../../util/errors.ts';
import { fillUniform, mulberry32, shuffle, type Rng } from '../../util/random.ts';
import { conv2dFull, conv2dValid, maxPool2d, poolMask } from '../conv/conv2d.ts';
import type { LabelArray } from '../softmax/cost-parts.ts';
import { softmaxTrain } from '../softmax/softmax.ts';

export interface ConvAeShape {
  /** Rows of an input picture (audio: frames, time running down). */
  height: number;
  /** Columns (audio: bands, low frequency first). */
  width: number;
  channels: number;
  /** Feature maps of each layer, bottom first. */
  filters: number[];
  /** Kernel [rows, columns] (audio: [frames, bands]). */
  kernel: [number, number];
  /** Non-overlapping max-pooling region after each layer, [rows, columns]. */
  pool: [number, number];
  classes: number;
}

export interface LayerShape {
  /** Input of the layer: rows x columns x channels. */
  inH: number;
  inW: number;
  inC: number;
  /** Feature maps after the valid convolution. */
  convH: number;
  convW: number;
  /** After pooling: the next layer's input. */
  outH: number;
  outW: number;
  filters: number;
}

/** The size of every layer; an SflError that names the layer when the input is too small. */
export function layerShapes(s: ConvAeShape): LayerShape[] {
  const [kh, kw] = s.kernel, [ph, pw] = s.pool;
  for (const [name, v] of [['height', s.height], ['width', s.width], ['channels', s.channels], ['classes', s.classes], ['kernel rows', kh], ['kernel columns', kw], ['pool rows', ph], ['pool columns', pw]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new SflError(`convolutional autoencoder: ${name} must be a positive integer, got ${v}`);
  }
  if (s.filters.length === 0 || s.filters.some((f) => !Number.isInteger(f) || f < 1)) {
    throw new SflError(`convolutional autoencoder: filters must be positive integers, one per layer, got [${s.filters.join(', ')}]`);
  }
  const out: LayerShape[] = [];
  let h = s.height, w = s.width, c = s.channels;
  for (const [l, f] of s.filters.entries()) {
    const convH = h - kh + 1, convW = w - kw + 1;
    const outH = Math.floor(convH / ph), outW = Math.floor(convW / pw);
    if (outH < 1 || outW < 1) {
      const what = l === 0 ? `the ${h} x ${w} input` : `the ${h} x ${w} maps that layer ${l} passes up`;
      throw new SflError(
        `convolutional autoencoder: layer ${l + 1} does not fit: ${what} leave${l === 0 ? 's' : ''} ${Math.max(convH, 0)} x ${Math.max(convW, 0)} after a ` +
          `${kh} x ${kw} kernel, too small for ${ph} x ${pw} pooling; use a larger input (e.g. more frames), a smaller kernel or pool, or fewer layers`,
      );
    }
    out.push({ inH: h, inW: w, inC: c, convH, convW, outH, outW, filters: f });
    [h, w, c] = [outH, outW, f];
  }
  return out;
}

/** Values per example at the top of the encoder (the softmax's input size). */
export function featureSize(s: ConvAeShape): number {
  const top = layerShapes(s).at(-1)!;
  return top.outH * top.outW * top.filters;
}

// ---------------------------------------------------------------------------------------------
// Parameter layouts: one flat vector, tensors in this order, each row-major in its shape.

export interface ParamSpec {
  name: string;
  shape: number[];
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function paramCount(specs: ParamSpec[]): number {
  return specs.reduce((n, p) => n + sizeOf(p.shape), 0);
}

/** Autoencoder of one layer: [W (kh,kw,C,F), b (F), c (C)] and, untied, [V (kh,kw,C,F)]. */
export function autoencoderSpecs(s: ConvAeShape, layer: number, tied: boolean): ParamSpec[] {
  const l = layerShapes(s)[layer];
  const W = [s.kernel[0], s.kernel[1], l.inC, l.filters];
  return [{ name: 'W', shape: W }, { name: 'b', shape: [l.filters] }, { name: 'c', shape: [l.inC] }, ...(tied ? [] : [{ name: 'V', shape: W }])];
}

/** The classifier: [conv1/W, conv1/b, ..., convL/W, convL/b, softmax/W (D,K), softmax/b (K)]. */
export function classifierSpecs(s: ConvAeShape): ParamSpec[] {
  const layers = layerShapes(s);
  return [
    ...layers.flatMap((l, i) => [
      { name: `conv${i + 1}/W`, shape: [s.kernel[0], s.kernel[1], l.inC, l.filters] },
      { name: `conv${i + 1}/b`, shape: [l.filters] },
    ]),
    { name: 'softmax/W', shape: [featureSize(s), s.classes] },
    { name: 'softmax/b', shape: [s.classes] },
  ];
}

/** Views of `theta`'s parts, by name (no copies). */
export function unpack<T extends Float32Array | Float64Array>(theta: T, specs: ParamSpec[]): Record<string, T> {
  if (theta.length !== paramCount(specs)) throw new RangeError(`unpack: ${theta.length} parameters, the layout holds ${paramCount(specs)}`);
  const out: Record<string, T> = {};
  let at = 0;
  for (const p of specs) {
    const n = sizeOf(p.shape);
    out[p.name] = theta.subarray(at, at + n) as T;
    at += n;
  }
  return out;
}

function tensorsOf(theta: Float64Array | Float32Array, specs: ParamSpec[]): tf.Tensor[] {
  const parts = unpack(theta instanceof Float32Array ? theta : Float32Array.from(theta), specs);
  return specs.map((p) => tf.tensor(parts[p.name], p.shape));
}

/**
 * The cost and gradient of `lossOf(params)` at `theta`, the parameters laid out by `specs`.
 * All tensors made here are freed; the gradient comes back in float64, as the optimisers expect.
 */
export async function costAndGradient(theta: Float64Array, specs: ParamSpec[], lossOf: (params: tf.Tensor[]) => tf.Scalar): Promise<CostAndGradient> {
  const params = tensorsOf(theta, specs);
  try {
    const [value, flat] = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => lossOf(p))(params);
      return [value, tf.concat(grads.map((g) => tf.reshape(g, [-1])))];
    });
    const [cost, grad] = await Promise.all([value.data(), flat.data()]);
    tf.dispose([value, flat]);
    return { cost: cost[0], grad: Float64Array.from(grad) };
  } finally {
    tf.dispose(params);
  }
}

// ---------------------------------------------------------------------------------------------
// The forward passes.

/**
 * `h` with only the largest value of each non-overlapping ph x pw region kept, zeros elsewhere
 * (rows and columns past the last whole region are zeroed too, as pooling drops them). The
 * gradient passes through the kept positions only.
 */
export function keepPoolMax(h: tf.Tensor4D, pool: [number, number]): tf.Tensor4D {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = inputs as [tf.Tensor4D, tf.GradSaveFunc];
    const mask = tf.tidy(() => poolMask(x, tf.maxPool(x, pool, pool, 'valid'), pool));
    save([mask]);
    return {
      value: tf.mul(x, mask),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0])],
    };
  });
  return op(h) as tf.Tensor4D;
}

export interface ConvLayer {
  W: tf.Tensor;
  b: tf.Tensor;
}

/** One encoder layer: maxpool(relu(valid(a, W) + b)). `inputGradient` false for data (the first layer). */
function encodeLayer(a: tf.Tensor4D, p: ConvLayer, pool: [number, number], inputGradient: boolean): tf.Tensor4D {
  return tf.tidy(() => maxPool2d(tf.relu(tf.add(conv2dValid(a, p.W as tf.Tensor4D, inputGradient), p.b)) as tf.Tensor4D, pool));
}

export function encode(x: tf.Tensor4D, layers: ConvLayer[], pool: [number, number]): tf.Tensor4D {
  return tf.tidy(() => layers.reduce((a, p, i) => encodeLayer(a, p, pool, i > 0), x));
}

const sumSquares = (ts: tf.Tensor[]) => tf.addN(ts.map((t) => tf.sum(tf.square(t)))) as tf.Scalar;

export interface AutoencoderTensors extends ConvLayer {
  c: tf.Tensor;
  /** Decoder filters; absent: tied (the decoder uses W). */
  V?: tf.Tensor;
}

/**
 * The reconstruction a^ of a layer's input from `input` (the clean or corrupted input): the
 * full convolution of the max-only hidden maps, plus the decoder bias.
 */
function reconstruct(input: tf.Tensor4D, p: AutoencoderTensors, pool: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const h = tf.relu(tf.add(conv2dValid(input, p.W as tf.Tensor4D, false), p.b)) as tf.Tensor4D;
    return tf.add(conv2dFull(keepPoolMax(h, pool), (p.V ?? p.W) as tf.Tensor4D), p.c) as tf.Tensor4D;
  });
}

/** J = 1/(2N) sum ||a^ - a||^2 + weightDecay/2 (||W||^2 [+ ||V||^2]); a^ reconstructed from `input`. */
export function reconstructionCost(clean: tf.Tensor4D, input: tf.Tensor4D, p: AutoencoderTensors, pool: [number, number], weightDecay: number): tf.Scalar {
  return tf.tidy(() => {
    const err = tf.div(tf.sum(tf.square(tf.sub(reconstruct(input, p, pool), clean))), 2 * clean.shape[0]);
    return tf.add(err, tf.mul(weightDecay / 2, sumSquares(p.V ? [p.W, p.V] : [p.W]))) as tf.Scalar;
  });
}

export interface ClassifierTensors {
  layers: ConvLayer[];
  W: tf.Tensor;
  b: tf.Tensor;
}

export function classifierTensors(params: tf.Tensor[]): ClassifierTensors {
  const L = (params.length - 2) / 2;
  return { layers: Array.from({ length: L }, (_, i) => ({ W: params[2 * i], b: params[2 * i + 1] })), W: params[2 * L], b: params[2 * L + 1] };
}

function logits(x: tf.Tensor4D, p: ClassifierTensors, pool: [number, number]): tf.Tensor2D {
  return tf.tidy(() => {
    const a = encode(x, p.layers, pool);
    return tf.add(tf.matMul(tf.reshape(a, [x.shape[0], -1]), p.W), p.b) as tf.Tensor2D;
  });
}

/** Mean cross-entropy of one-hot `y` + weightDecay/2 (sum ||W_l||^2 + ||Ws||^2). */
export function classifierCost(x: tf.Tensor4D, y: tf.Tensor2D, p: ClassifierTensors, pool: [number, number], weightDecay: number): tf.Scalar {
  return tf.tidy(() => {
    const ce = tf.losses.softmaxCrossEntropy(y, logits(x, p, pool));
    return tf.add(ce, tf.mul(weightDecay / 2, sumSquares([...p.layers.map((l) => l.W), p.W]))) as tf.Scalar;
  });
}

// ---------------------------------------------------------------------------------------------
// A trained network and its use.

export interface ConvAeModel {
  shape: ConvAeShape;
  /** Classifier parameters, laid out by classifierSpecs(shape). */
  theta: Float32Array;
}

function withModel<T>(model: ConvAeModel, f: (p: ClassifierTensors) => T): T {
  const params = tensorsOf(model.theta, classifierSpecs(model.shape));
  try {
    return f(classifierTensors(params));
  } finally {
    tf.dispose(params);
  }
}

/** `x` [N, H, W, C] in blocks of `block` examples, so no block's feature maps fill the memory. */
function inBlocks(x: tf.Tensor4D, block: number, f: (xb: tf.Tensor4D) => tf.Tensor2D): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < x.shape[0]; i += block) {
    const t = tf.tidy(() => f(tf.slice(x, [i, 0, 0, 0], [Math.min(block, x.shape[0] - i), -1, -1, -1])));
    out.push(t.dataSync() as Float32Array);
    t.dispose();
  }
  return out;
}

/** Class scores (N x classes) of every example of `x`. */
function convAeScores(model: ConvAeModel, x: tf.Tensor4D, block = 250): Matrix {
  const data = withModel(model, (p) => concatenated(inBlocks(x, block, (xb) => logits(xb, p, model.shape.pool))));
  return { data, rows: x.shape[0], cols: model.shape.classes };
}

/** Class probabilities (N x classes, rows summing to 1) of every example of `x`: the softmax of its scores. */
export function convAeProbabilities(model: ConvAeModel, x: tf.Tensor4D, block = 250): Matrix {
  const S = convAeScores(model, x, block);
  for (let i = 0; i < S.rows; i++) {
    const row = S.data.subarray(i * S.cols, (i + 1) * S.cols);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (let j = 0; j < row.length; j++) sum += row[j] = Math.exp(row[j] - max);
    for (let j = 0; j < row.length; j++) row[j] /= sum;
  }
  return S;
}

export function convAePredict(model: ConvAeModel, x: tf.Tensor4D, block = 250): Int32Array {
  const s = convAeScores(model, x, block);
  return argmaxRows(s.data, s.rows, s.cols);
}

/** The first layer's filters, one row per filter, kh x kw x C values row-major (audio: time-major frames x bands). */
export function firstLayerFilters(model: ConvAeModel): Matrix {
  const l = layerShapes(model.shape)[0];
  const [kh, kw] = model.shape.kernel;
  const W = unpack(model.theta, classifierSpecs(model.shape))['conv1/W'];
  const cols = kh * kw * l.inC;
  const data = new Float32Array(l.filters * cols);
  // W[p, q, c, o] -> row o, column (p * kw + q) * C + c.
  for (let i = 0; i < cols; i++) for (let o = 0; o < l.filters; o++) data[o * cols + i] = W[i * l.filters + o];
  return { data, rows: l.filters, cols };
}

// ---------------------------------------------------------------------------------------------
// Training.

export interface ConvAeTrainOptions {
  shape: ConvAeShape;
  /** Adam epochs of each layer's autoencoder (0: random filters, no pretraining). */
  pretrainEpochs: number;
  /** Adam epochs of the whole network (0: no fine-tuning). */
  fineTuneEpochs: number;
  batchSize: number;
  /** Adam's first step size in every stage, annealed to 0 along a cosine over the stage's steps. */
  learningRate: number;
  /** Fraction of each autoencoder's input values set to 0 while it trains (denoising). */
  corruption: number;
  /**
   * Every Adam step moves each example of its minibatch by a random whole number of rows in
   * [-shift, shift] (audio: frames, so in time), filling the rows it leaves with `shiftFill`
   * (default 0). 0: no shifting. The softmax stage sees the examples as they are.
   */
  shift?: number;
  shiftFill?: number;
  /** weightDecay: weight decay of every stage but the softmax, which has its own. */
  weightDecay: number;
  tied: boolean;
  /** The softmax trained by L-BFGS on the pretrained features (before fine-tuning). */
  softmax: { weightDecay: number; maxIter: number };
  seed: number;
  /** Reports: a stage starts (with its number of steps) or ends; one step of it is done. */
  onStage?: (e: { stage: string; phase: 'start' | 'end'; steps: number }) => void;
  onStep?: (stage: string, done: number, cost: number) => void;
}

export interface ConvAeTrainResult {
  /** The encoder as pretrained, with the softmax trained on its features. */
  pretrained: ConvAeModel;
  /** After fine-tuning (the same object as `pretrained` when fineTuneEpochs is 0). */
  model: ConvAeModel;
  /** Mean minibatch cost per epoch of each Adam stage ('layer 1', ..., 'fine-tune'); the softmax's cost per L-BFGS iteration. */
  history: Record<string, number[]>;
  seconds: Record<string, number>;
}

/** Uniform in +-sqrt(6 / (fanIn + fanOut)), fanOut counting the pooling (as lenet.ts and the tutorials do). */
function initFilters(rng: Rng, out: Float64Array, s: ConvAeShape, l: LayerShape): void {
  const k = s.kernel[0] * s.kernel[1];
  const bound = Math.sqrt(6 / (k * l.inC + (k * l.filters) / (s.pool[0] * s.pool[1])));
  fillUniform(rng, out, -bound, bound);
}

export function initAutoencoder(s: ConvAeShape, layer: number, tied: boolean, seed: number): Float64Array {
  const specs = autoencoderSpecs(s, layer, tied);
  const theta = new Float64Array(paramCount(specs));
  const p = unpack(theta, specs);
  const rng = mulberry32(seed);
  const l = layerShapes(s)[layer];
  initFilters(rng, p.W, s, l);
  if (!tied) initFilters(rng, p.V, s, l);
  return theta;
}

/**
 * Trains on `x` [N, H, W, C] (owned by the caller) with class indices `labels`: each layer's
 * denoising autoencoder in turn (Adam), a softmax on the top features (L-BFGS), then the whole
 * network (Adam). Minibatches are drawn from a fresh shuffle of the examples every epoch; the
 * step size of each Adam stage falls from learningRate to 0 along a cosine.
 */
export async function trainConvAe(x: tf.Tensor4D, labels: LabelArray, o: ConvAeTrainOptions): Promise<ConvAeTrainResult> {
  const s = o.shape;
  const n = x.shape[0];
  const layers = layerShapes(s);
  if (x.shape[1] !== s.height || x.shape[2] !== s.width || x.shape[3] !== s.channels) {
    throw new SflError(`convolutional autoencoder: the data are ${x.shape.slice(1).join(' x ')}, the network expects ${s.height} x ${s.width} x ${s.channels}`);
  }
  if (labels.length !== n) throw new SflError(`convolutional autoencoder: ${labels.length} labels for ${n} examples`);
  if (!(o.corruption >= 0 && o.corruption < 1)) throw new SflError(`convolutional autoencoder: corruption must be in [0, 1), got ${o.corruption}`);
  const B = Math.min(o.batchSize, n);
  const batches = Math.ceil(n / B);
  const rng = mulberry32(o.seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const history: Record<string, number[]> = {};
  const seconds: Record<string, number> = {};

  /** Runs one Adam stage; batch b of an epoch is rows order[b*B ..] of the current shuffle. */
  const shift = o.shift ?? 0;
  if (!(Number.isInteger(shift) && shift >= 0)) throw new SflError(`convolutional autoencoder: shift must be a whole number of rows >= 0, got ${shift}`);
  // For shifted minibatches: the examples with `shift` rows of fill above and below, as one list of rows.
  const H2 = s.height + 2 * shift;
  const padded = shift > 0
    ? tf.tidy(() => tf.reshape(tf.pad(x, [[0, 0], [shift, shift], [0, 0], [0, 0]], o.shiftFill ?? 0), [n * H2, s.width, s.channels]))
    : null;
  /** The examples `rows` of x (each moved by its own random shift when shift > 0). */
  const batchOf = (rows: Int32Array): tf.Tensor4D => {
    if (!padded) return tf.tidy(() => tf.gather(x, tf.tensor1d(rows, 'int32')));
    const at = new Int32Array(rows.length * s.height);
    rows.forEach((r, i) => {
      const from = r * H2 + Math.floor(rng() * (2 * shift + 1));
      for (let t = 0; t < s.height; t++) at[i * s.height + t] = from + t;
    });
    return tf.tidy(() => tf.reshape(tf.gather(padded, tf.tensor1d(at, 'int32')), [rows.length, s.height, s.width, s.channels]));
  };

  const adamStage = async (stage: string, theta0: Float64Array, epochs: number, cost: (theta: Float64Array, rows: Int32Array) => Promise<CostAndGradient>) => {
    const t0 = performance.now();
    history[stage] = [];
    shuffle(rng, order);
    o.onStage?.({ stage, phase: 'start', steps: epochs * batches });
    let done = 0;
    try {
      const r = await adam(
        async (theta, b) => {
          const res = await cost(theta, order.slice(b * B, Math.min(n, (b + 1) * B)));
          o.onStep?.(stage, ++done, res.cost);
          return res;
        },
        theta0,
        {
          batchesPerEpoch: batches,
          epochs,
          learningRate: o.learningRate,
          schedule: cosineSchedule,
          seed: o.seed,
          onEpoch: (e) => {
            history[stage].push(e.meanCost);
            shuffle(rng, order);
          },
        },
      );
      if (r.stopReason === 'nonFinite') throw new SflError(`convolutional autoencoder, ${stage}: ${r.message}`);
      return r.theta;
    } finally {
      seconds[stage] = (performance.now() - t0) / 1000;
      o.onStage?.({ stage, phase: 'end', steps: epochs * batches });
    }
  };

  try {
    // Greedy layer-wise pretraining. Lower layers are frozen: the batch is encoded by them first.
    const convs: { W: Float32Array; b: Float32Array }[] = [];
    for (let l = 0; l < layers.length; l++) {
      const specs = autoencoderSpecs(s, l, o.tied);
      let theta = initAutoencoder(s, l, o.tied, o.seed + 1000 * (l + 1));
      if (o.pretrainEpochs > 0) {
        const lower = convs.map((c, i) => ({ W: tf.tensor(c.W, [s.kernel[0], s.kernel[1], layers[i].inC, layers[i].filters]), b: tf.tensor(c.b) }));
        try {
          theta = await adamStage(`layer ${l + 1}`, theta, o.pretrainEpochs, (th, rows) => {
            const clean = tf.tidy(() => encode(batchOf(rows), lower, s.pool));
            const input = o.corruption > 0 ? tf.tidy(() => tf.mul(clean, tf.step(tf.sub(tf.randomUniform(clean.shape, 0, 1, 'float32', Math.floor(rng() * 2 ** 31)), o.corruption)))) : clean;
            return costAndGradient(th, specs, (p) => {
              const [W, b, c, V] = p;
              return reconstructionCost(clean, input as tf.Tensor4D, { W, b, c, V }, s.pool, o.weightDecay);
            }).finally(() => tf.dispose(input === clean ? [clean] : [clean, input]));
          });
        } finally {
          tf.dispose(lower.flatMap((c) => [c.W, c.b]));
        }
      }
      const p = unpack(theta, specs);
      convs.push({ W: Float32Array.from(p.W), b: Float32Array.from(p.b) });
    }

    // The softmax on the pretrained features (L-BFGS, as in the stacked autoencoder).
    const specs = classifierSpecs(s);
    const pre = new Float32Array(paramCount(specs));
    const parts = unpack(pre, specs);
    convs.forEach((c, i) => {
      parts[`conv${i + 1}/W`].set(c.W);
      parts[`conv${i + 1}/b`].set(c.b);
    });
    let t0 = performance.now();
    const encoder = { shape: s, theta: pre };
    const features = withModel(encoder, (p) => concatenated(inBlocks(x, 250, (xb) => tf.reshape(encode(xb, p.layers, s.pool), [xb.shape[0], -1]) as tf.Tensor2D)));
    const D = featureSize(s);
    history.softmax = [];
    o.onStage?.({ stage: 'softmax', phase: 'start', steps: o.softmax.maxIter });
    const sm = await softmaxTrain({ data: features, rows: n, cols: D }, labels, { numClasses: s.classes, weightDecay: o.softmax.weightDecay }, {
      maxIter: o.softmax.maxIter,
      seed: o.seed,
      onIteration: (info) => {
        history.softmax.push(info.cost);
        o.onStep?.('softmax', info.iter, info.cost);
      },
    });
    o.onStage?.({ stage: 'softmax', phase: 'end', steps: o.softmax.maxIter });
    // SoftmaxModel keeps W as K x D; the network's layer is D x K.
    const K = s.classes;
    parts['softmax/W'].set(transposed(sm.weights, K, D));
    parts['softmax/b'].set(sm.biases);
    seconds.softmax = (performance.now() - t0) / 1000;
    const pretrained: ConvAeModel = { shape: s, theta: pre };
    if (o.fineTuneEpochs === 0) return { pretrained, model: pretrained, history, seconds };

    // Fine-tuning of everything.
    const yAll = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), K).toFloat() as tf.Tensor2D);
    try {
      t0 = performance.now();
      const theta = await adamStage('fine-tune', Float64Array.from(pre), o.fineTuneEpochs, (th, rows) => {
        const [xb, yb] = tf.tidy(() => [batchOf(rows), tf.gather(yAll, tf.tensor1d(rows, 'int32'))]) as [tf.Tensor4D, tf.Tensor2D];
        return costAndGradient(th, specs, (p) => classifierCost(xb, yb, classifierTensors(p), s.pool, o.weightDecay)).finally(() => tf.dispose([xb, yb]));
      });
      return { pretrained, model: { shape: s, theta: Float32Array.from(theta) }, history, seconds };
    } finally {
      yAll.dispose();
    }
  } finally {
    padded?.dispose();
  }
}
