/**
 * The trained pipeline as the page runs it: the front end in the same TypeScript as Node's
 * (spectrogram, windows, pooling, fixed lengths, segments over time) and the networks as
 * TensorFlow.js LayersModels, read from what `sfl export --tfjs` writes (frontend.json and the
 * models it names; pipeline/tfjs-export.ts documents the format). Any audio run that exports:
 *
 *   windows (self-taught, conv, stacked, train-softmax):
 *     spectrogram -> every window of K frames, hop 1, time-major (shorter recordings padded)
 *     -> encoder/ (when there is one) -> pooled over the recording -> classifier/ -> probabilities
 *   fixedFrames (conv-ae): spectrogram -> brought to a fixed number of frames -> classifier/
 *
 * A recording longer than one segment is also labelled segment by segment, with the segments of
 * `sfl classify` (pipeline/segments.ts), each classified as a file of its own.
 */
import * as tf from '@tensorflow/tfjs';
import { spectrogram } from '../audio/spectrogram-stream.ts';
import { argmax, type Matrix } from '../compute/matrix.ts';
import { fixFrames, padToFrames } from '../features/fixed-length.ts';
import { poolRecordings, type PoolMethod } from '../features/pooling.ts';
import { allWindows } from '../features/sampler.ts';
import { DEFAULT_SEGMENT_SECONDS, secondsAt, segmentRanges } from '../pipeline/segments.ts';
import type { FrontendDescription } from '../pipeline/tfjs-export.ts';
import { SflError } from '../util/errors.ts';

/** An audio front end the page can run: a spectrum, and windows or a fixed length. */
type AudioFrontend = FrontendDescription & { input: 'audio'; spectrum: NonNullable<FrontendDescription['spectrum']> };

/** frontend.json checked: the page runs the audio pipelines whose front end it knows, and says so in a sentence otherwise. */
export function checkFrontend(json: unknown, where: string): AudioFrontend {
  const j = json as Partial<FrontendDescription> | null;
  if (!j || j.format !== 'sfl-frontend') throw new SflError('not an sfl front end description (its "format" is not "sfl-frontend")', where);
  if (j.input !== 'audio') throw new SflError(`the run takes ${j.input ?? 'unknown input'}, not recordings: the page classifies audio`, where);
  if (!j.spectrum || !(j.spectrum.sampleRate > 0)) throw new SflError('it gives no spectrum settings with a sample rate', where);
  if (!j.windows && !j.fixedFrames) throw new SflError('it says neither how to cut windows nor how to fix the length of a spectrogram (windows, fixedFrames)', where);
  if (j.windows && !j.pooling) throw new SflError('it cuts windows but says not how to pool them (pooling)', where);
  if (!j.models?.classifier) throw new SflError('it names no classifier model (models.classifier)', where);
  if (!Array.isArray(j.classNames) || j.classNames.length < 2) throw new SflError('it names no classes: the model does not classify', where);
  return j as AudioFrontend;
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
  /** The segments' length and hop, seconds. */
  segmentSeconds: number;
  hopSeconds: number;
  /** The whole recording's spectrogram (frames x bands), for drawing. */
  spectrogram: Matrix;
}

/**
 * A model's outputs for every row of X, in one batch. Why not predict's default batches of 32:
 * the wasm backend's slice copies the WHOLE input out of WebAssembly memory for every batch
 * it cuts, so a minute of audio's few thousand windows cost a hundred copies of themselves; that
 * was half of the page's time.
 */
function predictAll(model: tf.LayersModel, X: Matrix): tf.Tensor2D {
  return model.predict(tf.tensor2d(X.data, [X.rows, X.cols]), { batchSize: Math.max(1, X.rows) }) as tf.Tensor2D;
}

export class PagePipeline {
  readonly classNames: string[];
  readonly sampleRate: number;

  constructor(
    readonly frontend: AudioFrontend,
    private readonly encoder: tf.LayersModel | null,
    private readonly classifier: tf.LayersModel,
  ) {
    this.classNames = frontend.classNames;
    this.sampleRate = frontend.spectrum.sampleRate;
  }

