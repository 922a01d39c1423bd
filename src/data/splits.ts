import { SflError } from '../util/errors.ts';
import { mulberry32, shuffle } from '../util/random.ts';
import { naturalCompare, speakerNames, type Recording } from './labeled-set.ts';

/**
 * A train/test division of recordings. Both lists keep the order of the input, so a split of a
 * sorted set is sorted too; `name` says how it was made (for logs and result files).
 */
export interface Split {
  name: string;
  train: Recording[];
  test: Recording[];
}

/**
 * How to divide a labeled set (the `split` section of a config):
 * - 'auto': 'official' when every file name carries FSDD's recording index and that split puts
 *   every label on both sides, else a seeded, stratified random split (testFraction);
 * - 'official': FSDD's own split by recording index;
 * - 'random': seeded, stratified, testFraction of each label to test;
 * - 'speakers': testSpeakers held out; 'loso': each speaker held out in turn;
 * - 'kfold': stratified K-fold cross-validation (folds = K), one run per fold.
 */
export type SplitKind = 'auto' | 'official' | 'random' | 'speakers' | 'loso' | 'kfold';

export const SPLIT_KINDS: readonly SplitKind[] = ['auto', 'official', 'random', 'speakers', 'loso', 'kfold'];

export interface SplitSpec {
  kind: SplitKind;
  /** Share of each label held out by 'random' (and 'auto' when it falls back to random). */
  testFraction: number;
  testSpeakers: readonly string[];
  /** K of 'kfold'. */
  folds: number;
  /** Seed of 'random' and 'kfold'. */
  seed: number;
}

export interface SplitPlan {
  /** One split per run: 1, or K folds, or one per speaker. */
  splits: Split[];
  /** One line for the user saying which split was used and why. */
  note: string;
}

/** The splits `spec` asks for on `recs`, with the line that tells the user which and why. */
export function planSplits(recs: readonly Recording[], spec: SplitSpec): SplitPlan {
  switch (spec.kind) {
    case 'auto': {
      if (recs.length > 0 && recs.every((r) => r.index !== undefined)) {
        const unusable = officialSplitProblem(recs);
        if (unusable === undefined) {
          const plan = planSplits(recs, { ...spec, kind: 'official' });
          return { ...plan, note: `${plan.note}; the file names carry the recording index (--split to change)` };
        }
        const plan = planSplits(recs, { ...spec, kind: 'random' });
        return { ...plan, note: `${plan.note}; the file names carry a recording index, but FSDD's split by it ${unusable} (--split to change)` };
      }
      const plan = planSplits(recs, { ...spec, kind: 'random' });
      return { ...plan, note: `${plan.note}; the file names carry no recording index for FSDD's split (--split to change)` };
    }
    case 'official':
      return { splits: [officialSplit(recs)], note: `split: official (recording index 0-${OFFICIAL_TEST_MAX_INDEX} test, the rest train)` };
    case 'random':
      return {
        splits: [randomSplit(recs, { testFraction: spec.testFraction, seed: spec.seed })],
        note: `split: seeded stratified random, ${Math.round(100 * spec.testFraction)}% of each label to test (seed ${spec.seed})`,
      };
    case 'speakers':
      if (spec.testSpeakers.length === 0) throw new SflError('split "speakers" needs the speakers to hold out (--test-speakers a,b)');
      return { splits: [speakerSplit(recs, spec.testSpeakers)], note: `split: speakers ${spec.testSpeakers.join(', ')} held out` };
    case 'loso': {
      const splits = leaveOneSpeakerOut(recs);
      return { splits, note: `split: leave one speaker out, ${splits.length} runs` };
    }
    case 'kfold':
      return {
        splits: kFoldSplits(recs, spec.folds, spec.seed),
        note: `split: seeded stratified ${spec.folds}-fold cross-validation (seed ${spec.seed}), ${spec.folds} runs`,
      };
  }
}

