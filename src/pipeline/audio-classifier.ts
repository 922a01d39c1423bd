/**
 * The product's main pipeline: classify recordings with features learned from sound.
 *
 *   training recordings -> spectra -> random windows -> (normalise, whiten) -> sparse autoencoder
 *   every recording -> all windows -> encode -> pool over time -> standardise -> softmax
 *
 * in two passes over recordings whose spectrograms are produced on demand (SpectrumList), so a
 * run holds the windows drawn and one vector per recording, not the corpus' spectra: pass 1 draws
 * the windows, pass 2 encodes and pools each group of recordings (and takes the baseline's
 * statistics from the same spectrograms).
 *
 * and the no-learning baseline beside it (log-spectrum statistics -> standardise -> softmax).
 * A trained pipeline is saved as a folder (sae/ + classifier/) that `sfl classify` loads.
 */
import { repeatedWindowsNote, windowCount } from '../features/sampler.ts';
import { join } from 'node:path';
import type { Matrix } from '../compute/matrix.ts';
import { Standardiser, standardiseByGroup } from '../features/normalise.ts';
import { pooledWidth, type PoolOptions } from '../features/pooling.ts';
import { recordingStats, recordingStatsWidth, RunningStats } from '../features/recording-stats.ts';
import { samplePatchesStreamed } from '../features/streamed-patches.ts';
import { asSpectrumList, type SpectrumList } from '../features/spectrum-list.ts';
import type { WeightDecayChoice } from '../models/softmax/choose-weight-decay.ts';
import { SoftmaxModel, softmaxPredict } from '../models/softmax/softmax.ts';
import { columnFrequencies } from '../audio/axis.ts';
import type { SpectrumParams } from '../audio/spectrogram.ts';
import { SflError } from '../util/errors.ts';
import { makeDirs } from '../util/fs-errors.ts';
import type { Config } from './config.ts';
import { getWeight, loadModel, saveModel, savedWeightDecay } from '../models/model-io.ts';
import { loadSaeModel, saveSaeModel, type SaeModel } from '../models/sae/saved-model.ts';
import { evaluate, type Evaluation } from './run-metrics.ts';
import { stderrLog, trainSoftmaxStage, type Log } from './softmax-stage.ts';
import { convFeatureWidth, convRecordingFeatures, pooledFeatureRows, recordingFeatures, recordingRowsStreamed, type ConvSettings, type RecordingRows } from './recording-features.ts';
import { trainSae, type TrainSaeResult } from '../models/sae/train.ts';
import { saeTrainOptions } from './sae-options.ts';

/** A softmax on standardised vectors, with its class names. */
export interface Classifier {
  classNames: string[];
  standardiser: Standardiser;
  softmax: SoftmaxModel;
}

export interface AudioClassifierPipeline {
  spectrum: SpectrumParams;
  pool: PoolOptions;
  sae: SaeModel;
  classifier: Classifier;
  /** Features by convolution (sfl conv); absent: every window encoded (self-taught). */
  conv?: ConvSettings;
  /** 'speaker': recording vectors standardised per speaker first (config.softmax.standardise). */
  standardise?: 'training' | 'speaker';
}

/** One vector per recording: the pipeline's features of every window, pooled over time. */
export function pipelineFeatures(p: Pick<AudioClassifierPipeline, 'sae' | 'pool' | 'conv'>, spectra: readonly Matrix[]): Matrix {
  return p.conv ? convRecordingFeatures(p.sae, spectra, p.pool, p.conv) : recordingFeatures(p.sae, spectra, p.pool);
}

/**
 * Standardises the rows (statistics of these training rows) and trains the softmax on them with
 * the one softmax stage every pipeline uses (config.softmax: given or chosen weight decay, the
 * run's seed).
 */
