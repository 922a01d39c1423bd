import { describe, expect, it } from 'vitest';
import { classScores, confusionMatrix } from '../../src/models/metrics.ts';
import { evaluate, METRICS_SCHEMA, readRunMetrics, runMetrics } from '../../src/pipeline/run-metrics.ts';

// 3 classes; class 2 is never predicted, class 3 (of 4) has no example.
const truth = [0, 0, 0, 0, 1, 1, 2];
const pred = [0, 0, 0, 1, 1, 1, 0];

describe('per-class scores', () => {
  it('precision, recall, F1 and support by hand', () => {
    const s = classScores(confusionMatrix(truth, pred, 4));
    // class 0: 3 of 4 predicted 0 are right (precision 3/4), 3 of its 4 found (recall 3/4).
    expect(s[0]).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, support: 4 });
    // class 1: predicted 3 times, 2 right; both of its examples found.
    expect(s[1].precision).toBeCloseTo(2 / 3, 12);
    expect(s[1].recall).toBe(1);
    expect(s[1].f1).toBeCloseTo((2 * (2 / 3)) / (2 / 3 + 1), 12);
    // class 2: never predicted: precision undefined, recall 0.
    expect(s[2].precision).toBeNaN();
    expect(s[2].recall).toBe(0);
    expect(s[2].f1).toBeNaN();
    expect(s[3]).toEqual({ precision: NaN, recall: NaN, f1: NaN, support: 0 });
  });

  it('an evaluation names each class and writes undefined ratios as null (JSON has no NaN)', () => {
    const e = evaluate(truth, pred, ['a', 'b', 'c', 'd']);
    expect(e.examples).toBe(7);
    expect(e.accuracy).toBeCloseTo(5 / 7, 12);
    expect(e.perClass.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(e.perClass[2]).toEqual({ name: 'c', precision: null, recall: 0, f1: null, support: 1 });
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });
});

describe('the metrics schema', () => {
  it('headline fields first-class, details beside them, and they cannot be overridden by details', () => {
    const test = evaluate([0, 1], [0, 0], ['x', 'y']);
    const m = runMetrics({ experiment: 'softmax', seed: 3, classNames: ['x', 'y'], test, finalCost: 0.5 }, { testAccuracy: 0.99, weightDecay: 1 });
    expect(m).toMatchObject({ schema: METRICS_SCHEMA, experiment: 'softmax', seed: 3, testAccuracy: 0.5, finalCost: 0.5, weightDecay: 1 });
    expect(readRunMetrics(JSON.parse(JSON.stringify(m)), 'other')).toEqual(m);
  });

  it('a newer schema is refused with a sentence', () => {
    expect(() => readRunMetrics({ schema: 99 }, 'sae')).toThrow(/schema 99; this version of sfl reads schema 2/);
  });

  // The layouts earlier versions wrote (copied from their writers), read back with their headline numbers.
  it('reads an audio self-taught run of an earlier version: its only fold rescored per class', () => {
    const old = {
      experiment: 'self-taught', source: 'audio', split: 'official', seed: 1, testAccuracy: 0.75, baselineAccuracy: 0.5, classNames: ['0', '1'],
      folds: [{ name: 'official', testCount: 4, test: { accuracy: 0.75, confusion: [[2, 0], [1, 1]], perClass: { 0: 1, 1: 0.5 } }, trainAccuracy: 1, baseline: { accuracy: 0.5, confusion: [[1, 1], [1, 1]], perClass: {} }, sae: { finalCost: 3 } }],
    };
    const m = readRunMetrics(old, 'self-taught');
    expect(m.testAccuracy).toBe(0.75);
    expect(m.test?.perClass[1]).toEqual({ name: '1', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect((m.baseline as { accuracy: number }).accuracy).toBe(0.5);
    expect(m.finalCost).toBeNull(); // as earlier versions listed it: the costs were inside the folds
    expect(m.upgradedFrom).toMatch(/earlier sfl version/);
  });

  it('reads stacked (after fine-tuning), MNIST baseline (test error) and sparse autoencoder runs of an earlier version', () => {
    const confusion = [[3, 1], [0, 4]];
    const stacked = readRunMetrics({ task: 'stacked', seed: 2, classNames: ['a', 'b'], beforeFineTune: { test: { accuracy: 0.5 } }, afterFineTune: { test: { accuracy: 0.875 } }, test: { examples: 8, accuracy: 0.875, confusion, perClassAccuracy: [0.75, 1] } }, 'run');
    expect(stacked).toMatchObject({ experiment: 'stacked', testAccuracy: 0.875, seed: 2 });
    expect(stacked.test?.perClass.map((c) => c.support)).toEqual([4, 4]);
    expect(readRunMetrics({ model: 'mlp', testError: 0.0163 }, 'mnist-mlp')).toMatchObject({ experiment: 'mnist-mlp', testAccuracy: 1 - 0.0163, test: null });
    expect(readRunMetrics({ finalCost: 0.25, iterations: 7 }, 'sae')).toMatchObject({ experiment: 'sae', testAccuracy: null, finalCost: 0.25, classNames: null });
  });
});