/**
 * Stratified K-fold cross-validation: each label's recordings are shuffled (seeded) and dealt
 * round-robin into K folds, so every fold keeps the label proportions; split k tests on fold k
 * and trains on the others. Throws SflError when K < 2 or K exceeds the number of recordings.
 */
export function kFoldSplits(recs: readonly Recording[], k: number, seed: number): Split[] {
  if (!Number.isInteger(k) || k < 2) throw new SflError(`k-fold cross-validation needs at least 2 folds, got ${k}`);
  if (k > recs.length) throw new SflError(`${k}-fold cross-validation needs at least ${k} recordings, there are ${recs.length}`);
  const rng = mulberry32(seed);
  const groups = new Map<string, number[]>();
  recs.forEach((r, i) => {
    const group = groups.get(r.label);
    if (group) group.push(i);
    else groups.set(r.label, [i]);
  });
  const fold = new Int32Array(recs.length);
  // Dealing continues across labels, so small labels do not all land in fold 0.
  let next = 0;
  for (const key of [...groups.keys()].sort(naturalCompare)) {
    for (const i of shuffle(rng, groups.get(key)!)) fold[i] = next++ % k;
  }
  return Array.from({ length: k }, (_, f) => {
    const split: Split = {
      name: `fold ${f + 1}/${k}`,
      train: recs.filter((_, i) => fold[i] !== f),
      test: recs.filter((_, i) => fold[i] === f),
    };
    requireBoth(split, `fold ${f + 1} of ${k}`);
    return split;
  });
}

/** Highest recording index in the test half of FSDD's official split (indices 0-4 are test). */
export const OFFICIAL_TEST_MAX_INDEX = 4;

/**
 * FSDD's official split: index 0-4 test, the rest train. Throws SflError if any recording has no
 * index (its file name did not carry one), or if either half comes out empty.
 */
export function officialSplit(recs: readonly Recording[]): Split {
  const missing = recs.filter((r) => r.index === undefined);
  if (missing.length > 0) {
    throw new SflError(
      `the official split needs a recording index in every file name ({label}_{speaker}_{index}.wav); ` +
        `${missing.length} recording(s) have none, e.g. ${examples(missing)}`,
    );
  }
  const split: Split = {
    name: 'official',
    train: recs.filter((r) => r.index! > OFFICIAL_TEST_MAX_INDEX),
    test: recs.filter((r) => r.index! <= OFFICIAL_TEST_MAX_INDEX),
  };
  requireBoth(split, `the official split (test = index 0-${OFFICIAL_TEST_MAX_INDEX})`, '; --split random divides any folder');
  return split;
}

/**
 * Why FSDD's official split would not serve `recs` (every one carrying an index), or undefined when
 * it would: 'auto' takes it only when each label has recordings on both sides. A folder named like
 * FSDD whose indices are all 5 or more (e.g. yes_en_130.wav) would otherwise get an empty test set.
 */
export function officialSplitProblem(recs: readonly Recording[]): string | undefined {
  const testLabels = new Set(recs.filter((r) => r.index! <= OFFICIAL_TEST_MAX_INDEX).map((r) => r.label));
  const trainLabels = new Set(recs.filter((r) => r.index! > OFFICIAL_TEST_MAX_INDEX).map((r) => r.label));
  if (testLabels.size === 0) return `(test = index 0-${OFFICIAL_TEST_MAX_INDEX}) would leave the test set empty`;
  if (trainLabels.size === 0) return `(train = index above ${OFFICIAL_TEST_MAX_INDEX}) would leave the training set empty`;
  const labels = [...new Set(recs.map((r) => r.label))].sort(naturalCompare);
  const noTest = labels.filter((l) => !testLabels.has(l));
  if (noTest.length > 0) return `would test no recording of ${listed(noTest)}`;
  const noTrain = labels.filter((l) => !trainLabels.has(l));
  if (noTrain.length > 0) return `would train on no recording of ${listed(noTrain)}`;
  return undefined;
}

function listed(labels: readonly string[]): string {
  const shown = labels.slice(0, 5).map((l) => `'${l}'`).join(', ');
  return labels.length > 5 ? `${shown} and ${labels.length - 5} more labels` : shown;
}

