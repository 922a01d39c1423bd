/**
 * The data of the supervised experiments (softmax, self-taught, stacked), as one value: labelled
 * training and test vectors, optional unlabelled vectors, class names and what the vectors are.
 * This is the seam between a data source and the experiments: the experiments never look at
 * config.data themselves, so a new source (audio) only needs a function returning this shape
 * (chosen in classification-source.ts). The MNIST sources are here.
 */
import type { Matrix } from '../../compute/matrix.ts';
import type { Recording } from '../../data/labeled-set.ts';
import { resolveMnistDir } from '../../data/mnist.ts';
import { SflError } from '../../util/errors.ts';
import type { Config } from '../config.ts';
import type { InputsRecord } from '../run-records.ts';
import { mnistImages } from '../inputs.ts';
import type { InputDescription } from '../../features/input-description.ts';
import type { WindowEncoder } from '../trained-run.ts';

export interface ClassificationData {
  trainX: Matrix;
  /** Class indices 0..classNames.length-1, one per row of trainX. */
  trainY: Int32Array;
  testX: Matrix;
  testY: Int32Array;
  /** Unlabelled vectors for self-taught learning (null when the task needs none). */
  unlabeledX: Matrix | null;
  classNames: string[];
  /** What a row is (drawn filters, saved models). */
  input: InputDescription;
  /** Where the data came from and how it was split, in words and counts (goes to metrics.json). */
  description: Record<string, unknown>;
  /**
   * Audio: the window autoencoder and pooling that made each row from a recording; the run saves
   * them (trained-run.ts) so that it can classify new recordings.
   */
  windowEncoder?: WindowEncoder;
  /** Audio: every file of the folder used or skipped, with the reason (written to the run's inputs.json). */
  inputs?: InputsRecord;
  /** Audio: the recording of each test row, and the split's name (for the run's predictions.json). */
  test?: { split: string; recordings: Recording[] };
}

export type Log = (s: string) => void;

/** Digit labels -> class indices in the order of `digits` (so 5 classes of digits 5-9 are 0..4). */
function toClassIndices(labels: Uint8Array, digits: number[]): Int32Array {
  const index = new Map(digits.map((d, i) => [d, i]));
  return Int32Array.from(labels, (d) => index.get(d)!);
}

function checkDigits(digits: number[], what: string): number[] {
  if (digits.length === 0) throw new SflError(`${what}: the digit set is empty`);
  if (new Set(digits).size !== digits.length) throw new SflError(`${what}: a digit is repeated in ${digits.join(',')}`);
  return [...digits].sort((a, b) => a - b);
}

/** Official MNIST split: training images (data.digits, the first data.count) and all test images of those digits. */
export function mnistTrainTestData(config: Config, log: Log): ClassificationData {
  const dir = resolveMnistDir(config.data.mnistDir ?? undefined);
  const digits = checkDigits(config.data.digits, 'data.digits');
  if (digits.length < 2) throw new SflError(`data.digits: a classifier needs at least 2 digits, got ${digits.join(',')}`);
  const train = mnistImages(dir, { split: 'train', digits, count: config.data.count });
  const test = mnistImages(dir, { split: 'test', digits });
  log(`MNIST ${dir}: ${train.X.rows} training and ${test.X.rows} test images of digits ${digits.join(',')}`);
  return {
    trainX: train.X,
    trainY: toClassIndices(train.labels, digits),
    testX: test.X,
    testY: toClassIndices(test.labels, digits),
    unlabeledX: null,
    classNames: digits.map(String),
    input: train.input,
    description: { source: 'mnist', split: 'official train/test', digits, train: train.X.rows, test: test.X.rows },
  };
}

/**
 * UFLDL's self-taught exercise: unlabelled = all training images of selfTaught.unlabeledDigits;
 * the training images of selfTaught.labeledDigits are split in file order, the first
 * trainFraction for training the classifier and the rest for testing it.
 */
