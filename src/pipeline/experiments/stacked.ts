/**
 * Stacked autoencoders (UFLDL): greedy layer-wise pretraining of config.stacked.layers sparse
 * autoencoders (config.sae), a softmax on the top layer (config.softmax), then fine-tuning of the
 * whole network by backpropagation (config.stacked.fineTuneMaxIter). Accuracy is measured before
 * and after fine-tuning -> outputs/<run>/ with model/ (fine-tuned), pretrained/, metrics.json,
 * filters.png (first layer, fine-tuned), filters-pretrained.png, cost.png, confusion.png and
 * confusion-pretrained.png.
 */
import type { Matrix } from '../../compute/matrix.ts';
import { Preprocessor } from '../../features/preprocess.ts';
import { accuracy } from '../../models/metrics.ts';
import { stackedPredict, trainStacked, type StageEvent, type StageName } from '../../models/stacked/stacked.ts';
import { refuseChooseWeightDecay, type Config } from '../config.ts';
import { saveStackedClassifier } from '../../models/classifier-model.ts';
import { progress, type Progress } from '../../util/progress.ts';
import { inRunFolder } from '../run-folder.ts';
import { crossValidate, isCrossValidated } from './cross-validate.ts';
import { saeCostFunction } from '../../models/sae/train.ts';
import { classifierRunMetrics, evaluate, lastCost } from '../run-metrics.ts';
import { stderrLog, type Log } from '../softmax-stage.ts';
import { checkClassificationData, type ClassificationData } from './classification-data.ts';
import { classificationData } from './classification-source.ts';
import { writeConfusionPng, writeCostCurves, writePredictions } from './evaluation.ts';
import type { ClassificationExperimentResult } from './evaluation.ts';
import { saveWindowEncoder } from '../trained-run.ts';
import { INPUTS_FILE, predictionsFromProbabilities } from '../run-records.ts';
import { stackedLayerPicture, writePicture } from '../unit-pictures.ts';

function stageKey(stage: StageName, layer?: number): string {
  return stage === 'pretrain' ? `layer ${layer}` : stage === 'finetune' ? 'fine-tune' : 'softmax';
}

function inUnitRange(X: Matrix): boolean {
  for (let i = 0; i < X.data.length; i++) if (!(X.data[i] >= 0 && X.data[i] <= 1)) return false;
  return true;
}

