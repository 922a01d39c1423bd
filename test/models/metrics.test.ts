import { describe, expect, it } from 'vitest';
import { accuracy, accuracyFromConfusion, classScores, confusionMatrix, formatConfusion, perClassAccuracy } from '../../src/models/metrics.ts';
import { SflError } from '../../src/util/errors.ts';

const truth = Int32Array.from([0, 0, 0, 0, 1, 1, 2]);
const pred = Int32Array.from([0, 0, 0, 1, 1, 1, 0]);

describe('metrics', () => {
  it('accuracy', () => {
    expect(accuracy(truth, pred)).toBeCloseTo(5 / 7, 12);
    expect(accuracy([], [])).toBeNaN();
  });

  it('confusion matrix: rows are true classes, columns predicted', () => {
    const c = confusionMatrix(truth, pred, 3);
    expect(c).toEqual([
      [3, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(accuracyFromConfusion(c)).toBeCloseTo(5 / 7, 12);
  });

  it('per-class accuracy, NaN for a class without examples', () => {
    const c = confusionMatrix(truth, pred, 4);
    const pc = perClassAccuracy(c);
    expect(pc[0]).toBeCloseTo(0.75, 12);
    expect(pc[1]).toBe(1);
    expect(pc[2]).toBe(0);
    expect(pc[3]).toBeNaN();
  });

  it('formats a confusion table with class names', () => {
    const c = confusionMatrix(Int32Array.from([0, 0, 0, 0, 1, 1]), Int32Array.from([0, 0, 0, 1, 1, 1]), 2);
    const text = formatConfusion(c, ['cat', 'dog']);
    expect(text).toBe([
      'true \\ pred  cat  dog  total  acc',
      'cat            3    1      4  75.0%',
      'dog            0    2      2  100.0%',
      'overall accuracy 83.3% (5 of 6)',
    ].join('\n'));
    // default names are the indices; a class with no examples shows '-'
    const t2 = formatConfusion([[1, 0], [0, 0]]);
    expect(t2.split('\n')[2]).toMatch(/^1 +0 +0 +0 +-$/);
  });

  it('explains bad input in sentences', () => {
    expect(() => accuracy([0, 1], [0])).toThrow(SflError);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/true label 1 \(0-based\) is 3/);
    expect(() => confusionMatrix([0, 1], [0, -1], 3)).toThrow(/predicted label 1/);
    expect(() => formatConfusion([[1, 0], [0, 1]], ['a'])).toThrow(/1 class names/);
    expect(() => perClassAccuracy([[1, 0]])).toThrow(/square/);
  });
});
