/**
 * The spectrogram as ONNX operators, for graphs that start from audio samples
 * (the exported pipeline). Every SpectrumParams setting has an operator form:
 *
 *   x  mono samples, [n]
 *   framing  center: Pad N/2 each end (zeros or reflection); else zeros at the end up to
 *            (T - 1) hop + N samples, T = 1 + ceil(max(0, n - N) / hop)   (frames.ts' rule)
 *   frames   one Gather of the padded signal: frame t = padded[t hop .. t hop + N), times the window
 *            in float32 (frames.ts' rounding), then float64 from here to the end
 *   DFT      MatMul by the N x 2 (N/2 + 1) matrix of cos(2 pi k j / N) and -sin(2 pi k j / N)
 *   |X|^2 (or |X|)
 *   trimDb   frame energies sum_j (w[j] x[t hop + j])^2; the rows from the first to the last frame
 *            within trimDb of the loudest (ArgMax of the mask from either end) are kept: a Slice
 *   fft (the bins in fMin..fMax: a Slice) | mel | bark (MatMul by the filterbank) [| ^0.23] | mfcc (ln, MatMul by the DCT-II basis)
 *   | cepstrum (ln(|X| + 1e-10), MatMul by the inverse real DFT's first rows, of the bins up to fMax)
 *   log: ln(x + 1e-10) or 10 log10(max(x, 1e-10)) [raised to max - topDb]
 *   meanNormalise: minus each column's mean over the frames
 *
 * Framing through the filterbank (or the DCT) runs in blocks of frames (compute/onnx/block-loop.ts'
 * blockLoop), so a long recording's frames, DFT and power are never all held at once.
 *
 * ONNX's STFT operator (opset 17; onnxruntime-node 1.30 runs it) and a strided float32 Conv were
 * tried first: on a spoken digit both gave the power of quiet bins only within a relative 3e-4 of
 * sfl's float64 FFT; the float64 DFT matrix matches the spectrogram to within 1e-6 of its range
 * (test/audio/spectrogram-onnx.test.ts), for every transform, short recordings included.
 */
import { binCount } from './fft.ts';
import { barkFilterbank, LOUDNESS_EXPONENT } from './bark.ts';
import { cepstrumBasis } from './cepstrum.ts';
import { dctRows } from './dct.ts';
import { denseFilterbank, type SparseFilterbank } from './filterbank.ts';
import { melFilterbank } from './mel.ts';
import { DB_AMIN, LOG_FLOOR } from './scale.ts';
import { spectrumBins, validateSpectrumParams, type SpectrumParams } from './spectrogram.ts';
import { getWindow } from './window.ts';
import { matrix, transposed } from '../compute/matrix.ts';
import { dataType, type GraphBuilder } from '../compute/onnx/graph-builder.ts';
import { blockLoop, type BlockOutput } from '../compute/onnx/block-loop.ts';

/** The filterbank's transpose, bins x bands, for MatMul on the right of a frames x bins spectrum. */
function filterbankMatrix(fb: SparseFilterbank): Float64Array {
  return transposed(denseFilterbank(fb).data, fb.bands, fb.bins, Float64Array);
}

/** The DCT-II (ortho) as a size x coefficients matrix: dctRows of the identity (its rows are the basis read off). */
function dctMatrix(size: number, coefficients: number): Float64Array {
  const I = matrix(size, size);
  for (let i = 0; i < size; i++) I.data[i * size + i] = 1;
  return Float64Array.from(dctRows(I, coefficients).data);
}

/**
 * The real cepstrum's first `coefficients` quefrencies from the one-sided log-magnitudes L_0 .. L_{N/2},
 * of the bins up to K (cepstrum.ts realCepstrum; K = N/2 is the whole spectrum):
 * c[q] = (L_0 + (-1)^q L_K + 2 sum_{0<k<K} L_k cos(pi k q / K)) / (2K), as a bins x coefficients
 * matrix whose rows above K are zero.
 */
function cepstrumMatrix(N: number, coefficients: number, K: number): Float64Array {
  const out = new Float64Array(binCount(N) * coefficients);
  out.set(cepstrumBasis(K, coefficients));
  return out;
}

