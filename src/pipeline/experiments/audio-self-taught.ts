/**
 * Self-taught learning on a labeled sound set: features learned (without labels) from the
 * training recordings' spectral windows, pooled per recording, classified by a softmax; the
 * no-learning baseline measured on the same split beside it. With split.kind 'loso' it runs once
 * per held-out speaker and reports the mean.
 */
import type { Matrix } from '../../compute/matrix.ts';
import { labelNames, scanLabeledSet, type Recording } from '../../data/labeled-set.ts';
import { leaveOneSpeakerOut, officialSplit, randomSplit, speakerSplit, type Split } from '../../data/splits.ts';
import { formatConfusion } from '../../models/metrics.ts';
import { confusionMatrixImage } from '../../viz/heatmap.ts';
import { encodePng } from '../../viz/png.ts';
import { SflError } from '../../util/errors.ts';
import type { Config } from '../config.ts';
import { DATA_FILE, PREDICTIONS_FILE, dataSummary, predictionsRecord } from '../run-records.ts';
import { RunDir, runOptions } from '../run-dir.ts';
import { audioSpectra } from '../inputs.ts';
import { costCurve } from '../../models/sae/train.ts';
import { filterPicture } from '../../models/sae/filter-picture.ts';
import { convSettings } from '../recording-features.ts';
import { runAudioSelfTaught, saveAudioPipeline, type AudioRunResult } from '../audio-classifier.ts';
import { classifierRunMetrics, evaluate, lastCost, type ClassifierRunMetrics, type Evaluation } from '../run-metrics.ts';
import { softmaxSummary } from '../softmax-stage.ts';

export function splitsFor(config: Config, recs: Recording[]): Split[] {
  const s = config.split;
  switch (s.kind) {
    case 'official':
      return [officialSplit(recs)];
    case 'random':
      return [randomSplit(recs, { testFraction: s.testFraction, seed: s.seed ?? config.run.seed })];
    case 'speakers':
      if (s.testSpeakers.length === 0) throw new SflError('split.kind "speakers" needs split.testSpeakers (--test-speakers a,b)');
      return [speakerSplit(recs, s.testSpeakers)];
    case 'loso':
      return leaveOneSpeakerOut(recs);
  }
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

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
  const run = await RunDir.create({ command: experiment, ...runOptions(config.run), config });
  try {
    const set = scanLabeledSet(config.data.audioDir);
    for (const s of set.skipped) log(`warning: skipped ${s.path}: ${s.reason}`);
    const classNames = labelNames(set.recordings);
    const spectra = await audioSpectra(set.recordings.map((r) => r.path), config.spectrum);
    const byPath = new Map(spectra.paths.map((p, i) => [p, spectra.spectra[i]] as const));
    const splits = splitsFor(config, set.recordings);
    log(`${config.data.audioDir}: ${spectra.spectra.length} recordings, ${classNames.length} classes; split ${config.split.kind} (${splits.length} run${splits.length > 1 ? 's' : ''})`);

    const folds: { name: string; result: AudioRunResult; testCount: number; testY: Int32Array; train: Recording[]; test: Recording[] }[] = [];
    for (const split of splits) {
      const keep = (recs: Recording[]) => recs.filter((r) => byPath.has(r.path));
      const tr = keep(split.train), te = keep(split.test);
      const data = {
        train: tr.map((r) => byPath.get(r.path)!) as Matrix[],
        trainY: Int32Array.from(tr.map((r) => classNames.indexOf(r.label))),
        test: te.map((r) => byPath.get(r.path)!) as Matrix[],
        testY: Int32Array.from(te.map((r) => classNames.indexOf(r.label))),
        classNames,
        trainSpeakers: speakersOf(tr),
        testSpeakers: speakersOf(te),
      };
      const result = await runAudioSelfTaught(data, spectra.params, config, {
        pool: config.pooling,
        baseline: o.baseline,
        stage: splits.length > 1 ? `autoencoder, ${split.name}` : undefined,
        conv: experiment === 'conv' ? convSettings(config, spectra.spectra[0].cols) : undefined,
        log,
      });
      folds.push({ name: split.name, result, testCount: te.length, testY: data.testY, train: tr, test: te });
      print(
        `${split.name}: test accuracy ${pct(result.test.accuracy)} (${te.length} recordings)` +
          (result.baseline ? `, baseline ${pct(result.baseline.test.accuracy)}` : ''),
      );
    }

    const mean = (f: (r: AudioRunResult) => number | undefined) => folds.reduce((s, x) => s + (f(x.result) ?? NaN), 0) / folds.length;
    const testAccuracy = mean((r) => r.test.accuracy);
    const baselineAccuracy = o.baseline ? mean((r) => r.baseline?.test.accuracy) : undefined;
    const last = folds[folds.length - 1].result;
    if (folds.length === 1) {
      print(formatConfusion(last.test.confusion, classNames));
      if (last.baseline) print(`baseline (log-spectrum statistics -> softmax): test accuracy ${pct(last.baseline.test.accuracy)}`);
    } else {
      print(`mean test accuracy ${pct(testAccuracy)} over ${folds.length} held-out speakers` + (baselineAccuracy !== undefined ? `, baseline ${pct(baselineAccuracy)}` : ''));
    }

    // The model folder of a single split is the pipeline `sfl classify` uses; for LOSO the last fold's.
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
        conv: last.pipeline.conv,
        split: config.split.kind,
        baselineAccuracy,
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
    await run.writeJson('metrics.json', metrics);
    // For the report: every held-out recording with its prediction (by the fold that held it out),
    // and what data was used (the last fold's split when there are several).
    const lastFold = folds[folds.length - 1];
    await run.writeJson(
      PREDICTIONS_FILE,
      predictionsRecord(
        folds.length === 1 ? lastFold.name : `${folds.length} folds, each recording predicted by the fold that held it out`,
        classNames,
        folds.flatMap((f) => f.test),
        Int32Array.from(folds.flatMap((f) => Array.from(f.result.testPredicted))),
        Float32Array.from(folds.flatMap((f) => Array.from(f.result.testConfidence))),
      ),
    );
    await run.writeJson(DATA_FILE, dataSummary(config.data.audioDir, lastFold.name, lastFold.train, lastFold.test, [...set.skipped, ...spectra.skipped]));
    const runPath = await run.commit();
    return { runPath, metrics };
  } catch (e) {
    await run.abort();
    throw e;
  }
}

/** Each recording's speaker, or undefined when some file name does not say. */
function speakersOf(recs: Recording[]): string[] | undefined {
  return recs.every((r) => r.speaker !== undefined) ? recs.map((r) => r.speaker as string) : undefined;
}