async function trainClassifier(
  X: Matrix,
  y: Int32Array,
  classNames: string[],
  config: Config,
  log: Log = stderrLog,
): Promise<{ classifier: Classifier; costs: number[]; choice?: WeightDecayChoice }> {
  const present = new Set(y);
  const missing = classNames.filter((_, c) => !present.has(c));
  if (missing.length) throw new SflError(`no training example of class ${missing.join(', ')}: every class needs at least one`);
  const standardiser = new Standardiser().fit(X);
  const { model, costs, choice } = await trainSoftmaxStage(standardiser.transform(X), y, classNames.length, config, log);
  return { classifier: { classNames, standardiser, softmax: model }, costs, choice };
}

export function predict(c: Classifier, X: Matrix): { labels: Int32Array; probs: Matrix } {
  return softmaxPredict(c.softmax, c.standardiser.transform(X));
}

/** A classifier's evaluation on rows X with true labels y, and its predictions. */
function evaluateClassifier(c: Classifier, X: Matrix, y: Int32Array): { evaluation: Evaluation; predicted: Int32Array; confidence: Float32Array } {
  const { labels: predicted, probs } = predict(c, X);
  // The probability given to the predicted class: how sure the classifier was (the report lists mistakes by it).
  const confidence = Float32Array.from(predicted, (k, i) => probs.data[i * probs.cols + k]);
  return { evaluation: evaluate(y, predicted, c.classNames), predicted, confidence };
}

/**
 * Learns the sparse autoencoder from random windows of the training spectrograms (no labels
 * used): K frames by all bands, or by `bandPatch` bands at random frequency offsets, shared among
 * recordings as config.windows.sampling says. Only the windows are held (samplePatchesStreamed);
 * a recording that gives more than half of them is named in a warning.
 */
export async function learnAudioFeatures(
  trainSpectra: readonly Matrix[] | SpectrumList,
  spectrum: SpectrumParams,
  config: Config,
  stage?: string,
  bandPatch: number | null = null,
  log: Log = stderrLog,
): Promise<TrainSaeResult> {
  const K = config.windows.frames;
  const train = asSpectrumList(trainSpectra);
  const bands = train.bands;
  if (bandPatch !== null && bandPatch > bands) throw new SflError(`conv.bandPatch (${bandPatch}) is more than the spectrum's ${bands} bands`);
  const width = bandPatch ?? bands;
  const w = config.windows;
  const { X, perRecording } = await samplePatchesStreamed(train, { count: w.count, height: K, width, seed: w.seed ?? config.run.seed, policy: w.sampling, stage: 'drawing training windows' });
  const top = perRecording.reduce((best, n, i) => (n > perRecording[best] ? i : best), 0);
  if (train.length > 1 && perRecording[top] > DOMINANT_SHARE * w.count) {
    const advice = w.sampling === 'duration' ? '; --sampling balanced gives every recording an equal share' : '';
    log(`warning: ${Math.round((100 * perRecording[top]) / w.count)}% of the ${w.count} training windows come from one recording, ${train.name?.(top) ?? `number ${top + 1}`} (sampling: ${w.sampling})${advice}`);
  }
  let available = 0;
  for (let i = 0; i < train.length; i++) available += windowCount(train.frames(i), K) * (bands - width + 1);
  const note = repeatedWindowsNote(w.count, available, bandPatch === null ? `windows of ${K} frames` : `${K}-frame x ${width}-band patches`);
  if (note) log(note);
  return trainSae(
    X,
    // A band patch has no fixed frequencies (it slides): its picture is labelled by band offset.
    { kind: 'spectro-temporal', frames: K, bands: width, spectrum, bandHz: width === bands ? columnFrequencies(spectrum) : null },
    saeTrainOptions(config, stage),
  );
}

/** Share of the training windows above which one recording is named in a warning (as train-sae does). */
const DOMINANT_SHARE = 0.5;

export interface SplitData {
  /** The training recordings' spectrograms: in memory, or produced on demand (each read once per pass). */
  train: readonly Matrix[] | SpectrumList;
  trainY: Int32Array;
  test: readonly Matrix[] | SpectrumList;
  testY: Int32Array;
  classNames: string[];
  /** Each recording's speaker, when known (needed by softmax.standardise 'speaker'). */
  trainSpeakers?: string[];
  testSpeakers?: string[];
}

