/**
 * The sparse-autoencoder experiment: data (MNIST images or audio windows) -> preprocessing ->
 * sparse autoencoder by L-BFGS -> outputs/<run>/ with the model, config, cost curve, filters.
 */
import type { Config } from '../config.ts';
import { resolveMnistDir } from '../../data/mnist.ts';
import { scanLabeledSet } from '../../data/labeled-set.ts';
import { officialSplit } from '../../data/splits.ts';
import { encodePng } from '../../viz/png.ts';
import { RunDir, runOptions } from '../run-dir.ts';
import { runMetrics, type RunMetrics } from '../run-metrics.ts';
import { audioSpectra, audioWindows, mnistImages } from '../inputs.ts';
import type { InputDescription } from '../../features/input-description.ts';
import { saveSaeModel } from '../../models/sae/saved-model.ts';
import { costCurve, trainSae } from '../../models/sae/train.ts';
import { filterPicture } from '../../models/sae/filter-picture.ts';
import { saeTrainOptions } from '../sae-options.ts';
import type { Matrix } from '../../compute/matrix.ts';

export interface SaeExperimentResult {
  runPath: string;
  metrics: RunMetrics;
}

/** Loads the unlabeled training vectors the config asks for. */
export async function saeTrainingData(config: Config, log: (s: string) => void): Promise<{ X: Matrix; input: InputDescription; source: string }> {
  const d = config.data;
  if (d.source === 'mnist') {
    const dir = resolveMnistDir(d.mnistDir ?? undefined);
    const { X, input } = mnistImages(dir, { digits: d.digits, count: d.count });
    log(`MNIST ${dir}: ${X.rows} training images of digits ${d.digits.join(',')}`);
    return { X, input, source: dir };
  }
  // Audio: learn from the training recordings only when the folder has an official split, so a
  // later classifier's test recordings stay unseen; otherwise from every recording.
  const set = scanLabeledSet(d.audioDir);
  let recs = set.recordings;
  if (config.split.kind === 'official' && recs.every((r) => r.index !== undefined)) recs = officialSplit(recs).train;
  const spectra = await audioSpectra(recs.map((r) => r.path), config.spectrum);
  const { X, input } = audioWindows(spectra, { frames: config.windows.frames, count: config.windows.count, seed: config.windows.seed ?? config.run.seed });
  log(`${d.audioDir}: ${spectra.spectra.length} recordings -> ${X.rows} windows of ${config.windows.frames} x ${X.cols / config.windows.frames} ${config.spectrum.transform} frames`);
  return { X, input, source: d.audioDir };
}

export async function runSaeExperiment(config: Config, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<SaeExperimentResult> {
  const run = await RunDir.create({ command: 'train-sae', ...runOptions(config.run), config });
  try {
    const { X, input } = await saeTrainingData(config, log);
    const res = await trainSae(X, input, saeTrainOptions(config));
    await saveSaeModel(run.path('model'), res.model);
    await run.writeFile('filters.png', encodePng(filterPicture(res.model).image));
    await run.writeFile('cost.png', encodePng(costCurve(res.lbfgs)));
    const metrics = runMetrics({ experiment: 'sae', seed: config.run.seed, finalCost: res.lbfgs.cost }, {
      examples: X.rows,
      visible: res.model.preprocessor.outputDim,
      hidden: config.sae.hidden,
      decoder: res.model.hyper.decoder,
      finalCost: res.lbfgs.cost,
      iterations: res.lbfgs.iterations,
      funEvals: res.lbfgs.funEvals,
      stopReason: res.lbfgs.stopReason,
      trainSeconds: res.seconds,
      costHistory: res.lbfgs.history.map((h) => h.cost),
    });
    await run.writeJson('metrics.json', metrics);
    const runPath = await run.commit();
    return { runPath, metrics };
  } catch (e) {
    await run.abort();
    throw e;
  }
}