/** The DFT as an N x 2 bins matrix: cos(2 pi k j / N) in column k, -sin(2 pi k j / N) in column bins + k. */
function dftMatrix(N: number): Float64Array {
  const bins = binCount(N);
  const M = new Float64Array(N * 2 * bins);
  for (let j = 0; j < N; j++) {
    for (let k = 0; k < bins; k++) {
      const a = (2 * Math.PI * ((k * j) % N)) / N; // the product reduced mod N keeps the angle exact
      M[j * 2 * bins + k] = Math.cos(a);
      M[j * 2 * bins + bins + k] = -Math.sin(a);
    }
  }
  return M;
}

/** At most this many bytes of a block's per-frame float64 arrays (a few thousand frames). */
export const FRAME_BLOCK_BYTES = 2 ** 24;

/**
 * Adds the spectrogram of the 1-D float32 samples `x` (at least p.frameSize of them, at
 * p.sampleRate) to `g`; returns the name of its [frames, spectrumWidth(p)] value (audio/spectrogram.ts),
 * float32, or float64 (as computed) for a graph that goes on in float64. `frameBlock` sets the
 * frames per block (tests use a small one to run several blocks on a short recording).
 */
export function spectrogramGraph(g: GraphBuilder, x: string, p: SpectrumParams, type: 'float32' | 'float64' = 'float32', frameBlock?: number): string {
  validateSpectrumParams(p);
  const N = p.frameSize, hop = p.hop, bins = binCount(N), kept = spectrumBins(p);
  const i64 = (v: number): string => g.ints([v]);
  const window = getWindow(p.window, N);
  const f64 = (v: number): string => g.scalar(v, 'float64');

  // Framing: the padded signal, then frame t = padded[t hop .. t hop + N) by one Gather.
  let padded: string;
  if (p.center) {
    padded = g.op('Pad', [x, g.ints([N / 2, N / 2])], { mode: p.padMode === 'reflect' ? 'reflect' : 'constant' });
  } else {
    const n = g.op('Shape', [x]); // [1]
    // T - 1 = ceil(max(0, n - N) / hop) = floor((max(0, n - N) + hop - 1) / hop)
    const steps = g.op('Div', [g.op('Add', [g.op('Max', [g.op('Sub', [n, i64(N)]), i64(0)]), i64(hop - 1)]), i64(hop)]);
    const extra = g.op('Sub', [g.op('Add', [g.op('Mul', [steps, i64(hop)]), i64(N)]), n]);
    padded = g.op('Pad', [x, g.op('Concat', [i64(0), extra], { axis: 0 })]);
  }
  // T = 1 + floor((padded length - N) / hop): frames.ts' count either way.
  const T = g.op('Add', [g.op('Div', [g.op('Sub', [g.op('Shape', [padded]), i64(N)]), i64(hop)]), i64(1)]);
  const offsets = g.ints(Array.from({ length: N }, (_, j) => j));
  const windowValues = g.constant('window', Float32Array.from(window), [N]);
  const lnFloor = (b: GraphBuilder, v: string): string => b.op('Log', [b.op('Add', [v, f64(LOG_FLOOR)])]);
  const bank = { sampleRate: p.sampleRate, frameSize: N, bands: p.bands, fMin: p.fMin, fMax: p.fMax };
  const mel = (b: GraphBuilder, spec: string): string =>
    b.op('MatMul', [spec, g.constant('mel_filterbank', filterbankMatrix(melFilterbank({ ...bank, scale: p.melScale, norm: p.melNorm })), [bins, p.bands])]);

  // Everything up to the log is per frame; it runs in blocks of frames (blockLoop), since its arrays
  // are frameSize or more float64 values per frame: a whole long recording's at once took hundreds of
  // megabytes. Trimming, the dB floor and the mean need the whole recording: they come after.
  const [perFrame, frameEnergy] = blockLoop(g, T, frameBlock ?? Math.floor(FRAME_BLOCK_BYTES / (8 * 2 * (bins + 1))), (b, rows) => {
    const index = b.op('Add', [b.op('Unsqueeze', [b.op('Mul', [rows, i64(hop)]), g.ints([1])]), offsets]); // size x N
    // Windowed in float32 as frames.ts does (the same rounding), then float64 from here on.
    const frames = b.op('Cast', [b.op('Mul', [b.op('Gather', [padded, index]), windowValues])], { to: dataType('float64') });
    // DFT: [size, N] x [N, 2 bins] -> re, im -> power (or magnitude) [size, bins].
    const reIm = b.op('MatMul', [frames, g.constant('dft', dftMatrix(N), [N, 2 * bins])]);
    const squares = b.op('Reshape', [b.op('Mul', [reIm, reIm]), g.ints([-1, 2, bins])]);
    const power = b.op('ReduceSum', [squares, g.ints([1])], { keepdims: 0 });
    const magnitude = (): string => b.op('Sqrt', [power]);
    const spec = p.transform === 'cepstrum' ? magnitude() : p.power ? power : magnitude();
    let R: string, width: number;
    switch (p.transform) {
      case 'fft':
        // Only the bins in fMin .. fMax (spectrumBins), as the spectrogram keeps.
        R = kept.first === 0 && kept.last === bins - 1 ? spec : b.op('Slice', [spec, g.ints([kept.first]), g.ints([kept.last + 1]), g.ints([1])]);
        width = kept.last - kept.first + 1;
        break;
      case 'mel':
        R = mel(b, spec);
        width = p.bands;
        break;
      case 'bark':
        R = b.op('MatMul', [spec, g.constant('bark_filterbank', filterbankMatrix(barkFilterbank(bank)), [bins, p.bands])]);
        if (p.specificLoudness) R = b.op('Pow', [R, f64(LOUDNESS_EXPONENT)]);
        width = p.bands;
        break;
      case 'mfcc':
        R = b.op('MatMul', [lnFloor(b, mel(b, spec)), g.constant('dct_basis', dctMatrix(p.bands, p.coefficients), [p.bands, p.coefficients])]);
        width = p.coefficients;
        break;
      case 'cepstrum':
        R = b.op('MatMul', [lnFloor(b, spec), g.constant('cepstrum_basis', cepstrumMatrix(N, p.coefficients, kept.last), [bins, p.coefficients])]);
        width = p.coefficients;
        break;
    }
    const outs: BlockOutput[] = [{ value: R, type: 'float64', dims: ['block', width] }];
    if (p.trimDb != null) {
      outs.push({ value: b.op('ReduceSum', [b.op('Mul', [frames, frames]), g.ints([1])], { keepdims: 0 }), type: 'float64', dims: ['block'] });
    }
    return outs;
  });

  const compress = (v: string): string => {
    if (!p.log) return v;
    if (p.logScale === 'ln') return lnFloor(g, v);
    const db = g.op('Mul', [g.op('Log', [g.op('Max', [v, f64(DB_AMIN)])]), f64(10 / Math.LN10)]);
    if (p.topDb == null) return db;
    // the floor is max - topDb over the whole recording (librosa.power_to_db's top_db)
    return g.op('Max', [db, g.op('Sub', [g.op('ReduceMax', [db], { keepdims: 0 }), f64(p.topDb)])]);
  };
  let S = perFrame;
  if (p.trimDb != null) {
    // Frame energies sum_j (w[j] x[t hop + j])^2; the rows from the first to the last loud frame.
    const threshold = g.op('Mul', [g.op('ReduceMax', [frameEnergy], { keepdims: 1 }), f64(10 ** (-p.trimDb / 10))]);
    const loud = g.op('Cast', [g.op('Not', [g.op('Less', [frameEnergy, threshold])])], { to: dataType('float32') }); // 1 where loud
    const start = g.op('ArgMax', [loud], { axis: 0, keepdims: 1 }); // the first loud frame
    const end = g.op('Add', [g.op('ArgMax', [loud], { axis: 0, keepdims: 1, select_last_index: 1 }), i64(1)]);
    S = g.op('Slice', [S, start, end, i64(0)]);
  }
  if (p.transform === 'fft' || p.transform === 'mel' || p.transform === 'bark') S = compress(S);
  if (p.meanNormalise) S = g.op('Sub', [S, g.op('ReduceMean', [S], { axes: [0], keepdims: 1 })]);
  return type === 'float64' ? S : g.op('Cast', [S], { to: dataType('float32') });
}
