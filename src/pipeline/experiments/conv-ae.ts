/**
 * The convolutional autoencoder experiment (sfl conv-ae, config.convAe): on whole spectrograms
 * (audio, each brought to convAe.frames frames) or MNIST images, standardised with statistics of
 * the training data; each convolution layer pretrained as a denoising convolutional autoencoder,
 * a softmax on the top layer's pooled maps (config.softmax), then the whole network fine-tuned
 * (models/conv-ae/conv-autoencoder.ts). Accuracy before and after fine-tuning -> outputs/<run>/ with
 * model/ (fine-tuned), pretrained/, metrics.json, filters.png (first layer, fine-tuned),
 * filters-pretrained.png (as the autoencoder learned them), cost.png (cost per epoch of every
 * stage), confusion.png, confusion-pretrained.png and report.html. With split.kind 'loso' it
 * trains once per held-out speaker: metrics.json has every fold, `testAccuracy` is their mean,
 * `test` pools the held-out predictions of all folds; the model and figures are the last fold's.
 */
import * as tf from '@tensorflow/tfjs';
import type { Recording } from '../../data/labeled-set.ts';
import type { Matrix } from '../../compute/matrix.ts';
import { fixFrames, fixFramesOfBlocks } from '../../features/fixed-length.ts';
import { Standardiser } from '../../features/normalise.ts';
import { blocksOf, BLOCKWISE_FRAMES, type SpectrumList } from '../../features/spectrum-list.ts';
import {
  classifierSpecs, convAePredict, convAeProbabilities, featureSize, layerShapes, paramCount, trainConvAe, type ConvAeShape,
  type ConvAeTrainResult,
} from '../../models/conv-ae/conv-autoencoder.ts';
import { accuracy } from '../../models/metrics.ts';
import { SflError } from '../../util/errors.ts';
import { linePlot } from '../../viz/line-plot.ts';
import { encodePng } from '../../viz/png.ts';
import { refuseChooseWeightDecay, type Config } from '../config.ts';
import { saveConvAeClassifier, type ConvAeInput } from '../../models/conv-ae/saved-model.ts';
import { audioSetRecord, loadConfiguredAudioSet } from '../audio-set.ts';
import { progress, type Progress } from '../../util/progress.ts';
import { inRunFolder } from '../run-folder.ts';
import type { RunDir } from '../run-dir.ts';
import { INPUTS_FILE, mergePredictions, predictionsFromProbabilities, type InputsRecord } from '../run-records.ts';
import { argmaxRows } from '../../compute/matrix.ts';
import { pct, spread } from './fold-stats.ts';
import { classifierRunMetrics, evaluate, lastCost, type ClassifierRunMetrics, type Evaluation } from '../run-metrics.ts';
import { stderrLog, type Log } from '../softmax-stage.ts';
import { mnistTrainTestData } from './classification-data.ts';
import { writeConfusionPng, writePredictions } from './evaluation.ts';
import type { ClassificationExperimentResult } from './evaluation.ts';
import { convAeFilterPicture, writePicture } from '../unit-pictures.ts';

export interface Examples {
  /** n pictures of height x width, row-major, standardised. */
  x: Float32Array;
  y: Int32Array;
  n: number;
}

export interface Fold {
  name: string;
  train: Examples;
  test: Examples;
  standardise: { mean: Float32Array; std: Float32Array };
  description: Record<string, unknown>;
  /** Audio: the recording of each test example (for the run's predictions.json). */
  testRecordings?: Recording[];
}

export interface ConvAeData {
  classNames: string[];
  picture: ConvAeInput;
  height: number;
  width: number;
  /** The standardised value of padding (and of the rows a shift leaves): the band mean (0) for audio, a black pixel for images. */
  fill: number;
  folds: Fold[];
  /** Audio: every file of the folder used or skipped, with the reason (written to the run's inputs.json). */
  inputs?: InputsRecord;
}

