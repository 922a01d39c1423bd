/**
 * Self-taught learning (UFLDL): a sparse autoencoder learns features from unlabelled data (for
 * MNIST, digits the classifier never sees), a softmax is trained on those features of the
 * labelled training data and tested on the labelled test data -> outputs/<run>/ with encoder/,
 * softmax/, metrics.json, filters.png, cost.png and confusion.png.
 */
import { softmaxPredict } from '../../models/softmax/softmax.ts';
import { accuracy } from '../../models/metrics.ts';
import { SflError } from '../../util/errors.ts';
import { encodePng } from '../../viz/png.ts';
import type { Config } from '../config.ts';
import { saveSoftmaxClassifier } from '../../models/classifier-model.ts';
import { inputDim } from '../../features/input-description.ts';
import { inRunFolder } from '../run-folder.ts';
import { loadSaeModel, saeFeatures, saveSaeModel, type SaeModel } from '../../models/sae/saved-model.ts';
import { trainSae } from '../../models/sae/train.ts';
import { filterPicture } from '../../models/sae/filter-picture.ts';
import { saeTrainOptions } from '../sae-options.ts';
import { classifierRunMetrics, evaluate } from '../run-metrics.ts';
import { softmaxSummary, stderrLog, trainSoftmaxStage, type Log } from '../softmax-stage.ts';
import { checkClassificationData, type ClassificationData } from './classification-data.ts';
import { classificationData } from './classification-source.ts';
import { StageTimer, writeConfusionPng, writeCostCurves } from './evaluation.ts';
import type { ClassificationExperimentResult } from './evaluation.ts';

/** The encoder: loaded from selfTaught.encoder, or trained on the unlabelled data with config.sae. */
async function encoder(config: Config, d: ClassificationData, log: Log): Promise<{ model: SaeModel; summary: Record<string, unknown>; costs: number[] }> {
  const path = config.selfTaught.encoder;
  if (path !== null) {
    const model = await loadSaeModel(path);
    if (inputDim(model.input) !== d.trainX.cols) {
      throw new SflError(`the encoder takes vectors of ${inputDim(model.input)} values, the data has ${d.trainX.cols}`, path);
    }
    log(`encoder loaded from ${path} (${model.hyper.hidden} hidden units); not retrained`);
    return { model, summary: { loadedFrom: path, ...model.hyper }, costs: [] };
  }
  if (!d.unlabeledX || d.unlabeledX.rows === 0) throw new SflError('self-taught learning needs unlabelled data, and there is none');
  const res = await trainSae(d.unlabeledX, d.input, saeTrainOptions(config));
  const r = res.lbfgs;
  return {
    model: res.model,
    summary: { ...res.model.hyper, examples: d.unlabeledX.rows, maxIter: config.sae.maxIter, iterations: r.iterations, funEvals: r.funEvals, finalCost: r.cost, stopReason: r.stopReason },
    costs: r.history.map((h) => h.cost),
  };
}

export async function runSelfTaughtExperiment(config: Config, log: Log = stderrLog, data?: ClassificationData): Promise<ClassificationExperimentResult> {
  return inRunFolder({ command: 'self-taught', config }, async (run) => {
    const timer = new StageTimer();
    const d = data ?? (await timer.time('data', () => classificationData(config, 'self-taught', log)));
    checkClassificationData(d);
    const k = d.classNames.length;
    const enc = await timer.time('autoencoder', () => encoder(config, d, log));
    const { trainF, testF } = await timer.time('features', () => ({ trainF: saeFeatures(enc.model, d.trainX), testF: saeFeatures(enc.model, d.testX) }));
    const { model, costs, choice } = await timer.time('softmax', () => trainSoftmaxStage(trainF, d.trainY, k, config, log));
    const test = evaluate(d.testY, softmaxPredict(model, testF).labels, d.classNames);
    const trainAccuracy = accuracy(d.trainY, softmaxPredict(model, trainF).labels);

    await saveSaeModel(run.path('encoder'), enc.model);
    await saveSoftmaxClassifier(run.path('softmax'), { model, classNames: d.classNames, input: d.input, features: 'encoder', preprocessor: null });
    await run.writeFile('filters.png', encodePng(filterPicture(enc.model).image));
    await writeConfusionPng(run, 'confusion.png', test, d.classNames, `self-taught: ${(100 * test.accuracy).toFixed(2)}%`);
    await writeCostCurves(run, 'cost.png', { autoencoder: enc.costs, softmax: costs }, 'self-taught learning: cost per stage');
    const metrics = classifierRunMetrics(
      { experiment: 'self-taught', seed: config.run.seed, classNames: d.classNames, test, finalCost: model.training?.cost ?? null },
      {
        data: d.description,
        encoder: enc.summary,
        softmax: softmaxSummary(model, config, choice),
        train: { examples: d.trainX.rows, accuracy: trainAccuracy },
        secondsPerStage: timer.seconds,
        costHistory: { autoencoder: enc.costs, softmax: costs },
      },
    );
    return { metrics };
  });
}
