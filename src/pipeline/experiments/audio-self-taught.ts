/**
 * Self-taught learning on a labeled sound set: features learned (without labels) from the
 * training recordings' spectral windows, pooled per recording, classified by a softmax; the
 * no-learning baseline measured on the same split beside it. With several runs (split 'loso': one
 * per held-out speaker; 'kfold': one per fold) it reports their mean and standard deviation.
 */
import type { Recording } from '../../data/labeled-set.ts';
import { formatConfusion } from '../../models/metrics.ts';
import { confusionMatrixImage } from '../../viz/heatmap.ts';
import { encodePng } from '../../viz/png.ts';
import type { Config } from '../config.ts';
import { INPUTS_FILE, predictionsRecord } from '../run-records.ts';
import { audioSetRecord, loadConfiguredAudioSet } from '../audio-set.ts';
import { inRunFolder } from '../run-folder.ts';
import { costCurve } from '../../models/sae/train.ts';
import { filterPicture } from '../../models/sae/filter-picture.ts';
import { convSettings } from '../recording-features.ts';
import { runAudioSelfTaught, saveAudioPipeline, type AudioRunResult } from '../audio-classifier.ts';
import { classifierRunMetrics, evaluate, lastCost, type ClassifierRunMetrics, type Evaluation } from '../run-metrics.ts';
import { softmaxSummary } from '../softmax-stage.ts';
import { pct, spread } from './fold-stats.ts';
import { writePredictions } from './evaluation.ts';

/** Every held-out recording once, predicted by the fold that did not train on it. */
function pooled(folds: { y: Int32Array; predicted: Int32Array }[], classNames: string[]): Evaluation {
  return evaluate(
    Int32Array.from(folds.flatMap((f) => Array.from(f.y))),
    Int32Array.from(folds.flatMap((f) => Array.from(f.predicted))),
    classNames,
  );
}

export interface AudioExperimentOptions {
  baseline: boolean;
  /**
   * 'conv' (sfl conv): the features come from convolving the filters over whole spectrograms
   * (config.conv: band patches that slide over frequency, pooled over offsets); default
   * 'self-taught': every window encoded.
   */
  experiment?: 'self-taught' | 'conv';
  log?: (s: string) => void;
  /** Printed results (tables) go here; default stdout. */
  print?: (s: string) => void;
}