/**
 * `new Standardiser().fit(every frame of the list, stacked)`, computed recording by recording in
 * the same order (so with the same sums) without stacking them: a pass for the means, one for the
 * deviations.
 */
async function frameStandardiser(list: SpectrumList): Promise<Standardiser> {
  const cols = list.bands;
  const mean = new Float64Array(cols), v = new Float64Array(cols);
  let rows = 0;
  // Block by block for a long recording (blocksOf), in the same order.
  for (let i = 0; i < list.length; i++) {
    for await (const { data } of await blocksOf(list, i)) for (let o = 0; o < data.length; o += cols) for (let c = 0; c < cols; c++) mean[c] += data[o + c];
    rows += list.frames(i);
  }
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  for (let i = 0; i < list.length; i++) {
    for await (const { data } of await blocksOf(list, i)) for (let o = 0; o < data.length; o += cols) for (let c = 0; c < cols; c++) { const d = data[o + c] - mean[c]; v[c] += d * d; }
  }
  const st = new Standardiser();
  for (let c = 0; c < cols; c++) v[c] = Math.max(Math.sqrt(v[c] / rows), st.epsilon);
  st.mean_ = mean;
  st.std_ = v;
  return st;
}

/** (x - mean[j]) / std[j] in place, j = the column (band) when `perColumn`, else 0. */
function standardiseInPlace(x: Float32Array, cols: number, s: { mean: Float32Array; std: Float32Array }): void {
  const per = s.mean.length > 1;
  for (let i = 0; i < x.length; i++) {
    const j = per ? i % cols : 0;
    x[i] = (x[i] - s.mean[j]) / s.std[j];
  }
}

function fitted(st: Standardiser): { mean: Float32Array; std: Float32Array } {
  return { mean: Float32Array.from(st.mean_!), std: Float32Array.from(st.std_!) };
}

async function audioData(config: Config, log: Log): Promise<ConvAeData> {
  if (config.softmax.standardise === 'speaker') throw new SflError('softmax.standardise "speaker" is supported by self-taught and conv, not conv-ae');
  const set = await loadConfiguredAudioSet(config, 'classifier', log);
  const classNames = set.classNames;
  const splits = set.splits;
  const T = config.convAe.frames;
  const bands = set.bands;
  // --input-frames is a number of frames, whose duration follows the rate and the framing: say it
  // in seconds, and how many recordings it cuts, since a default chosen for spoken digits may cut
  // most of a user's longer recordings to their loudest part.
  const seconds = (((T - 1) * set.params.hop + set.params.frameSize) / set.params.sampleRate).toFixed(2);
  const cut = set.recordings.filter((r) => set.framesOf(r) > T).length;
  log(
    `${config.data.audioDir}: ${set.recordings.length} recordings, ${classNames.length} classes${splits.length > 1 ? `; ${splits.length} runs` : ''}; ` +
      `each recording brought to ${T} frames (${seconds} s) x ${bands} bands` +
      (cut > 0 ? `: ${cut} of ${set.recordings.length} are longer and keep only their loudest ${seconds} s (--input-frames to change)` : ''),
  );
  // The spectrograms are produced on demand and dropped: what is kept is T x bands per recording.
  const folds: Fold[] = [];
  for (const split of splits) {
    const tr = split.train, te = split.test;
    // Per-band statistics of every frame of the training recordings (before cutting or padding).
    const standardise = fitted(await frameStandardiser(set.spectra(tr)));
    const examples = async (recs: Recording[]): Promise<Examples> => {
      const x = new Float32Array(recs.length * T * bands);
      const list = set.spectra(recs);
      // A long recording is read twice in blocks (its loudest stretch found, then copied), never whole.
      const fixed = async (i: number) =>
        list.blocks && list.frames(i) > BLOCKWISE_FRAMES ? fixFramesOfBlocks(() => list.blocks!(i), T, standardise.mean) : fixFrames(await list.load(i), T, standardise.mean);
      for (let i = 0; i < recs.length; i++) x.set((await fixed(i)).data, i * T * bands);
      standardiseInPlace(x, bands, standardise);
      return { x, y: set.classIds(recs), n: recs.length };
    };
    const lengths = tr.concat(te).map(set.framesOf);
    folds.push({
      name: split.name,
      train: await examples(tr),
      test: await examples(te),
      standardise,
      testRecordings: te,
      description: {
        source: 'audio',
        audioDir: config.data.audioDir,
        split: split.name,
        train: tr.length,
        test: te.length,
        frames: T,
        bands,
        cut: lengths.filter((n) => n > T).length,
        padded: lengths.filter((n) => n < T).length,
        rule: `recordings longer than ${T} frames keep their loudest ${T} frames; shorter ones are centred and padded with the training mean of each band; per-band standardisation fitted on the training frames`,
      },
    });
  }
  return {
    classNames,
    picture: { kind: 'spectrogram', frames: T, bands, spectrum: set.params },
    inputs: audioSetRecord(set),
    height: T,
    width: bands,
    fill: 0,
    folds,
  };
}

