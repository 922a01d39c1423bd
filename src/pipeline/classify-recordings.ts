/**
 * Classifying recordings with a trained audio run: the whole file's label, and for a recording
 * longer than one segment the label of every segment over time (segments of `segment` seconds
 * every `hop` seconds, cut as segments.ts says, each classified exactly as if it were a file of its
 * own: its spectrogram is computed from its samples with the run's spectrum settings).
 */
import { openAudio, probeAudio } from '../audio/decode.ts';
import { concatSamples } from '../audio/resample.ts';
import { type SpectrumParams } from '../audio/spectrogram.ts';
import { spectrogram } from '../audio/spectrogram-stream.ts';
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { progress } from '../util/progress.ts';
import { DEFAULT_SEGMENT_SECONDS, secondsAt, segmentRanges } from './segments.ts';
import { checkRecordingSamples } from './spectra.ts';
import type { TrainedRun } from './trained-run.ts';

export interface ClassProbability {
  label: string;
  probability: number;
}

/** The label of a segment quieter than the minimum level asked for: it is not classified. */
export const QUIET_LABEL = '(quiet)';

export interface SegmentPrediction {
  /** Seconds from the start of the recording, to the millisecond (finer for frame hops under 1 ms: segments.ts timeDecimals). */
  start: number;
  end: number;
  /** The predicted class, or QUIET_LABEL. */
  label: string;
  /** Every class's probability, in the run's class order; empty for a quiet segment. */
  probabilities: number[];
  /** RMS level of the segment's samples, dB relative to full scale (a full-scale sine is -3). */
  level: number;
  /** Below the minimum level asked for, so not classified. */
  quiet?: true;
}

export interface RecordingPrediction {
  file: string;
  /** The recording's length, rounded as segment times are. */
  seconds: number;
  /** The whole recording's label. */
  label: string;
  probabilities: number[];
  /** Labels over time; one entry (the whole file) when it is no longer than one segment. */
  segments: SegmentPrediction[];
}

/**
 * The samples of an audio file (any format audio/decode.ts reads) at `sampleRate` Hz, mono;
 * repairs the decoder made (clipping) are reported on stderr. `onSamples` is told how many
 * samples have been decoded so far, block by block (for a progress display).
 */
export async function decodeAt(path: string, sampleRate: number, onSamples?: (decoded: number) => void): Promise<Float32Array> {
  const stream = await openAudio(path, { sampleRate, blockSize: 1 << 20 });
  const blocks: Float32Array[] = [];
  let decoded = 0;
  for await (const b of stream) {
    blocks.push(b);
    decoded += b.length;
    onSamples?.(decoded);
  }
  for (const w of stream.warnings) process.stderr.write(`warning: ${w}\n`);
  return concatSamples(blocks);
}

/** Seconds of audio the files declare in their headers (0 for one that cannot be probed: decoding it will say why). */
async function declaredSeconds(paths: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const path of paths) out.push(await probeAudio(path).then((p) => p.durationSeconds, () => 0));
  return out;
}

/**
 * Decoding shows progress, in seconds of audio, when the files hold more than this many seconds
 * or there are more than 20 of them: a 15-minute recording took over a minute to decode and
 * resample on a loaded machine, with nothing on the screen.
 */
const DECODE_PROGRESS_SECONDS = 60;

function spectrumOf(samples: Float32Array, params: SpectrumParams, what: string): Matrix {
  if (samples.length < params.frameSize) {
    throw new SflError(`${what} is ${samples.length} samples at ${params.sampleRate} Hz, shorter than one frame (${params.frameSize})`);
  }
  return spectrogram(samples, params);
}

function rowOf(m: Matrix, i: number): number[] {
  return Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
}

/** The `k` most probable classes of a probability row, most probable first. */
export function topClasses(probabilities: number[], classNames: readonly string[], k: number): ClassProbability[] {
  return probabilities.map((p, c) => ({ label: classNames[c], probability: p })).sort((a, b) => b.probability - a.probability).slice(0, k);
}

/** RMS level of samples in dB relative to full scale (-Infinity for digital silence). */
export function rmsLevel(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return 10 * Math.log10(sum / Math.max(1, x.length));
}

/**
 * Labels of one recording's segments (samples at the run's rate), classified in blocks with a
 * progress bar when there are many.
 *
 * `minLevel` (dB re full scale): a segment whose RMS level is below it is reported as quiet and
 * not classified. Why: a classifier trained on sounds has never seen near-silence and still
 * gives it one of its classes, often with a probability near 1 (a spoken-digit model calls 5 s of
 * -60 dB white noise "6" at 99.9%); a confidence says nothing about inputs unlike the training
 * data, while a level threshold is something a user can check and set.
 */
