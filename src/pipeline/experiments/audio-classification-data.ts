/**
 * Labeled audio as classification data for the softmax and stacked experiments: the window-level
 * sparse autoencoder is learned from the training recordings (no labels), every recording is
 * encoded and pooled over time (as in self-taught learning), and the pooled vectors are the rows.
 * The stacked experiment then stacks further autoencoder layers on them and fine-tunes.
 */
import { labelNames, scanLabeledSet } from '../../data/labeled-set.ts';
import { SflError } from '../../util/errors.ts';
import type { Config } from '../config.ts';
import { audioSpectra } from '../inputs.ts';
import { learnAudioFeatures } from '../audio-classifier.ts';
import { recordingFeatures } from '../recording-features.ts';
import type { ClassificationData, Log } from './classification-data.ts';
import { splitsFor } from './audio-self-taught.ts';

export async function audioClassificationData(config: Config, log: Log): Promise<ClassificationData> {
  if (config.softmax.standardise === 'speaker') throw new SflError('softmax.standardise "speaker" is supported by self-taught and conv, not by this experiment');
  const set = scanLabeledSet(config.data.audioDir);
  const splits = splitsFor(config, set.recordings);
  if (splits.length !== 1) throw new SflError(`split.kind "${config.split.kind}" gives ${splits.length} runs; this experiment takes one split (official, random or speakers)`);
  const split = splits[0];
  const classNames = labelNames(set.recordings);
  const spectra = await audioSpectra(set.recordings.map((r) => r.path), config.spectrum);
  const byPath = new Map(spectra.paths.map((p, i) => [p, spectra.spectra[i]] as const));
  const train = split.train.filter((r) => byPath.has(r.path)), test = split.test.filter((r) => byPath.has(r.path));
  const trainSpectra = train.map((r) => byPath.get(r.path)!), testSpectra = test.map((r) => byPath.get(r.path)!);
  log(`${config.data.audioDir}: ${train.length} training / ${test.length} test recordings; learning window features first`);
  const sae = await learnAudioFeatures(trainSpectra, spectra.params, config, 'window autoencoder (L-BFGS)');
  const trainX = recordingFeatures(sae.model, trainSpectra, config.pooling);
  const testX = recordingFeatures(sae.model, testSpectra, config.pooling);
  return {
    trainX,
    trainY: Int32Array.from(train.map((r) => classNames.indexOf(r.label))),
    testX,
    testY: Int32Array.from(test.map((r) => classNames.indexOf(r.label))),
    unlabeledX: null,
    classNames,
    // A row is (segment, statistic) blocks of one value per window unit: drawn as units across,
    // blocks down, so a stacked filter's picture shows which window features it combines.
    input: { kind: 'image', width: config.sae.hidden, height: trainX.cols / config.sae.hidden },
    windowEncoder: { sae: sae.model, pool: config.pooling },
    description: {
      source: 'audio',
      audioDir: config.data.audioDir,
      split: split.name,
      train: train.length,
      test: test.length,
      rows: `recordings: window autoencoder (${config.sae.hidden} units, ${config.windows.frames} frames) pooled ${config.pooling.method} over ${config.pooling.segments} segments`,
      windowAutoencoderCost: sae.lbfgs.cost,
    },
  };
}
