import { describe, expect, it } from 'vitest';
import { labelNames, scanLabeledSet, type Recording } from '../../src/data/labeled-set.ts';
import { kFoldSplits, leaveOneSpeakerOut, officialSplit, planSplits, randomSplit, speakerSplit } from '../../src/data/splits.ts';
import { SflError } from '../../src/util/errors.ts';
import { FSDD_DIR } from './helpers.ts';

const fsdd = scanLabeledSet(FSDD_DIR).recordings;

/** How many recordings each key has, e.g. per label. */
function countBy(recs: readonly Recording[], key: (r: Recording) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of recs) out[key(r) ?? ''] = (out[key(r) ?? ''] ?? 0) + 1;
  return out;
}

describe('officialSplit on FSDD', () => {
  const split = officialSplit(fsdd);

  it('gives 2,250 train and 250 test recordings, index 0-4 in test', () => {
    expect(split.train).toHaveLength(2250);
    expect(split.test).toHaveLength(250);
    expect(split.test.every((r) => r.index! <= 4)).toBe(true);
    expect(split.train.every((r) => r.index! >= 5)).toBe(true);
  });

  it('covers the 5 speakers and 10 labels evenly on both sides', () => {
    expect(Object.values(countBy(split.test, (r) => `${r.label}/${r.speaker}`))).toEqual(Array(50).fill(5));
    expect(Object.values(countBy(split.train, (r) => `${r.label}/${r.speaker}`))).toEqual(Array(50).fill(45));
  });

  it('refuses recordings without an index', () => {
    const recs: Recording[] = [...fsdd.slice(0, 3), { path: 'x/dog.wav', label: 'dog' }];
    expect(() => officialSplit(recs)).toThrow(SflError);
    expect(() => officialSplit(recs)).toThrow(/1 recording\(s\) have none, e\.g\. x\/dog\.wav/);
  });
});

describe('speaker splits', () => {
  it('leaves the named speakers out of training', () => {
    const split = speakerSplit(fsdd, ['lucas', 'george']);
    expect(split.test).toHaveLength(1000);
    expect(split.train).toHaveLength(1500);
    expect(new Set(split.test.map((r) => r.speaker))).toEqual(new Set(['george', 'lucas']));
    expect(split.train.some((r) => r.speaker === 'george' || r.speaker === 'lucas')).toBe(false);
    expect(split.name).toBe('speakers-out(george,lucas)');
  });

  it('names unknown speakers and lists the known ones', () => {
    expect(() => speakerSplit(fsdd, ['jackson', 'theo'])).toThrow(
      /unknown speaker\(s\): theo \(known speakers: george, jackson, lucas, nicolas, yweweler\)/,
    );
    expect(() => speakerSplit(fsdd, ['george', 'jackson', 'lucas', 'nicolas', 'yweweler'])).toThrow(/training set empty/);
  });

  it('leave-one-speaker-out gives one split per speaker, together covering every recording once', () => {
    const splits = leaveOneSpeakerOut(fsdd);
    expect(splits.map((s) => s.speaker)).toEqual(['george', 'jackson', 'lucas', 'nicolas', 'yweweler']);
    for (const s of splits) {
      expect(s.test).toHaveLength(500);
      expect(s.train).toHaveLength(2000);
      expect(s.test.every((r) => r.speaker === s.speaker)).toBe(true);
    }
    expect(new Set(splits.flatMap((s) => s.test.map((r) => r.path))).size).toBe(2500);
  });
});

describe('randomSplit', () => {
  it('is reproducible by seed and changes with it', () => {
    const a = randomSplit(fsdd, { testFraction: 0.2, seed: 1 });
    const b = randomSplit(fsdd, { testFraction: 0.2, seed: 1 });
    const c = randomSplit(fsdd, { testFraction: 0.2, seed: 2 });
    expect(b.test.map((r) => r.path)).toEqual(a.test.map((r) => r.path));
    expect(c.test.map((r) => r.path)).not.toEqual(a.test.map((r) => r.path));
  });

  it('is stratified by label and keeps input order', () => {
    const split = randomSplit(fsdd, { testFraction: 0.2, seed: 7 });
    expect(split.test).toHaveLength(500);
    expect(split.train).toHaveLength(2000);
    expect(Object.values(countBy(split.test, (r) => r.label))).toEqual(Array(10).fill(50));
    const order = new Map(fsdd.map((r, i) => [r.path, i]));
    const positions = split.train.map((r) => order.get(r.path)!);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    const all = new Set([...split.train, ...split.test].map((r) => r.path));
    expect(all.size).toBe(2500);
  });

  it('rejects a fraction outside (0, 1)', () => {
    expect(() => randomSplit(fsdd, { testFraction: 1, seed: 1 })).toThrow(SflError);
    expect(() => randomSplit(fsdd, { testFraction: 0, seed: 1 })).toThrow(/between 0 and 1/);
  });
});

