/**
 * The sparse-autoencoder experiment: data (MNIST images or audio windows) -> preprocessing ->
 * sparse autoencoder by L-BFGS -> outputs/<run>/ with the model, config, cost curve, filters.
 */
import type { Config } from '../config.ts';
import { resolveMnistDir } from '../../data/mnist.ts';
import { OFFICIAL_TEST_MAX_INDEX } from '../../data/splits.ts';
import { encodePng } from '../../viz/png.ts';
import type { RunDir } from '../run-dir.ts';
import { audioSetRecord, loadConfiguredAudioSet } from '../audio-set.ts';
import { inRunFolder } from '../run-folder.ts';
import { runMetrics, type RunMetrics } from '../run-metrics.ts';
import { audioWindows, mnistImages } from '../inputs.ts';
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
export async function saeTrainingData(config: Config, log: (s: string) => void, run?: RunDir): Promise<{ X: Matrix; input: InputDescription; source: string }> {
  const d = config.data;
  if (d.source === 'mnist') {
    const dir = resolveMnistDir(d.mnistDir ?? undefined);
    const { X, input } = mnistImages(dir, { digits: d.digits, count: d.count });
    log(`MNIST ${dir}: ${X.rows} training images of digits ${d.digits.join(',')}`);
    return { X, input, source: dir };
  }
  // Audio: any folder, no labels needed. When the file names carry FSDD's recording index (and
  // the split is FSDD's), learn from the training recordings only, so a later classifier's test
  // recordings stay unseen; otherwise from every recording.
  const set = await loadConfiguredAudioSet(config, 'unsupervised', log);
  let recs = set.recordings;
  const official = config.split.kind === 'official' || config.split.kind === 'auto';
  if (official && recs.every((r) => r.index !== undefined)) {
    const train = recs.filter((r) => r.index! > OFFICIAL_TEST_MAX_INDEX);
    if (train.length > 0 && train.length < recs.length) {
      recs = train;
      log(`learning from the ${recs.length} training recordings of FSDD's split (recording index > ${OFFICIAL_TEST_MAX_INDEX})`);
    }
  }
  await run?.writeJson('inputs.json', audioSetRecord(set));
  const spectra = { spectra: recs.map(set.spectrumOf), params: set.params };
  const { X, input } = audioWindows(spectra, { frames: config.windows.frames, count: config.windows.count, seed: config.windows.seed ?? config.run.seed });
  log(`${d.audioDir}: ${recs.length} recordings -> ${X.rows} windows of ${config.windows.frames} x ${X.cols / config.windows.frames} ${config.spectrum.transform} frames`);
  return { X, input, source: d.audioDir };
}

export async function runSaeExperiment(config: Config, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<SaeExperimentResult> {
  return inRunFolder({ command: 'train-sae', config }, async (run) => {
    const { X, input } = await saeTrainingData(config, log, run);
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
    return { metrics };
  });
}