export interface RandomSplitOptions {
  /** Share of recordings put in the test set, in (0, 1). */
  testFraction: number;
  seed: number;
  /**
   * Default true: split each label separately (round(n * testFraction) of each label to test),
   * so train and test keep the label proportions.
   */
  stratify?: boolean;
}

/** A seeded random split: the same recordings, fraction and seed always give the same split. */
export function randomSplit(recs: readonly Recording[], opts: RandomSplitOptions): Split {
  const { testFraction, seed, stratify = true } = opts;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new SflError(`test fraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  const rng = mulberry32(seed);
  // Groups are visited in sorted label order and shuffled as index lists, so the result depends
  // only on the input order, the fraction and the seed.
  const groups = new Map<string, number[]>();
  recs.forEach((r, i) => {
    const key = stratify ? r.label : '';
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  const isTest = new Uint8Array(recs.length);
  for (const key of [...groups.keys()].sort(naturalCompare)) {
    const members = shuffle(rng, groups.get(key)!);
    const nTest = Math.round(members.length * testFraction);
    for (let k = 0; k < nTest; k++) isTest[members[k]] = 1;
  }
  const split: Split = {
    name: `random(test=${testFraction}, seed=${seed}${stratify ? ', stratified' : ''})`,
    train: recs.filter((_, i) => !isTest[i]),
    test: recs.filter((_, i) => isTest[i]),
  };
  requireBoth(split, `a random split with test fraction ${testFraction}`);
  return split;
}

/**
 * Leave-speakers-out: the recordings of `testSpeakers` are the test set, all others train, so a
 * model is judged on voices it never heard. Throws SflError for an unknown speaker name, a
 * recording without a speaker, or a split that leaves no training speaker.
 */
export function speakerSplit(recs: readonly Recording[], testSpeakers: readonly string[]): Split {
  const known = requireSpeakers(recs);
  if (testSpeakers.length === 0) throw new SflError('name at least one test speaker');
  const unknown = testSpeakers.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new SflError(`unknown speaker(s): ${unknown.join(', ')} (known speakers: ${known.join(', ')})`);
  }
  const held = new Set(testSpeakers);
  const split: Split = {
    name: `speakers-out(${[...held].sort(naturalCompare).join(',')})`,
    train: recs.filter((r) => !held.has(r.speaker!)),
    test: recs.filter((r) => held.has(r.speaker!)),
  };
  requireBoth(split, `leaving out ${[...held].join(', ')}`);
  return split;
}

/** One speakerSplit per speaker (in sorted speaker order), each holding that speaker out. */
export function leaveOneSpeakerOut(recs: readonly Recording[]): (Split & { speaker: string })[] {
  const speakers = requireSpeakers(recs);
  if (speakers.length < 2) {
    throw new SflError(`leave-one-speaker-out needs at least 2 speakers, found ${speakers.length}: ${speakers.join(', ')}`);
  }
  return speakers.map((speaker) => ({ ...speakerSplit(recs, [speaker]), speaker }));
}

/** Sorted speaker names; SflError if any recording lacks a speaker. */
function requireSpeakers(recs: readonly Recording[]): string[] {
  const missing = recs.filter((r) => r.speaker === undefined);
  if (missing.length > 0) {
    throw new SflError(
      `a speaker split needs the speaker in every file name ({label}_{speaker}_{index}.wav); ` +
        `${missing.length} recording(s) have none, e.g. ${examples(missing)}`,
    );
  }
  return speakerNames(recs);
}

function requireBoth(split: Split, what: string, advice = ''): void {
  if (split.train.length === 0 || split.test.length === 0) {
    throw new SflError(
      `${what} leaves the ${split.train.length === 0 ? 'training' : 'test'} set empty ` +
        `(${split.train.length} train, ${split.test.length} test)${advice}`,
    );
  }
}

function examples(recs: readonly Recording[]): string {
  return recs.slice(0, 3).map((r) => r.path).join(', ') + (recs.length > 3 ? ', ...' : '');
}