export async function runAudioSelfTaughtExperiment(config: Config, o: AudioExperimentOptions): Promise<{ runPath: string; metrics: ClassifierRunMetrics & { baselineAccuracy?: number } }> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const print = o.print ?? ((s: string) => console.log(s));
  const experiment = o.experiment ?? 'self-taught';
  return inRunFolder({ command: experiment, config }, async (run) => {
    const set = await loadConfiguredAudioSet(config, 'classifier', log);
    const classNames = set.classNames;
    const splits = set.splits;
    log(`${config.data.audioDir}: ${set.recordings.length} recordings, ${classNames.length} classes${splits.length > 1 ? `; ${splits.length} runs` : ''}`);

    const folds: { name: string; result: AudioRunResult; testCount: number; testY: Int32Array; test: Recording[] }[] = [];
    for (const split of splits) {
      const tr = split.train, te = split.test;
      const data = {
        train: set.spectra(tr),
        trainY: set.classIds(tr),
        test: set.spectra(te),
        testY: set.classIds(te),
        classNames,
        trainSpeakers: speakersOf(tr),
        testSpeakers: speakersOf(te),
      };
      const result = await runAudioSelfTaught(data, set.params, config, {
        pool: config.pooling,
        baseline: o.baseline,
        stage: splits.length > 1 ? `autoencoder, ${split.name}` : undefined,
        conv: experiment === 'conv' ? convSettings(config, set.bands) : undefined,
        log,
      });
      folds.push({ name: split.name, result, testCount: te.length, testY: data.testY, test: te });
      print(
        `${split.name}: test accuracy ${pct(result.test.accuracy)} (${te.length} recordings)` +
          (result.baseline ? `, baseline ${pct(result.baseline.test.accuracy)}` : ''),
      );
    }

    const accuracy = spread(folds.map((f) => f.result.test.accuracy));
    const baselineSpread = o.baseline ? spread(folds.map((f) => f.result.baseline?.test.accuracy ?? NaN)) : undefined;
    const testAccuracy = accuracy.mean;
    const baselineAccuracy = baselineSpread?.mean;
    const last = folds[folds.length - 1].result;
    if (folds.length === 1) {
      print(formatConfusion(last.test.confusion, classNames));
      if (last.baseline) print(`baseline (log-spectrum statistics -> softmax): test accuracy ${pct(last.baseline.test.accuracy)}`);
    } else {
      const pm = (x: { mean: number; sd: number }) => `${pct(x.mean)} ± ${pct(x.sd)}`;
      print(`mean test accuracy ${pm(accuracy)} (standard deviation over ${folds.length} runs)` + (baselineSpread ? `, baseline ${pm(baselineSpread)}` : ''));
    }

    // The model folder of a single split is the pipeline `sfl classify` uses; with several runs, the last one's.
    await saveAudioPipeline(run.path('pipeline'), last.pipeline);
    await run.writeFile('filters.png', encodePng(filterPicture(last.pipeline.sae).image));
    await run.writeFile('cost.png', encodePng(costCurve(last.sae.lbfgs)));
    await run.writeFile('confusion.png', encodePng(confusionMatrixImage(last.test.confusion, { labels: classNames, title: `test confusion (${folds[folds.length - 1].name})` })));
    const test = pooled(folds.map((f) => ({ y: f.testY, predicted: f.result.testPredicted })), classNames);
    const baseline = o.baseline ? pooled(folds.map((f) => ({ y: f.testY, predicted: f.result.baseline!.testPredicted })), classNames) : undefined;
    const metrics: ClassifierRunMetrics & { baselineAccuracy?: number } = classifierRunMetrics(
      { experiment, seed: config.run.seed, classNames, test, testAccuracy, finalCost: lastCost({ softmax: last.softmax.costs }) },
      {
        source: 'audio',
        spectrum: set.framing,
        conv: last.pipeline.conv,
        split: folds.length === 1 ? folds[0].name : config.split.kind,
        testAccuracySd: folds.length > 1 ? accuracy.sd : undefined,
        baselineAccuracy,
        baselineAccuracySd: baselineSpread && folds.length > 1 ? baselineSpread.sd : undefined,
        baseline,
        train: { examples: last.train.examples, accuracy: last.train.accuracy },
        softmax: softmaxSummary(last.pipeline.classifier.softmax, config, last.softmax.choice),
        folds: folds.map((f) => ({
          name: f.name,
          testCount: f.testCount,
          test: f.result.test,
          trainAccuracy: f.result.train.accuracy,
          baseline: f.result.baseline?.test,
          sae: { finalCost: f.result.sae.lbfgs.cost, iterations: f.result.sae.lbfgs.iterations, seconds: f.result.sae.seconds },
        })),
      },
    );
    // For the report: every held-out recording with its prediction (by the fold that held it out),
    // and what data was used (inputs.json: its report shows the last fold's split when there are several).
    // Long held-out recordings also get their labels over time, from the saved pipeline as `sfl classify` uses it.
    const lastFold = folds[folds.length - 1];
    const record = predictionsRecord(
      folds.length === 1 ? lastFold.name : `${folds.length} folds, each recording predicted by the fold that held it out`,
      classNames,
      folds.flatMap((f) => f.test),
      Int32Array.from(folds.flatMap((f) => Array.from(f.result.testPredicted))),
      Float32Array.from(folds.flatMap((f) => Array.from(f.result.testConfidence))),
    );
    await writePredictions(run, record, lastFold.test, log);
    await run.writeJson(INPUTS_FILE, audioSetRecord(set));
    return { metrics };
  });
}

/** Each recording's speaker, or undefined when some file name does not say. */
function speakersOf(recs: Recording[]): string[] | undefined {
  return recs.every((r) => r.speaker !== undefined) ? recs.map((r) => r.speaker as string) : undefined;
}
