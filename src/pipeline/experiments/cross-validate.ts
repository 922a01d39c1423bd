/**
 * Cross-validation of the experiments that train on one split's vectors (softmax, stacked) when
 * the split gives several runs (kfold:K, loso): the folder is loaded once, each fold is the same
 * experiment run into outputs/<run>/folds/<fold>/ (a complete run of its own, with its model,
 * figures and metrics), and outputs/<run>/metrics.json holds the mean test accuracy, its standard
 * deviation over the folds, and every held-out recording's prediction pooled into one confusion.
 */
import type { Config } from '../config.ts';
import { classifierRunMetrics, evaluationFromConfusion } from '../run-metrics.ts';
import { inRunFolder } from '../run-folder.ts';
import type { Log } from '../softmax-stage.ts';
import type { ClassificationData } from './classification-data.ts';
import { mergePredictions, PREDICTIONS_FILE, readPredictions, type PredictionsRecord } from '../run-records.ts';
import { audioClassificationFolds } from './audio-classification-data.ts';
import { pct, spread } from './fold-stats.ts';
import type { ClassificationExperimentResult } from './evaluation.ts';

/** True when the config asks an experiment on audio vectors for several runs. */
export function isCrossValidated(config: Config): boolean {
  return config.data.source === 'audio' && (config.split.kind === 'kfold' || config.split.kind === 'loso');
}

export async function crossValidate(
  experiment: string,
  command: string,
  config: Config,
  log: Log,
  runOne: (config: Config, log: Log, data: ClassificationData) => Promise<ClassificationExperimentResult>,
): Promise<ClassificationExperimentResult> {
  return inRunFolder({ command, config }, async (run) => {
    const folds = await audioClassificationFolds(config, log);
    const results: { name: string; run: string; metrics: ClassificationExperimentResult['metrics'] }[] = [];
    const predictions: PredictionsRecord[] = [];
    for (let i = 0; i < folds.names.length; i++) {
      const data = await folds.fold(i);
      const name = `fold-${i + 1}`;
      const foldConfig: Config = { ...config, run: { ...config.run, outputs: run.path('folds'), name, namePrefix: null, overwrite: false } };
      const r = await runOne(foldConfig, log, data);
      results.push({ name: folds.names[i], run: `folds/${name}`, metrics: r.metrics });
      const p = readPredictions(r.runPath);
      if (p) predictions.push(p);
      log(`${folds.names[i]}: test accuracy ${pct(r.metrics.testAccuracy)} (${r.metrics.test.examples} recordings)`);
    }
    const classNames = results[0].metrics.classNames;
    const k = classNames.length;
    // Every held-out recording once, predicted by the fold that did not train on it.
    const confusion = Array.from({ length: k }, (_, t) => Array.from({ length: k }, (_, p) => results.reduce((n, r) => n + r.metrics.test.confusion[t][p], 0)));
    const accuracy = spread(results.map((r) => r.metrics.testAccuracy));
    log(`mean test accuracy ${pct(accuracy.mean)} ± ${pct(accuracy.sd)} (standard deviation over ${results.length} runs)`);
    const metrics = classifierRunMetrics(
      { experiment, seed: config.run.seed, classNames, test: evaluationFromConfusion(confusion, classNames), testAccuracy: accuracy.mean, finalCost: null },
      {
        split: config.split.kind,
        testAccuracySd: accuracy.sd,
        folds: results.map((r) => ({ name: r.name, run: r.run, testAccuracy: r.metrics.testAccuracy, test: r.metrics.test })),
      },
    );
    if (predictions.length === results.length) {
      await run.writeJson(PREDICTIONS_FILE, mergePredictions(`${results.length} folds, each recording predicted by the fold that held it out`, predictions));
    }
    return { metrics };
  });
}
