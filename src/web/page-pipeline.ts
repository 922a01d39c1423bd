/**
 * The trained pipeline as the page runs it: the front end in the same TypeScript as Node's
 * (spectrogram, windows, pooling, segments over time) and the networks as TensorFlow.js
 * LayersModels, read from what `sfl export --tfjs` writes (frontend.json, encoder/, classifier/):
 *
 *   samples at spectrum.sampleRate -> spectrogram (frames x bands)
 *     -> every window of K frames, hop 1, time-major (a recording shorter than K frames padded)
 *     -> encoder/ (normalisation and whitening, then the learned features): windows x hidden
 *     -> pooled over the recording's windows (frontend.json pooling) -> classifier/ -> probabilities
 *
 * A recording longer than one segment is also labelled segment by segment, with the segments of
 * `sfl classify` (pipeline/segments.ts), each classified as a file of its own.
 */
import * as tf from '@tensorflow/tfjs';
import type { SpectrumParams } from '../audio/spectrogram.ts';
import { spectrogram } from '../audio/spectrogram-stream.ts';
import type { Matrix } from '../compute/matrix.ts';
import { padToFrames } from '../features/fixed-length.ts';
import { poolRecordings, type PoolOptions } from '../features/pooling.ts';
import { allWindows } from '../features/sampler.ts';
import { DEFAULT_SEGMENT_SECONDS, segmentRanges } from '../pipeline/segments.ts';
import { SflError } from '../util/errors.ts';

/** The parts of frontend.json the page reads (see pipeline/tfjs-export.ts for the whole). */
export interface FrontendDescription {
  format: 'sfl-frontend';
  spectrum: SpectrumParams;
  windows: { frames: number; bands: number };
  pooling: PoolOptions;
  classNames: string[];
}

/** frontend.json checked: the page runs the pipelines whose front end it knows, and says so in a sentence otherwise. */
export function checkFrontend(json: unknown, where: string): FrontendDescription {
  const j = json as Partial<FrontendDescription> | null;
  if (!j || j.format !== 'sfl-frontend') throw new SflError('not an sfl front end description (its "format" is not "sfl-frontend")', where);
  if (!j.spectrum || !(j.spectrum.sampleRate > 0)) throw new SflError('it gives no spectrum settings with a sample rate', where);
  if (!j.windows || !Number.isInteger(j.windows.frames) || !Number.isInteger(j.windows.bands)) {
    throw new SflError('it gives no window size (windows.frames and windows.bands); this page runs models that encode windows of frames', where);
  }
  if (!Array.isArray(j.classNames) || j.classNames.length < 2) throw new SflError('it names no classes: the model does not classify', where);
  return j as FrontendDescription;
}

export interface SegmentResult {
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
  label: string;
  /** Every class's probability, in classNames order. */
  probabilities: number[];
}

export interface RecordingResult {
  seconds: number;
  label: string;
  probabilities: number[];
  /** Labels over time; one entry (the whole recording) when it is no longer than one segment. */
  segments: SegmentResult[];
  /** The whole recording's spectrogram (frames x bands), for drawing. */
  spectrogram: Matrix;
}

