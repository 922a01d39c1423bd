/**
 * Labeled audio as classification data for the softmax and stacked experiments: the window-level
 * sparse autoencoder is learned from the training recordings (no labels), every recording is
 * encoded and pooled over time (as in self-taught learning), and the pooled vectors are the rows.
 * The stacked experiment then stacks further autoencoder layers on them and fine-tunes.
 */
import { SflError } from '../../util/errors.ts';
import type { Split } from '../../data/splits.ts';
import type { Config } from '../config.ts';
import { audioSetRecord, loadConfiguredAudioSet, type AudioSet } from '../audio-set.ts';
import { learnAudioFeatures } from '../audio-classifier.ts';
import { pooledFeatureRows, recordingRowsStreamed } from '../recording-features.ts';
import type { ClassificationData, Log } from './classification-data.ts';

/** The folder loaded once, and the classification data of each of its splits, built on demand (one window autoencoder per split). */
export interface AudioFolds {
  names: string[];
  fold(i: number): Promise<ClassificationData>;
}

export async function audioClassificationFolds(config: Config, log: Log): Promise<AudioFolds> {
  if (config.softmax.standardise === 'speaker') throw new SflError('softmax.standardise "speaker" is supported by self-taught and conv, not by this experiment');
  const set = await loadConfiguredAudioSet(config, 'classifier', log);
  return { names: set.splits.map((s) => s.name), fold: (i) => splitData(set, set.splits[i], config, log) };
}

/** The one split the config asks for; SflError when it asks for several (loso, kfold: see cross-validate.ts). */
export async function audioClassificationData(config: Config, log: Log): Promise<ClassificationData> {
  const folds = await audioClassificationFolds(config, log);
  if (folds.names.length !== 1) throw new SflError(`split "${config.split.kind}" gives ${folds.names.length} runs; this experiment takes one split here`);
  return folds.fold(0);
}

async function splitData(set: AudioSet, split: Split, config: Config, log: Log): Promise<ClassificationData> {
  const classNames = set.classNames;
  const train = split.train, test = split.test;
  // Spectrograms produced on demand, one pass to draw the windows, one per side to encode and pool.
  const trainSpectra = set.spectra(train), testSpectra = set.spectra(test);
  log(`${config.data.audioDir}: ${split.name}: ${train.length} training / ${test.length} test recordings; learning window features first`);
  const sae = await learnAudioFeatures(trainSpectra, set.params, config, 'window autoencoder (L-BFGS)', null, log);
  const features = [pooledFeatureRows(sae.model, config.pooling)];
  const [trainX] = await recordingRowsStreamed(trainSpectra, features, 'encoding the training recordings');
  const [testX] = await recordingRowsStreamed(testSpectra, features, 'encoding the test recordings');
  return {
    trainX,
    trainY: set.classIds(train),
    testX,
    testY: set.classIds(test),
    unlabeledX: null,
    classNames,
    // A row is (segment, statistic) blocks of one value per window unit: drawn as units across,
    // blocks down, so a stacked filter's picture shows which window features it combines.
    input: { kind: 'pooled-features', units: config.sae.hidden, blocks: trainX.cols / config.sae.hidden },
    windowEncoder: { sae: sae.model, pool: config.pooling },
    inputs: audioSetRecord(set),
    test: { split: split.name, recordings: test },
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
