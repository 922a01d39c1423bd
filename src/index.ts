/**
 * The library API: what a TypeScript or JavaScript program imports from
 * "spectral-feature-learning". The same code the `sfl` command runs.
 *
 *   import { loadRun, classifyRecordings, readAudio, spectrogram, train, resolveConfig } from 'spectral-feature-learning';
 *
 * - Audio: readAudio (WAV, MP3, FLAC, Ogg Vorbis, Opus; mono, resampled on request), spectrogram
 *   with SpectrumParams (defaultSpectrumParams), loadSpectra for many files with the cache,
 *   openSpectrogram for one recording of any length as blocks of frames.
 * - Training: resolveConfig / loadConfigFile give a Config (the same keys as configs/*.json), and
 *   train(config) runs its experiment into a run folder, returning the path and the metrics.
 * - Trained runs: loadRun(name or folder) gives a TrainedRun (classify, encode, filters) for every
 *   kind of run; classifyRecordings and encodeRecordings take audio files directly; for the MNIST
 *   runs, classifyImageFiles takes PNG and idx image files (readImageFiles, loadMnist read them).
 * - exportTfjs writes a run that classifies as TensorFlow.js LayersModels plus frontend.json.
 */
import { initBackend } from './compute/backend.ts';
import type { Config } from './pipeline/config.ts';
import { experimentRunner, type ExperimentResult } from './pipeline/experiments/index.ts';
import { loadTrainedRun, type TrainedRun } from './pipeline/trained-run.ts';
import { setQuiet } from './util/progress.ts';

export { readAudio, probeAudio, type DecodedAudio, type DecodeOptions, type AudioInput } from './audio/decode.ts';
export { defaultSpectrumParams, resolveSpectrum, resolveSpectrumParams, type FrequencyRange, type SpectrumParams, type Transform } from './audio/spectrogram.ts';
export { spectrogram, SpectrogramStream } from './audio/spectrogram-stream.ts';
export type { Matrix } from './compute/matrix.ts';
export { initBackend, type BackendName } from './compute/backend.ts';
export { loadSpectra, openSpectrogram, type SpectraResult, type SpectrogramBlocks, type SpectrumSettings } from './pipeline/spectra.ts';
export { DEFAULT_CONFIG, resolveConfig, loadConfigFile, type Config, type PartialConfig } from './pipeline/config.ts';
export {
  resolveRunDir,
  type TrainedRun,
  type TrainedRunKind,
  type RunInput,
  type Prediction,
  type Encoded,
  type RunParts,
} from './pipeline/trained-run.ts';
export { classifyRecordings, topClasses, type RecordingPrediction, type SegmentPrediction } from './pipeline/classify-recordings.ts';
export { segmentRanges, secondsAt } from './pipeline/segments.ts';
export { encodeRecordings, type EncodedRecordings, type EncodePer } from './pipeline/encode-recordings.ts';
export { readRunMetrics, evaluate, type RunMetrics, type Evaluation, type ClassReport } from './pipeline/run-metrics.ts';
export { listRuns, type RunHeadline } from './pipeline/run-summary.ts';
export { exportTfjs, tfjsExportRefusal, type FrontendDescription } from './pipeline/tfjs-export.ts';
export { loadMnist, type MnistSet } from './data/mnist.ts';
export { readImageFiles, type NamedImage } from './data/image-files.ts';
export { classifyImageFiles, type ImagePrediction } from './pipeline/classify-images.ts';
export { SflError } from './util/errors.ts';
export { setQuiet };

export interface TrainOptions {
  /** Lines saying what happens (default: none). */
  log?: (line: string) => void;
  /** Show progress bars on stderr (default: false). */
  progress?: boolean;
}

/**
 * Runs the experiment a config names (config.experiment: 'self-taught', 'conv', 'stacked',
 * 'conv-ae', 'softmax', 'sae', ...) into a new run folder under config.run.outputs.
 */
export async function train(config: Config, o: TrainOptions = {}): Promise<ExperimentResult> {
  const runner = experimentRunner(config.experiment);
  setQuiet(!o.progress);
  await initBackend();
  return runner(config, o.log ?? (() => undefined));
}

/**
 * A trained run by name (under `outputs`, default outputs/) or folder, ready to classify and
 * encode. It selects the TensorFlow.js backend the CLI uses first (as train() does): a program
 * that only loads runs would otherwise compute on tfjs's plain 'cpu' backend, which also prints
 * an "install our node backend" banner into the program's output.
 */
export async function loadRun(target: string, outputs?: string): Promise<TrainedRun> {
  await initBackend();
  return loadTrainedRun(target, outputs);
}