function mnistData(config: Config, log: Log): ConvAeData {
  const d = mnistTrainTestData(config, log);
  if (d.input.kind !== 'image') throw new Error('MNIST data must be images');
  // One mean and deviation over all training pixels (pixels are alike; per-pixel statistics would blow up the always-black border).
  const standardise = fitted(new Standardiser().fit({ data: d.trainX.data, rows: d.trainX.data.length, cols: 1 }));
  const examples = (X: Matrix, y: Int32Array): Examples => {
    const x = Float32Array.from(X.data);
    standardiseInPlace(x, X.cols, standardise);
    return { x, y, n: X.rows };
  };
  return {
    classNames: d.classNames,
    picture: { kind: 'image', width: d.input.width, height: d.input.height },
    height: d.input.height,
    width: d.input.width,
    fill: -standardise.mean[0] / standardise.std[0],
    folds: [{ name: 'official', train: examples(d.trainX, d.trainY), test: examples(d.testX, d.testY), standardise, description: { ...d.description, standardise: 'one mean and deviation over all training pixels' } }],
  };
}

/** The examples of every fold the config asks for: one per split run (LOSO: one per speaker) for audio, one for MNIST. */
export async function convAeData(config: Config, log: Log): Promise<ConvAeData> {
  return config.data.source === 'mnist' ? mnistData(config, log) : audioData(config, log);
}

interface FoldResult {
  fold: Fold;
  trained: ConvAeTrainResult;
  before: Evaluation;
  after: Evaluation | null;
  trainBefore: number;
  trainAfter: number | null;
  predicted: Int32Array;
  /** Test examples x classes: the probabilities of the model the fold keeps (fine-tuned, or else pretrained). */
  probs: Matrix;
}

async function runFold(fold: Fold, shape: ConvAeShape, fill: number, config: Config, tag: string, classNames: string[]): Promise<FoldResult> {
  const c = config.convAe;
  const x = tf.tensor4d(fold.train.x, [fold.train.n, shape.height, shape.width, 1]);
  const xt = tf.tensor4d(fold.test.x, [fold.test.n, shape.height, shape.width, 1]);
  let bar: Progress | null = null;
  try {
    const trained = await trainConvAe(x, fold.train.y, {
      shape,
      pretrainEpochs: c.pretrainEpochs,
      fineTuneEpochs: c.fineTuneEpochs,
      batchSize: c.batchSize,
      learningRate: c.learningRate,
      corruption: c.corruption,
      shift: c.shift,
      shiftFill: fill,
      weightDecay: c.weightDecay,
      tied: c.tied,
      softmax: config.softmax,
      seed: config.run.seed,
      onStage: (e) => {
        bar?.stop();
        bar = e.phase === 'start' ? progress({ stage: `${tag}${e.stage} (${e.stage === 'softmax' ? 'L-BFGS' : 'Adam'})`, total: e.steps }) : null;
      },
      onStep: (_stage, done, cost) => bar?.update(done, { cost: cost.toPrecision(5) }),
    });
    const predicted = convAePredict(trained.pretrained, xt);
    const before = evaluate(fold.test.y, predicted, classNames);
    const trainBefore = accuracy(fold.train.y, convAePredict(trained.pretrained, x));
    const fineTuned = trained.model !== trained.pretrained;
    const probs = convAeProbabilities(trained.model, xt);
    const predictedAfter = fineTuned ? argmaxRows(probs.data, probs.rows, probs.cols) : predicted;
    return {
      fold,
      trained,
      before,
      after: fineTuned ? evaluate(fold.test.y, predictedAfter, classNames) : null,
      trainBefore,
      trainAfter: fineTuned ? accuracy(fold.train.y, convAePredict(trained.model, x)) : null,
      predicted: predictedAfter,
      probs,
    };
  } finally {
    (bar as Progress | null)?.stop();
    tf.dispose([x, xt]);
  }
}