describe('kFoldSplits', () => {
  const folds = kFoldSplits(fsdd, 5, 3);

  it('tests every recording exactly once over the folds, never in its own training set', () => {
    expect(folds).toHaveLength(5);
    const tested = folds.flatMap((f) => f.test.map((r) => r.path));
    expect(new Set(tested).size).toBe(fsdd.length);
    expect(tested).toHaveLength(fsdd.length);
    for (const f of folds) {
      const train = new Set(f.train.map((r) => r.path));
      expect(f.test.some((r) => train.has(r.path))).toBe(false);
      expect(f.train.length + f.test.length).toBe(fsdd.length);
    }
  });

  it('is stratified: each fold holds a fifth of every label', () => {
    for (const f of folds) {
      for (const label of labelNames(fsdd)) expect(f.test.filter((r) => r.label === label)).toHaveLength(50);
    }
  });

  it('is reproducible by seed and changes with it', () => {
    const again = kFoldSplits(fsdd, 5, 3);
    expect(again[2].test).toEqual(folds[2].test);
    expect(kFoldSplits(fsdd, 5, 4)[2].test).not.toEqual(folds[2].test);
  });

  it('refuses fewer than 2 folds or more folds than recordings', () => {
    expect(() => kFoldSplits(fsdd, 1, 1)).toThrow(/at least 2 folds/);
    expect(() => kFoldSplits(fsdd.slice(0, 3), 4, 1)).toThrow(/needs at least 4 recordings, there are 3/);
  });
});

describe('planSplits', () => {
  const spec = { kind: 'auto', testFraction: 0.2, testSpeakers: [], folds: 5, seed: 1 } as const;

  it("auto: FSDD's official split when every name carries the recording index, and says why", () => {
    const plan = planSplits(fsdd, spec);
    expect(plan.splits).toEqual([officialSplit(fsdd)]);
    expect(plan.note).toMatch(/^split: official .*carry the recording index/);
  });

  it('auto: a seeded stratified random split when the names carry no index', () => {
    const recs = fsdd.map((r) => ({ path: r.path, label: r.label }));
    const plan = planSplits(recs, spec);
    expect(plan.splits).toEqual([randomSplit(recs, { testFraction: 0.2, seed: 1 })]);
    expect(plan.note).toMatch(/^split: seeded stratified random, 20% of each label to test \(seed 1\); the file names carry no recording index/);
  });

  it("auto: a random split, with the reason, when FSDD-like names' indices would leave the test set empty", () => {
    // A user's folder named like FSDD (word_speaker_index) whose indices are all 5 or more.
    const recs: Recording[] = ['yes', 'no', 'up'].flatMap((label) =>
      [130, 131, 132, 140, 141].map((index) => ({ path: `${label}_en_${index}.wav`, label, speaker: 'en', index })),
    );
    const plan = planSplits(recs, spec);
    expect(plan.splits).toEqual([randomSplit(recs, { testFraction: 0.2, seed: 1 })]);
    expect(plan.splits[0].test.length).toBeGreaterThan(0);
    expect(plan.note).toMatch(/^split: seeded stratified random.*carry a recording index, but FSDD's split by it \(test = index 0-4\) would leave the test set empty/);
    // Asked for by name, the official split refuses in a sentence that says what divides any folder.
    expect(() => planSplits(recs, { ...spec, kind: 'official' })).toThrow(/leaves the test set empty \(15 train, 0 test\); --split random divides any folder/);
  });

  it('auto: a random split when the official one would test no recording of some label', () => {
    // 'yes' has indices 0-4 and above, 'no' only above 4: no 'no' in the official test set.
    const recs: Recording[] = [
      ...[0, 1, 7, 8, 9].map((index) => ({ path: `yes_a_${index}.wav`, label: 'yes', speaker: 'a', index })),
      ...[5, 6, 7, 8, 9].map((index) => ({ path: `no_a_${index}.wav`, label: 'no', speaker: 'a', index })),
    ];
    const plan = planSplits(recs, spec);
    expect(plan.splits[0].name).toMatch(/^random/);
    expect(new Set(plan.splits[0].test.map((r) => r.label))).toEqual(new Set(['yes', 'no']));
    expect(plan.note).toMatch(/would test no recording of 'no'/);
  });

  it('kfold: K runs', () => {
    const plan = planSplits(fsdd, { ...spec, kind: 'kfold', folds: 3 });
    expect(plan.splits.map((s) => s.name)).toEqual(['fold 1/3', 'fold 2/3', 'fold 3/3']);
    expect(plan.note).toMatch(/3-fold cross-validation/);
  });
});