/**
 * Recording vectors as the softmax gets them: unchanged, or with softmax.standardise 'speaker'
 * each speaker's standardised with that speaker's own mean and std (the classifier's own
 * standardiser then sees data already centred).
 */
function speakerStandardised(X: Matrix, speakers: readonly string[] | undefined, config: Config): Matrix {
  if (config.softmax.standardise !== 'speaker') return X;
  if (!speakers) throw new SflError('softmax.standardise "speaker" needs every recording\'s speaker: file names like {label}_{speaker}_{index}.wav');
  return standardiseByGroup(X, speakers);
}

export interface AudioRunResult {
  pipeline: AudioClassifierPipeline;
  sae: TrainSaeResult;
  test: Evaluation;
  /** The class predicted for each test recording. */
  testPredicted: Int32Array;
  /** The probability the classifier gave each test recording's predicted class. */
  testConfidence: Float32Array;
  train: Evaluation;
  /** The softmax's cost per L-BFGS iteration, and how its weight decay was chosen (chooseWeightDecay). */
  softmax: { costs: number[]; choice?: WeightDecayChoice };
  baseline?: { test: Evaluation; testPredicted: Int32Array };
}

/** Self-taught learning on one split: features from the training audio, classifier on top. */
export async function runAudioSelfTaught(
  d: SplitData,
  spectrum: SpectrumParams,
  config: Config,
  o: { pool: PoolOptions; baseline: boolean; stage?: string; conv?: ConvSettings; log?: Log },
): Promise<AudioRunResult> {
  const sae = await learnAudioFeatures(d.train, spectrum, config, o.stage, o.conv?.bandPatch ?? null, o.log);
  // One pass over each side gives both the features and the baseline's statistics.
  const train = asSpectrumList(d.train);
  const kinds: RecordingRows[] = [pooledFeatureRows(sae.model, o.pool, o.conv)];
  if (o.baseline) kinds.push(BASELINE_ROWS(train.bands));
  const [trainF, trainStats] = await recordingRowsStreamed(train, kinds, 'encoding the training recordings');
  const [testF, testStats] = await recordingRowsStreamed(asSpectrumList(d.test), kinds, 'encoding the test recordings');
  const Ftr = speakerStandardised(trainF, d.trainSpeakers, config);
  const Fte = speakerStandardised(testF, d.testSpeakers, config);
  const { classifier, costs, choice } = await trainClassifier(Ftr, d.trainY, d.classNames, config, o.log);
  const test = evaluateClassifier(classifier, Fte, d.testY);
  const result: AudioRunResult = {
    pipeline: { spectrum, pool: o.pool, sae: sae.model, classifier, conv: o.conv, standardise: config.softmax.standardise },
    sae,
    test: test.evaluation,
    testPredicted: test.predicted,
    testConfidence: test.confidence,
    train: evaluateClassifier(classifier, Ftr, d.trainY).evaluation,
    softmax: { costs, choice },
  };
  if (o.baseline) result.baseline = await runBaseline(d, trainStats, testStats, config, o.log);
  return result;
}

/** The baseline's rows: log-spectrum statistics of each recording (mean, std, 3 segment means per band). */
const BASELINE_ROWS = (bands: number): RecordingRows => ({
  width: recordingStatsWidth(bands),
  rows: (group) => recordingStats(group),
  running: (frames) => new RunningStats(bands, frames),
});

/** The no-learning baseline: log-spectrum statistics -> softmax. */
async function runBaseline(d: SplitData, trainStats: Matrix, testStats: Matrix, config: Config, log?: Log): Promise<{ test: Evaluation; testPredicted: Int32Array }> {
  const { classifier } = await trainClassifier(speakerStandardised(trainStats, d.trainSpeakers, config), d.trainY, d.classNames, config, log);
  const r = evaluateClassifier(classifier, speakerStandardised(testStats, d.testSpeakers, config), d.testY);
  return { test: r.evaluation, testPredicted: r.predicted };
}