export function classifySegments(run: TrainedRun, samples: Float32Array, o: { segment: number; hop: number; name?: string; minLevel?: number }): SegmentPrediction[] {
  if (run.input.kind !== 'audio') throw new SflError(run.cannotClassify ?? 'this run does not take audio');
  const params = run.input.spectrum;
  const names = run.classNames!;
  const ranges = segmentRanges(samples.length, params.sampleRate, o.segment, o.hop);
  const out: SegmentPrediction[] = [];
  const BLOCK = 64;
  const bar = ranges.length > BLOCK ? progress({ stage: `segments${o.name ? ` of ${o.name}` : ''}`, total: ranges.length }) : null;
  try {
    for (let b = 0; b < ranges.length; b += BLOCK) {
      const block = ranges.slice(b, b + BLOCK).map((r) => ({ ...r, level: rmsLevel(samples.subarray(r.start, r.end)) }));
      const loud = block.filter((r) => !(o.minLevel !== undefined && !(r.level >= o.minLevel)));
      const { labels, probs } = loud.length > 0
        ? run.classify(loud.map((r) => spectrumOf(samples.subarray(r.start, r.end), params, `the segment at ${(r.start / params.sampleRate).toFixed(2)} s`)))
        : { labels: new Int32Array(0), probs: { data: new Float32Array(0), rows: 0, cols: names.length } };
      let k = 0;
      for (const r of block) {
        const at = { start: secondsAt(r.start, params.sampleRate, params.hop), end: secondsAt(r.end, params.sampleRate, params.hop), level: r.level };
        if (loud[k] === r) {
          out.push({ ...at, label: names[labels[k]], probabilities: rowOf(probs, k) });
          k++;
        } else out.push({ ...at, label: QUIET_LABEL, probabilities: [], quiet: true });
      }
      bar?.update(Math.min(b + BLOCK, ranges.length));
    }
  } finally {
    bar?.stop();
  }
  return out;
}

/**
 * Whole-file labels of several recordings (classified together, as a speaker-standardised run
 * needs) and each one's labels over time. Files that cannot be used are returned in `skipped`.
 */
export async function classifyRecordings(
  run: TrainedRun,
  paths: readonly string[],
  o: { segment?: number; hop?: number; minLevel?: number } = {},
): Promise<{ predictions: RecordingPrediction[]; skipped: { path: string; reason: string }[] }> {
  if (run.cannotClassify) throw new SflError(run.cannotClassify);
  if (run.input.kind !== 'audio') {
    throw new SflError(`run ${run.dir} classifies ${run.input.height} x ${run.input.width} images, not recordings (the library's loadRun(...).classify takes images)`);
  }
  const params = run.input.spectrum;
  const segment = o.segment ?? DEFAULT_SEGMENT_SECONDS;
  const hop = o.hop ?? segment / 2;
  // Checked before any decoding: a segment shorter than the run's frame cannot be classified, and
  // finding out at the first long recording's first segment named neither the option nor its minimum.
  const segmentSamples = Math.round(segment * params.sampleRate);
  if (segmentSamples < params.frameSize) {
    const least = Math.ceil((1000 * params.frameSize) / params.sampleRate) / 1000;
    throw new SflError(`--segment ${segment} s is ${segmentSamples} samples at ${params.sampleRate} Hz, shorter than one frame of this run (${params.frameSize} samples); give at least --segment ${least}`);
  }
  const loaded: { path: string; samples: Float32Array; spectrum: Matrix }[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const seconds = await declaredSeconds(paths);
  const total = Math.ceil(seconds.reduce((a, b) => a + b, 0));
  const bar = paths.length > 20 || total > DECODE_PROGRESS_SECONDS ? progress({ stage: `decoding ${paths.length} file${paths.length === 1 ? '' : 's'}, seconds of audio`, total }) : null;
  let before = 0;
  for (const [i, path] of paths.entries()) {
    try {
      const samples = await decodeAt(path, params.sampleRate, (n) => bar?.update(Math.min(total, Math.round(before + n / params.sampleRate))));
      checkRecordingSamples(samples, params, path);
      loaded.push({ path, samples, spectrum: spectrogram(samples, params) });
    } catch (e) {
      if (!(e instanceof SflError)) throw e;
      skipped.push({ path, reason: e.message.startsWith(path) ? e.message : `${path}: ${e.message}` });
    }
    before += seconds[i];
    bar?.update(Math.min(total, Math.round(before)));
  }
  bar?.stop();
  if (loaded.length === 0) return { predictions: [], skipped };
  const whole = run.classify(loaded.map((l) => l.spectrum));
  const names = run.classNames!;
  const predictions = loaded.map((l, i): RecordingPrediction => {
    const seconds = secondsAt(l.samples.length, params.sampleRate, params.hop);
    const probabilities = rowOf(whole.probs, i);
    const label = names[whole.labels[i]];
    // One segment (segments.ts: no longer than a segment and a little) is the whole file, already classified.
    const segments = segmentRanges(l.samples.length, params.sampleRate, segment, hop).length > 1
      ? classifySegments(run, l.samples, { segment, hop, name: l.path, minLevel: o.minLevel })
      : [{ start: 0, end: seconds, label, probabilities, level: rmsLevel(l.samples) }];
    return { file: l.path, seconds, label, probabilities, segments };
  });
  return { predictions, skipped };
}