async function writeLearningCurves(run: RunDir, history: Record<string, number[]>): Promise<void> {
  const label = (stage: string) => (stage.startsWith('layer') ? `${stage} autoencoder (reconstruction)` : `${stage} (cross-entropy + decay)`);
  const series = Object.entries(history)
    .filter(([stage, y]) => stage !== 'softmax' && y.length > 0)
    .map(([stage, y]) => ({ name: label(stage), x: y.map((_, i) => i + 1), y }));
  if (series.length === 0) return;
  const img = linePlot(series, { title: 'conv-AE: mean minibatch cost per epoch', xLabel: 'epoch (Adam)', yLabel: 'cost', logY: true });
  await run.writeFile('cost.png', encodePng(img));
}

export async function runConvAeExperiment(config: Config, log: Log = stderrLog): Promise<ClassificationExperimentResult> {
  refuseChooseWeightDecay(config, 'conv-ae', 'its softmax weight decay also serves fine-tuning');
  return inRunFolder({ command: 'conv-ae', config }, async (run) => {
    const t0 = performance.now();
    const c = config.convAe;
    const data = await convAeData(config, log);
    const shape: ConvAeShape = {
      height: data.height,
      width: data.width,
      channels: 1,
      filters: [...c.filters],
      kernel: [c.kernel[0], c.kernel[1]],
      pool: [c.pool[0], c.pool[1]],
      classes: data.classNames.length,
    };
    if (shape.classes < 2) throw new SflError(`a classifier needs at least 2 classes, got ${shape.classes}`);
    const layers = layerShapes(shape);
    const dataSeconds = (performance.now() - t0) / 1000;
    log(
      `network: ${shape.height} x ${shape.width} -> ` +
        layers.map((l) => `${l.filters} maps ${l.convH} x ${l.convW}, pooled ${l.outH} x ${l.outW}`).join(' -> ') +
        ` -> softmax over ${featureSize(shape)} features (${paramCount(classifierSpecs(shape))} parameters)`,
    );

    const results: FoldResult[] = [];
    for (const fold of data.folds) {
      const tag = data.folds.length > 1 ? `${fold.name}: ` : '';
      const r = await runFold(fold, shape, data.fill, config, tag, data.classNames);
      results.push(r);
      log(`${tag}test accuracy ${pct(r.before.accuracy)} before fine-tuning${r.after ? `, ${pct(r.after.accuracy)} after` : ''} (${fold.test.n} examples)`);
    }
    const last = results[results.length - 1];
    const fineTuned = last.after !== null;

    const common = { classNames: data.classNames, picture: data.picture, standardise: last.fold.standardise };
    await saveConvAeClassifier(run.path('model'), { model: last.trained.model, ...common });
    if (data.inputs) await run.writeJson(INPUTS_FILE, data.inputs);
    // For the report: every held-out recording with its prediction, by the fold that held it out.
    const held = results.filter((r) => r.fold.testRecordings);
    if (held.length === results.length) {
      const split = results.length === 1 ? last.fold.name : `${results.length} folds, each recording predicted by the fold that held it out`;
      const record = mergePredictions(split, held.map((r) => predictionsFromProbabilities(r.fold.name, data.classNames, r.fold.testRecordings!, r.probs)));
      // Segments only for the recordings the saved model (the last fold's) did not train on.
      await writePredictions(run, record, last.fold.testRecordings!, log);
    }
    if (fineTuned) await saveConvAeClassifier(run.path('pretrained'), { model: last.trained.pretrained, ...common });
    await writePicture(run, 'filters', convAeFilterPicture({ model: last.trained.model, picture: data.picture }));
    if (fineTuned) await writePicture(run, 'filters-pretrained', convAeFilterPicture({ model: last.trained.pretrained, picture: data.picture }));
    await writeLearningCurves(run, last.trained.history);

    const foldJson = (r: FoldResult) => ({
      name: r.fold.name,
      data: r.fold.description,
      beforeFineTune: { train: { examples: r.fold.train.n, accuracy: r.trainBefore }, test: r.before },
      afterFineTune: r.after ? { train: { examples: r.fold.train.n, accuracy: r.trainAfter }, test: r.after } : null,
      secondsPerStage: Object.fromEntries(Object.entries(r.trained.seconds).map(([key, v]) => [key, Number(v.toFixed(3))])),
      costHistory: r.trained.history,
    });
    const network = {
      input: [shape.height, shape.width, 1],
      layers: layers.map((l) => ({ filters: l.filters, kernel: shape.kernel, maps: [l.convH, l.convW], pooled: [l.outH, l.outW] })),
      features: featureSize(shape),
      parameters: paramCount(classifierSpecs(shape)),
    };
    const head = { experiment: 'conv-ae', seed: config.run.seed, classNames: data.classNames, finalCost: lastCost(last.trained.history) };
    const base = {
      network,
      convAe: c,
      softmax: config.softmax,
    };
    let metrics: ClassifierRunMetrics;
    if (results.length === 1) {
      const f = foldJson(last);
      const test = last.after ?? last.before;
      await writeConfusionPng(run, 'confusion.png', test, data.classNames, `${fineTuned ? 'fine-tuned' : 'pretrained'}: ${pct(test.accuracy)}`);
      if (fineTuned) await writeConfusionPng(run, 'confusion-pretrained.png', last.before, data.classNames, `before fine-tuning: ${pct(last.before.accuracy)}`);
      metrics = classifierRunMetrics({ ...head, test }, { ...base, data: f.data, beforeFineTune: f.beforeFineTune, afterFineTune: f.afterFineTune, secondsPerStage: { data: Number(dataSeconds.toFixed(3)), ...f.secondsPerStage }, seconds: Number(((performance.now() - t0) / 1000).toFixed(3)), costHistory: f.costHistory });
    } else {
      const mean = (f: (r: FoldResult) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;
      // Every held-out example predicted once, by the fold that did not train on its speaker.
      const test = evaluate(
        Int32Array.from(results.flatMap((r) => Array.from(r.fold.test.y))),
        Int32Array.from(results.flatMap((r) => Array.from(r.predicted))),
        data.classNames,
      );
      await writeConfusionPng(run, 'confusion.png', test, data.classNames, `all held-out speakers: ${pct(test.accuracy)}`);
      metrics = classifierRunMetrics(
        { ...head, test, testAccuracy: mean((r) => (r.after ?? r.before).accuracy) },
        {
          ...base,
          split: config.split.kind,
          testAccuracySd: spread(results.map((r) => (r.after ?? r.before).accuracy)).sd,
          beforeFineTuneAccuracy: mean((r) => r.before.accuracy),
          folds: results.map(foldJson),
          seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
        },
      );
    }
    return { metrics };
  });
}