// ---------------------------------------------------------------------------------------------
// Saving and loading a whole pipeline (what `sfl classify` uses).

interface ClassifierMetadata {
  classNames: string[];
  spectrum: SpectrumParams;
  pool: PoolOptions;
  standardiser: unknown;
  /** Present when the features come from convolution (sfl conv). */
  conv?: ConvSettings;
  /** Present ('speaker') when the recordings of one speaker are standardised together first. */
  standardise?: 'training' | 'speaker';
}

export async function saveAudioPipeline(dir: string, p: AudioClassifierPipeline): Promise<void> {
  makeDirs(dir);
  await saveSaeModel(join(dir, 'sae'), p.sae);
  const c = p.classifier;
  const n = c.softmax.inputSize, k = c.softmax.numClasses;
  await saveModel(join(dir, 'classifier'), {
    kind: 'softmax-on-pooled-features',
    topology: { inputSize: n, numClasses: k, bias: c.softmax.bias, weightDecay: c.softmax.weightDecay },
    weights: [
      { name: 'softmax/W', shape: [k, n], tensor: Float32Array.from(c.softmax.weights) },
      { name: 'softmax/b', shape: [k], tensor: Float32Array.from(c.softmax.biases) },
    ],
    metadata: { classNames: c.classNames, spectrum: p.spectrum, pool: p.pool, standardiser: c.standardiser.toJSON(), conv: p.conv, standardise: p.standardise } satisfies ClassifierMetadata,
  });
}

export async function loadAudioPipeline(dir: string): Promise<AudioClassifierPipeline> {
  const sae = await loadSaeModel(join(dir, 'sae'));
  const saved = await loadModel<ClassifierMetadata>(join(dir, 'classifier'), { kind: 'softmax-on-pooled-features' });
  const { classNames, spectrum, pool, standardiser, conv, standardise } = saved.metadata;
  const t = saved.topology as { inputSize: number; numClasses: number; bias: boolean; weightDecay?: number; lambda?: number };
  if (sae.input.kind !== 'spectro-temporal') throw new SflError('the pipeline\'s autoencoder was not trained on audio windows', dir);
  const width = conv ? convFeatureWidth(sae, pool, conv) : pooledWidth(sae.hyper.hidden, pool);
  if (width !== t.inputSize) {
    throw new SflError(`the classifier expects ${t.inputSize} features but the autoencoder and pooling give ${width}`, dir);
  }
  const W = getWeight(saved, 'softmax/W', dir).tensor, b = getWeight(saved, 'softmax/b', dir).tensor;
  const theta = new Float64Array(W.length + (t.bias ? b.length : 0));
  theta.set(W);
  if (t.bias) theta.set(b, W.length);
  const softmax = new SoftmaxModel(t.inputSize, t.numClasses, t.bias, theta, savedWeightDecay(t));
  return { spectrum, pool, sae, conv, standardise, classifier: { classNames, standardiser: Standardiser.fromJSON(standardiser), softmax } };
}

/** Class probabilities for spectrograms computed with the pipeline's spectrum parameters. */
export function classifySpectra(p: AudioClassifierPipeline, spectra: Matrix[]): { labels: Int32Array; probs: Matrix } {
  const X = pipelineFeatures(p, spectra);
  if (p.standardise !== 'speaker') return predict(p.classifier, X);
  // A speaker-standardised model needs the statistics of the new voice: all the recordings given
  // at once are taken as one speaker's.
  if (spectra.length < SPEAKER_MIN_RECORDINGS) {
    throw new SflError(
      `this model standardises each speaker's recordings together (softmax.standardise "speaker"): give at least ${SPEAKER_MIN_RECORDINGS} recordings of one speaker at once, not ${spectra.length}`,
    );
  }
  return predict(p.classifier, standardiseByGroup(X, spectra.map(() => 'speaker')));
}

/** Fewest recordings `classifySpectra` takes as one speaker's for a speaker-standardised model. */
const SPEAKER_MIN_RECORDINGS = 10;
