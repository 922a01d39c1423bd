/**
 * The softmax experiment: softmax regression (weight decay, L-BFGS) on the preprocessed input
 * vectors themselves, tested on held-out data -> outputs/<run>/ with the model, metrics.json,
 * confusion.png and cost.png. Also the softmax stage that self-taught learning reuses.
 */
import { Preprocessor } from '../../features/preprocess.ts';
import { softmaxPredict } from '../../models/softmax/softmax.ts';
import { accuracy } from '../../models/metrics.ts';
import type { Config } from '../config.ts';
import { saveSoftmaxClassifier } from '../../models/classifier-model.ts';
import { inRunFolder } from '../run-folder.ts';
import { crossValidate, isCrossValidated } from './cross-validate.ts';
import { classifierRunMetrics, evaluate } from '../run-metrics.ts';
import { softmaxSummary, stderrLog, trainSoftmaxStage, type Log } from '../softmax-stage.ts';
import { checkClassificationData, type ClassificationData } from './classification-data.ts';
import { classificationData } from './classification-source.ts';
import { StageTimer, writeConfusionPng, writeCostCurves, writePredictions, type ClassificationExperimentResult } from './evaluation.ts';
import { saveWindowEncoder } from '../trained-run.ts';
import { INPUTS_FILE, predictionsFromProbabilities } from '../run-records.ts';

/**
 * `data` defaults to what config.data asks for (classificationData); pass it to run the same
 * experiment on another source's vectors.
 */
export async function runSoftmaxExperiment(config: Config, log: Log = stderrLog, data?: ClassificationData): Promise<ClassificationExperimentResult> {
  if (!data && isCrossValidated(config)) return crossValidate('softmax', 'train-softmax', config, log, (c, l, d) => runSoftmaxExperiment(c, l, d));
  return inRunFolder({ command: 'train-softmax', config }, async (run) => {
    const timer = new StageTimer();
    const d = data ?? (await timer.time('data', () => classificationData(config, 'softmax', log)));
    checkClassificationData(d);
    const k = d.classNames.length;
    const preprocessor = new Preprocessor({ normalise: config.normalise, whitening: config.whitening });
    const Z = await timer.time('preprocess', () => preprocessor.fitTransform(d.trainX));
    const Zt = preprocessor.transform(d.testX);
    const { model, costs, choice } = await timer.time('softmax', () => trainSoftmaxStage(Z, d.trainY, k, config, log));
    const predicted = softmaxPredict(model, Zt);
    const test = evaluate(d.testY, predicted.labels, d.classNames);
    const trainAccuracy = accuracy(d.trainY, softmaxPredict(model, Z).labels);

    if (d.windowEncoder) await saveWindowEncoder(run.stagingPath, d.windowEncoder);
    if (d.inputs) await run.writeJson(INPUTS_FILE, d.inputs);
    await saveSoftmaxClassifier(run.path('model'), { model, classNames: d.classNames, input: d.input, features: 'raw', preprocessor });
    if (d.test) await writePredictions(run, predictionsFromProbabilities(d.test.split, d.classNames, d.test.recordings, predicted.probs), d.test.recordings, log);
    await writeConfusionPng(run, 'confusion.png', test, d.classNames, `softmax: ${(100 * test.accuracy).toFixed(2)}%`);
    await writeCostCurves(run, 'cost.png', { softmax: costs }, 'softmax cost');
    const metrics = classifierRunMetrics(
      { experiment: 'softmax', seed: config.run.seed, classNames: d.classNames, test, finalCost: model.training?.cost ?? null },
      {
        data: d.description,
        softmax: softmaxSummary(model, config, choice),
        train: { examples: d.trainX.rows, accuracy: trainAccuracy },
        secondsPerStage: timer.seconds,
        costHistory: { softmax: costs },
      },
    );
    return { metrics };
  });
}