export async function runStackedExperiment(config: Config, log: Log = stderrLog, data?: ClassificationData): Promise<ClassificationExperimentResult> {
  if (!data && isCrossValidated(config)) return crossValidate('stacked', 'stacked', config, log, (c, l, d) => runStackedExperiment(c, l, d));
  refuseChooseWeightDecay(config, 'stacked', 'its softmax weight decay also serves fine-tuning');
  return inRunFolder({ command: 'stacked', config }, async (run) => {
    const seconds: Record<string, number> = {};
    let t0 = performance.now();
    const d = data ?? (await classificationData(config, 'stacked', log));
    checkClassificationData(d);
    const k = d.classNames.length;
    const preprocessor = new Preprocessor({ normalise: config.normalise, whitening: config.whitening });
    const Z = preprocessor.fitTransform(d.trainX);
    const Zt = preprocessor.transform(d.testX);
    seconds.data = (performance.now() - t0) / 1000;

    const s = config.sae;
    const curves: Record<string, number[]> = {};
    let bar: Progress | null = null;
    const onStage = (e: StageEvent): void => {
      const key = stageKey(e.stage, e.layer);
      if (e.phase === 'start') {
        t0 = performance.now();
        curves[key] = [];
        const total = e.stage === 'pretrain' ? s.maxIter : e.stage === 'softmax' ? config.softmax.maxIter : config.stacked.fineTuneMaxIter;
        bar = progress({ stage: `${key} (L-BFGS)`, total });
      } else {
        bar?.stop();
        bar = null;
        seconds[key] = (performance.now() - t0) / 1000;
      }
    };
    const res = await trainStacked(Z, d.trainY, {
      hiddenSizes: config.stacked.layers,
      sae: { weightDecay: s.weightDecay, beta: s.beta, rho: s.rho, maxIter: s.maxIter, decoder: s.decoder === 'auto' ? (inUnitRange(Z) ? 'sigmoid' : 'linear') : s.decoder },
      softmax: { weightDecay: config.softmax.weightDecay, maxIter: config.softmax.maxIter },
      fineTune: { maxIter: config.stacked.fineTune ? config.stacked.fineTuneMaxIter : 0 },
      numClasses: k,
      seed: config.run.seed,
      evalSet: { X: Zt, labels: d.testY },
      onStage,
      onIteration: (stage, info, layer) => {
        curves[stageKey(stage, layer)]?.push(info.cost);
        (bar as Progress | null)?.update(info.iter, { cost: info.cost.toPrecision(6) });
      },
      // Pretraining the first layer on all of MNIST is the heavy part: split it over worker threads.
      saeCost: (X, opts) => saeCostFunction(X, opts),
    }).finally(() => (bar as Progress | null)?.stop());

    const before = evaluate(d.testY, stackedPredict(res.pretrained, Zt).labels, d.classNames);
    const predicted = stackedPredict(res.model, Zt);
    const after = evaluate(d.testY, predicted.labels, d.classNames);
    const trainBefore = accuracy(d.trainY, stackedPredict(res.pretrained, Z).labels);
    const trainAfter = accuracy(d.trainY, stackedPredict(res.model, Z).labels);

    const common = { classNames: d.classNames, input: d.input, preprocessor };
    if (d.windowEncoder) await saveWindowEncoder(run.stagingPath, d.windowEncoder);
    if (d.inputs) await run.writeJson(INPUTS_FILE, d.inputs);
    await saveStackedClassifier(run.path('model'), { model: res.model, ...common });
    if (d.test) await writePredictions(run, predictionsFromProbabilities(d.test.split, d.classNames, d.test.recordings, predicted.probs), d.test.recordings, log);
    await saveStackedClassifier(run.path('pretrained'), { model: res.pretrained, ...common });
    const windowSae = d.windowEncoder?.sae ?? null;
    await writePicture(run, 'filters', stackedLayerPicture({ model: res.model, preprocessor, input: d.input }, windowSae, 1)!);
    await writePicture(run, 'filters-pretrained', stackedLayerPicture({ model: res.pretrained, preprocessor, input: d.input }, windowSae, 1)!);
    const second = stackedLayerPicture({ model: res.model, preprocessor, input: d.input }, windowSae, 2);
    if (second) await writePicture(run, 'filters-layer2', second);
    await writeConfusionPng(run, 'confusion.png', after, d.classNames, `fine-tuned: ${(100 * after.accuracy).toFixed(2)}%`);
    await writeConfusionPng(run, 'confusion-pretrained.png', before, d.classNames, `before fine-tuning: ${(100 * before.accuracy).toFixed(2)}%`);
    await writeCostCurves(run, 'cost.png', curves, 'stacked autoencoder: cost per stage');
    const fineTuned = res.model !== res.pretrained;
    const metrics = classifierRunMetrics(
      { experiment: 'stacked', seed: config.run.seed, classNames: d.classNames, test: after, finalCost: lastCost(curves) },
      {
      data: d.description,
      layerSizes: [...res.model.layerSizes],
      sae: { weightDecay: s.weightDecay, beta: s.beta, rho: s.rho, maxIter: s.maxIter },
      softmax: { weightDecay: config.softmax.weightDecay, maxIter: config.softmax.maxIter },
      fineTune: { maxIter: fineTuned ? config.stacked.fineTuneMaxIter : 0, weightDecay: config.softmax.weightDecay },
      stages: res.stages,
      beforeFineTune: { train: { examples: d.trainX.rows, accuracy: trainBefore }, test: before },
      afterFineTune: fineTuned ? { train: { examples: d.trainX.rows, accuracy: trainAfter }, test: after } : null,
      secondsPerStage: Object.fromEntries(Object.entries(seconds).map(([key, v]) => [key, Number(v.toFixed(3))])),
      costHistory: curves,
      },
    );
    return { metrics };
  });
}
