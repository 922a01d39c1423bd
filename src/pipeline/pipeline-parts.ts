/**
 * A trained audio pipeline taken apart into the numbers an exporter writes: the one derivation
 * that the ONNX export (onnx-export.ts) and the TensorFlow.js export (tfjs-export.ts) share, so that
 * both files describe the same front end and the same networks.
 *
 *   samples at spectrum.sampleRate
 *     -> spectrogram with `spectrum` (every setting filled in: framing, window shape, transform,
 *        filterbank, log, trimming, mean normalisation)                      T x spectrumWidth
 *     -> padded to K frames by repeating the last; every K-frame window, hop 1 frame, flattened
 *        time-major (index = frame * bands + band), bands = windows.bands       n x (K * bands)
 *        (conv runs: windows.bands < the spectrum's width, the filters slide over frequency too)
 *     -> preprocess  z = stages(x)  (the fitted normalisation and whitening)     n x outDim
 *     -> encoder     a = sigmoid(W1 z + b1)                                    n x hidden
 *        (filters: the same two steps folded into one, sigmoid(F x + b))
 *     -> conv runs: pooled over frequency offsets (conv.frequencyPool)
 *     -> pooled over time (pool: method, segments)                              width
 *     -> speaker runs: standardised with the statistics of the speaker's recordings
 *     -> classifier  softmax(W (f - mean) / std + b)
 *        (folded: softmax(f kernel + bias), kernel width x k: the standardisation folded in)
 */
import type { SpectrumParams } from '../audio/spectrogram.ts';
import type { PreprocessOptions, PreprocessStage } from '../features/preprocess.ts';
import { pooledWidth, type PoolMethod } from '../features/pooling.ts';
import { foldFilters, type ConvFilters } from '../models/conv/convolve.ts';
import { hiddenFromLength, unpackParams } from '../models/sae/sparse-autoencoder.ts';
import { SflError } from '../util/errors.ts';
import type { AudioClassifierPipeline } from './audio-classifier.ts';
import { convFeatureWidth, type ConvSettings } from './recording-features.ts';
import { savedSpectrum } from './trained-run.ts';

export interface PipelineParts {
  /** The spectrum settings, every one present (a run saved before a setting existed gets the value it computed with). */
  spectrum: SpectrumParams;
  /** Window height K (frames) and width (bands a filter spans; the spectrum's width unless a conv band patch). */
  windows: { frames: number; bands: number };
  /**
   * The fitted normalisation and whitening, read from the fitted state in float64, as the stages
   * transform applies (affine maps, and rescale01's clip): inDim window values in, outDim out.
   */
  preprocess: { settings: PreprocessOptions; stages: PreprocessStage[]; inDim: number; outDim: number };
  /** The autoencoder's encoder: a = sigmoid(W1 z + b1), W1 row-major hidden x outDim. */
  encoder: { hidden: number; W1: Float64Array; b1: Float64Array };
  /**
   * preprocess and encoder folded into one filter per unit on the raw window: a = sigmoid(F x + b),
   * as sfl's convolution features compute them (models/conv/convolve.ts; without rescale01's clip).
   */
  filters: ConvFilters;
  /** Features by convolution over frequency (sfl conv); null: every whole-band window encoded. */
  conv: ConvSettings | null;
  /** Pooling over time, defaults filled in. */
  pool: { method: PoolMethod; segments: number };
  /** Length of a recording's pooled vector (the classifier's input). */
  width: number;
  /** 'speaker': pooled vectors standardised with the statistics of their speaker's recordings first. */
  standardise: 'training' | 'speaker';
  classifier: {
    classNames: string[];
    /** The standardisation of pooled vectors (training statistics). */
    mean: Float64Array;
    std: Float64Array;
    /** Softmax weights, row-major k x width, and biases (zeros when it has none). */
    weights: Float64Array;
    biases: Float64Array;
    /** The standardisation folded into the softmax: softmax(f kernel + bias), kernel row-major width x k. */
    folded: { kernel: Float64Array; bias: Float64Array };
  };
}

/** The parts of a trained audio pipeline (see the file comment). */
export function pipelineParts(p: AudioClassifierPipeline): PipelineParts {
  if (p.sae.input.kind !== 'spectro-temporal') throw new SflError('the pipeline\'s autoencoder was not trained on spectral windows');
  const { frames: K, bands } = p.sae.input;
  const inDim = K * bands, outDim = p.sae.preprocessor.outputDim;
  const hidden = hiddenFromLength(p.sae.theta.length, outDim);
  const { W1, b1 } = unpackParams(p.sae.theta, outDim, hidden);
  const pool = { method: p.pool.method ?? 'mean', segments: p.pool.segments ?? 1 };
  const conv = p.conv ?? null;
  const width = conv ? convFeatureWidth(p.sae, pool, conv) : pooledWidth(hidden, pool);

  const sm = p.classifier.softmax, st = p.classifier.standardiser;
  if (sm.inputSize !== width) throw new SflError(`the classifier takes ${sm.inputSize} features, the pooling gives ${width}`);
  const k = sm.numClasses;
  const mean = st.mean_!, std = st.std_!;
  // softmax(W ((f - m) / s) + b) = softmax(f (W / s)^T + (b - W (m / s))).
  const kernel = new Float64Array(width * k), bias = Float64Array.from(sm.biases);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < width; i++) {
      const w = sm.weights[j * width + i] / std[i];
      kernel[i * k + j] = w;
      bias[j] -= w * mean[i];
    }
  }
  return {
    spectrum: savedSpectrum(p.spectrum),
    windows: { frames: K, bands },
    preprocess: { settings: p.sae.preprocessor.options, stages: p.sae.preprocessor.stages(), inDim, outDim },
    encoder: { hidden, W1: Float64Array.from(W1), b1: Float64Array.from(b1) },
    filters: foldFilters(p.sae.preprocessor, p.sae.theta, K, bands),
    conv,
    pool,
    width,
    standardise: p.standardise ?? 'training',
    classifier: {
      classNames: p.classifier.classNames,
      mean: Float64Array.from(mean),
      std: Float64Array.from(std),
      weights: Float64Array.from(sm.weights),
      biases: Float64Array.from(sm.biases),
      folded: { kernel, bias },
    },
  };
}