export function mnistSelfTaughtData(config: Config, log: Log): ClassificationData {
  const dir = resolveMnistDir(config.data.mnistDir ?? undefined);
  const st = config.selfTaught;
  const unlabeledDigits = checkDigits(st.unlabeledDigits, 'selfTaught.unlabeledDigits');
  const labeledDigits = checkDigits(st.labeledDigits, 'selfTaught.labeledDigits');
  if (labeledDigits.length < 2) throw new SflError(`selfTaught.labeledDigits: a classifier needs at least 2 digits, got ${labeledDigits.join(',')}`);
  const unlabeled = mnistImages(dir, { split: 'train', digits: unlabeledDigits });
  const labeled = mnistImages(dir, { split: 'train', digits: labeledDigits });
  const nTrain = Math.round(labeled.X.rows * st.trainFraction);
  if (nTrain < 1 || nTrain >= labeled.X.rows) {
    throw new SflError(`selfTaught.trainFraction ${st.trainFraction} of ${labeled.X.rows} labelled images leaves no training or no test image`);
  }
  const d = labeled.X.cols;
  const rows = (a: number, b: number): Matrix => ({ data: labeled.X.data.subarray(a * d, b * d), rows: b - a, cols: d });
  const y = toClassIndices(labeled.labels, labeledDigits);
  const overlap = labeledDigits.filter((x) => unlabeledDigits.includes(x));
  // Overlapping digits are allowed (plain unsupervised pretraining), but then the autoencoder has
  // seen the test images, which is not self-taught learning: say so.
  if (overlap.length > 0) log(`warning: digits ${overlap.join(',')} are both unlabelled and labelled; the autoencoder sees the test images`);
  log(
    `MNIST ${dir}: ${unlabeled.X.rows} unlabelled images of digits ${unlabeledDigits.join(',')}; ` +
      `${labeled.X.rows} labelled images of digits ${labeledDigits.join(',')}: first ${nTrain} train, last ${labeled.X.rows - nTrain} test`,
  );
  return {
    trainX: rows(0, nTrain),
    trainY: y.slice(0, nTrain),
    testX: rows(nTrain, labeled.X.rows),
    testY: y.slice(nTrain),
    unlabeledX: unlabeled.X,
    classNames: labeledDigits.map(String),
    input: labeled.input,
    description: {
      source: 'mnist',
      split: `labelled training images in file order: first ${st.trainFraction} train, rest test`,
      unlabeledDigits,
      labeledDigits,
      unlabeled: unlabeled.X.rows,
      train: nTrain,
      test: labeled.X.rows - nTrain,
    },
  };
}

/** Label problems the experiments cannot recover from: a class with no training example, for one. */
export function checkClassificationData(data: ClassificationData): void {
  const k = data.classNames.length;
  if (k < 2) throw new SflError(`a classifier needs at least 2 classes, got ${k}`);
  if (data.trainX.rows === 0 || data.testX.rows === 0) throw new SflError(`no ${data.trainX.rows === 0 ? 'training' : 'test'} examples`);
  if (data.trainX.cols !== data.testX.cols) throw new SflError(`training vectors have ${data.trainX.cols} values, test vectors ${data.testX.cols}`);
  if (data.unlabeledX && data.unlabeledX.cols !== data.trainX.cols) {
    throw new SflError(`unlabelled vectors have ${data.unlabeledX.cols} values, labelled ones ${data.trainX.cols}`);
  }
  for (const [name, y, X] of [['training', data.trainY, data.trainX], ['test', data.testY, data.testX]] as const) {
    if (y.length !== X.rows) throw new SflError(`${y.length} ${name} labels for ${X.rows} ${name} examples`);
    for (let i = 0; i < y.length; i++) {
      if (!(y[i] >= 0 && y[i] < k)) throw new SflError(`${name} label ${i} (0-based) is ${y[i]}, but there are ${k} classes`);
    }
  }
  const seen = new Array<number>(k).fill(0);
  for (const c of data.trainY) seen[c]++;
  const missing = data.classNames.filter((_, c) => seen[c] === 0);
  if (missing.length > 0) {
    throw new SflError(`class${missing.length > 1 ? 'es' : ''} ${missing.join(', ')} ha${missing.length > 1 ? 've' : 's'} no training example; the classifier could never predict ${missing.length > 1 ? 'them' : 'it'}`);
  }
}
