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
  requireBoth(split, `the official split (test = index 0-${OFFICIAL_TEST_MAX_INDEX})`);
  return split;
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

function requireBoth(split: Split, what: string): void {
  if (split.train.length === 0 || split.test.length === 0) {
    throw new SflError(
      `${what} leaves the ${split.train.length === 0 ? 'training' : 'test'} set empty ` +
        `(${split.train.length} train, ${split.test.length} test)`,
    );
  }
}

function examples(recs: readonly Recording[]): string {
  return recs.slice(0, 3).map((r) => r.path).join(', ') + (recs.length > 3 ? ', ...' : '');
}
