/**
 * The sparse-autoencoder experiment: data (MNIST images or audio windows) -> preprocessing ->
 * sparse autoencoder by L-BFGS -> outputs/<run>/ with the model, config, cost curve, filters.
 */
import { formatDuration } from '../../util/progress.ts';
import type { Config } from '../config.ts';
import { resolveMnistDir } from '../../data/mnist.ts';
import { OFFICIAL_TEST_MAX_INDEX, officialSplitProblem } from '../../data/splits.ts';
import { encodePng } from '../../viz/png.ts';
import type { RunDir } from '../run-dir.ts';
import { audioSetRecord, loadConfiguredAudioSet } from '../audio-set.ts';
import { inRunFolder } from '../run-folder.ts';
import { runMetrics, type RunMetrics } from '../run-metrics.ts';
import { mnistImages, StreamedWindows } from '../inputs.ts';
import type { InputDescription } from '../../features/input-description.ts';
import { saveSaeModel } from '../../models/sae/saved-model.ts';
import { costCurve, trainSae } from '../../models/sae/train.ts';
import { filterPicture } from '../../models/sae/filter-picture.ts';
import { saeTrainOptions } from '../sae-options.ts';
import type { Matrix } from '../../compute/matrix.ts';
import type { Framing } from '../spectra.ts';

export interface SaeExperimentResult {
  runPath: string;
  metrics: RunMetrics;
}

/** Loads the unlabeled training vectors the config asks for. */
export async function saeTrainingData(config: Config, log: (s: string) => void, run?: RunDir): Promise<{ X: Matrix; input: InputDescription; source: string; framing?: Framing }> {
  const d = config.data;
  if (d.source === 'mnist') {
    const dir = resolveMnistDir(d.mnistDir ?? undefined);
    const { X, input } = mnistImages(dir, { digits: d.digits, count: d.count });
    log(`MNIST ${dir}: ${X.rows} training images of digits ${d.digits.join(',')}`);
    return { X, input, source: dir };
  }
  // Audio: any folder, no labels needed. When the file names carry FSDD's recording index (and
  // the split is FSDD's), learn from the training recordings only, so a later classifier's test
  // recordings stay unseen; otherwise from every recording. Whether that applies is decided from
  // the file names before any file is decoded, so ONE window sampler is kept (memory: the windows
  // kept, not the folder, and not twice); spectrograms stream through it a block at a time.
  const w = config.windows;
  const windows = new StreamedWindows({ frames: w.frames, count: w.count, seed: w.seed ?? config.run.seed, sampling: w.sampling });
  let trainOnly = false;
  const set = await loadConfiguredAudioSet(config, 'unsupervised', log, {
    // A recording not offered is still decoded to the end by the loader, so every file is checked.
    onSpectrogramBlocks: async (r, blocks) => {
      if (!trainOnly || r.index! > OFFICIAL_TEST_MAX_INDEX) await windows.offerBlocks(r.path, blocks);
    },
    onScanned: (recs) => {
      // The same choice planSplits makes: 'auto' takes FSDD's split only when it is usable.
      const train = recs.filter((r) => r.index !== undefined && r.index > OFFICIAL_TEST_MAX_INDEX).length;
      const indexed = recs.length > 0 && recs.every((r) => r.index !== undefined);
      trainOnly =
        indexed &&
        (config.split.kind === 'official' ? train > 0 && train < recs.length : config.split.kind === 'auto' && officialSplitProblem(recs) === undefined);
    },
  });
  if (trainOnly) log(`learning from the ${windows.recordings} training recordings of FSDD's split (recording index > ${OFFICIAL_TEST_MAX_INDEX})`);
  await run?.writeJson('inputs.json', audioSetRecord(set));
  const { X, input } = windows.result(set.params, log);
  log(`${d.audioDir}: ${windows.recordings} recordings (${formatDuration(1000 * set.audioSeconds)} of audio in the folder) -> ${X.rows} windows of ${w.frames} x ${X.cols / w.frames} ${config.spectrum.transform} frames (sampling: ${w.sampling})`);
  return { X, input, source: d.audioDir, framing: set.framing };
}

export async function runSaeExperiment(config: Config, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<SaeExperimentResult> {
  return inRunFolder({ command: 'train-sae', config }, async (run) => {
    const { X, input, framing } = await saeTrainingData(config, log, run);
    const res = await trainSae(X, input, saeTrainOptions(config));
    await saveSaeModel(run.path('model'), res.model);
    await run.writeFile('filters.png', encodePng(filterPicture(res.model).image));
    await run.writeFile('cost.png', encodePng(costCurve(res.lbfgs)));
    const metrics = runMetrics({ experiment: 'sae', seed: config.run.seed, finalCost: res.lbfgs.cost }, {
      examples: X.rows,
      spectrum: framing,
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