  /** Reads frontend.json under `base` (a URL ending in /) and the models it names. */
  static async load(base: string): Promise<PagePipeline> {
    const where = `${base}frontend.json`;
    const response = await fetch(where);
    if (!response.ok) throw new SflError(`cannot fetch it (HTTP ${response.status})`, where);
    const frontend = checkFrontend(await response.json(), where);
    const { encoder: e, classifier: c } = frontend.models;
    const [encoder, classifier] = await Promise.all([e ? tf.loadLayersModel(new URL(e, where).href) : null, tf.loadLayersModel(new URL(c, where).href)]);
    const first = encoder ?? classifier;
    const inputWidth = first.inputs[0].shape[1];
    const want = frontend.windows ? frontend.windows.frames * frontend.windows.bands : frontend.fixedFrames!.frames * frontend.fixedFrames!.bands;
    if (inputWidth !== want) throw new SflError(`the ${encoder ? 'encoder' : 'classifier'} takes ${inputWidth} values, not the ${want} the front end makes`, where);
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
    const bands = this.frontend.windows?.bands ?? this.frontend.fixedFrames!.bands;
    for (const S of spectra) if (S.cols !== bands) throw new SflError(`the model takes spectrograms of ${bands} bands, this one has ${S.cols}`);
    const input = this.frontend.windows ? this.pooledWindows(spectra) : this.fixedLength(spectra);
    const probs = tf.tidy(() => predictAll(this.classifier, input));
    const rows = probs.arraySync();
    probs.dispose();
    return rows;
  }

  /** windows: every window of every spectrogram encoded, then pooled per spectrogram. */
  private pooledWindows(spectra: readonly Matrix[]): Matrix {
    const K = this.frontend.windows!.frames;
    const { windows, ranges } = allWindows(spectra.map((S) => padToFrames(S, K)), K);
    let H: Matrix = windows;
    if (this.encoder) {
      const out = tf.tidy(() => predictAll(this.encoder!, windows));
      H = { data: out.dataSync() as Float32Array, rows: windows.rows, cols: out.shape[1] };
      out.dispose();
    }
    const { method, segments } = this.frontend.pooling!;
    return poolRecordings(H, ranges, { method: method as PoolMethod, segments });
  }

  /** fixedFrames: each spectrogram brought to the fixed number of frames, flattened row-major. */
  private fixedLength(spectra: readonly Matrix[]): Matrix {
    const { frames, bands, pad } = this.frontend.fixedFrames!;
    const data = new Float32Array(spectra.length * frames * bands);
    spectra.forEach((S, i) => data.set(fixFrames(S, frames, pad).data, i * frames * bands));
    return { data, rows: spectra.length, cols: frames * bands };
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
    const frameHop = this.frontend.spectrum.hop;
    const seconds = secondsAt(samples.length, this.sampleRate, frameHop);
    let segments: SegmentResult[] = [{ start: 0, end: seconds, label, probabilities }];
    const ranges = segmentRanges(samples.length, this.sampleRate, segment, hop);
    if (ranges.length > 1) {
      segments = [];
      const BLOCK = 64; // segments classified together: one network call per block
      for (let b = 0; b < ranges.length; b += BLOCK) {
        const block = ranges.slice(b, b + BLOCK);
        const rows = this.classifySpectra(block.map((r) => this.spectrogram(samples.subarray(r.start, r.end), `the segment at ${(r.start / this.sampleRate).toFixed(2)} s`)));
        block.forEach((r, i) => segments.push(this.segmentResult(secondsAt(r.start, this.sampleRate, frameHop), secondsAt(r.end, this.sampleRate, frameHop), rows[i])));
      }
    }
    return { seconds, label, probabilities, segments, segmentSeconds: segment, hopSeconds: hop, spectrogram: whole };
  }

  /** A segment's label and probabilities from its probability row. */
  segmentResult(start: number, end: number, probabilities: number[]): SegmentResult {
    return { start, end, label: this.classNames[argmax(probabilities)], probabilities };
  }
}