/** Index of the largest value (the first of equal ones, as Node's argmaxRows). */
function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export class PagePipeline {
  readonly classNames: string[];
  readonly sampleRate: number;

  constructor(
    readonly frontend: FrontendDescription,
    private readonly encoder: tf.LayersModel,
    private readonly classifier: tf.LayersModel,
  ) {
    this.classNames = frontend.classNames;
    this.sampleRate = frontend.spectrum.sampleRate;
  }

  /** Reads frontend.json, encoder/model.json and classifier/model.json under `base` (a URL ending in /). */
  static async load(base: string): Promise<PagePipeline> {
    const where = `${base}frontend.json`;
    const response = await fetch(where);
    if (!response.ok) throw new SflError(`cannot fetch it (HTTP ${response.status})`, where);
    const frontend = checkFrontend(await response.json(), where);
    const [encoder, classifier] = await Promise.all([tf.loadLayersModel(`${base}encoder/model.json`), tf.loadLayersModel(`${base}classifier/model.json`)]);
    const inputWidth = encoder.inputs[0].shape[1];
    if (inputWidth !== frontend.windows.frames * frontend.windows.bands) {
      throw new SflError(`the encoder takes ${inputWidth} values per window, not frames x bands = ${frontend.windows.frames} x ${frontend.windows.bands}`, where);
    }
    return new PagePipeline(frontend, encoder, classifier);
  }

  /** The spectrogram of samples at the run's rate, with the run's settings (audio/spectrogram-stream.ts, as in Node). */
  spectrogram(samples: Float32Array, what = 'the recording'): Matrix {
    const p = this.frontend.spectrum;
    if (samples.length < p.frameSize) throw new SflError(`${what} is ${samples.length} samples at ${p.sampleRate} Hz, shorter than one frame (${p.frameSize})`);
    return spectrogram(samples, p);
  }

  /** Class probabilities of each spectrogram (one row per spectrogram, classNames order). */
  classifySpectra(spectra: readonly Matrix[]): number[][] {
    const { frames: K, bands } = this.frontend.windows;
    for (const S of spectra) if (S.cols !== bands) throw new SflError(`the model takes spectrograms of ${bands} bands, this one has ${S.cols}`);
    const { windows, ranges } = allWindows(spectra.map((S) => padToFrames(S, K)), K);
    const H = tf.tidy(() => this.encoder.predict(tf.tensor2d(windows.data, [windows.rows, windows.cols])) as tf.Tensor2D);
    const hidden = H.shape[1];
    const features = H.dataSync() as Float32Array;
    H.dispose();
    const pooled = poolRecordings({ data: features, rows: windows.rows, cols: hidden }, ranges, this.frontend.pooling);
    const probs = tf.tidy(() => this.classifier.predict(tf.tensor2d(pooled.data, [pooled.rows, pooled.cols])) as tf.Tensor2D);
    const rows = probs.arraySync();
    probs.dispose();
    return rows;
  }

  /** One recording at the run's rate: its label, and its labels over time as `sfl classify` gives them. */
  classifyRecording(samples: Float32Array, o: { segment?: number; hop?: number } = {}): RecordingResult {
    const segment = o.segment ?? DEFAULT_SEGMENT_SECONDS;
    const hop = o.hop ?? segment / 2;
    let peak = 0;
    for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
    if (peak === 0) throw new SflError('silent: every sample is zero');
    const whole = this.spectrogram(samples);
    const [probabilities] = this.classifySpectra([whole]);
    const label = this.classNames[argmax(probabilities)];
    const seconds = samples.length / this.sampleRate;
    let segments: SegmentResult[] = [{ start: 0, end: seconds, label, probabilities }];
    if (samples.length > Math.round(segment * this.sampleRate)) {
      const ranges = segmentRanges(samples.length, this.sampleRate, segment, hop);
      segments = [];
      const BLOCK = 64; // segments classified together: one network call per block
      for (let b = 0; b < ranges.length; b += BLOCK) {
        const block = ranges.slice(b, b + BLOCK);
        const rows = this.classifySpectra(block.map((r) => this.spectrogram(samples.subarray(r.start, r.end), `the segment at ${(r.start / this.sampleRate).toFixed(2)} s`)));
        block.forEach((r, i) => segments.push(this.segmentResult(r.start / this.sampleRate, r.end / this.sampleRate, rows[i])));
      }
    }
    return { seconds, label, probabilities, segments, spectrogram: whole };
  }

  /** A segment's label and probabilities from its probability row. */
  segmentResult(start: number, end: number, probabilities: number[]): SegmentResult {
    return { start, end, label: this.classNames[argmax(probabilities)], probabilities };
  }
}
