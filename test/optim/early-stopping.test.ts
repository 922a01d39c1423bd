import { describe, expect, it } from 'vitest';
import { EarlyStopping, defaultValidationFrequency } from '../../src/optim/early-stopping.ts';

const opts = { patience: 100, patienceIncrease: 2, improvementThreshold: 0.995, validationFrequency: 10 };

describe('EarlyStopping (the tutorials\' geometrically increasing patience)', () => {
  it('validates every validationFrequency minibatches, counting from 0', () => {
    const es = new EarlyStopping(opts);
    const due = Array.from({ length: 30 }, (_, i) => i).filter((i) => es.validationDue(i));
    expect(due).toEqual([9, 19, 29]);
  });

  it('a significant improvement raises patience to iter * patienceIncrease', () => {
    const es = new EarlyStopping(opts);
    expect(es.report(9, 0.5)).toEqual({ improved: true, significant: true, patience: 100 });
    expect(es.report(79, 0.4)).toEqual({ improved: true, significant: true, patience: 158 });
    // Better, but by less than the threshold: kept as best, patience unchanged.
    expect(es.report(99, 0.3999)).toEqual({ improved: true, significant: false, patience: 158 });
    expect(es.state.bestValidation).toBe(0.3999);
    expect(es.state.bestIter).toBe(99);
    // Worse: nothing changes.
    expect(es.report(109, 0.45).improved).toBe(false);
    expect(es.state.bestIter).toBe(99);
  });

  it('stops once iter reaches patience, and not before', () => {
    const es = new EarlyStopping(opts);
    es.report(9, 0.5);
    expect(es.shouldStop(99)).toBe(false);
    expect(es.shouldStop(100)).toBe(true);
    expect(es.state.done).toBe(true);
  });

  it('stops a run whose validation error stalls, and a run that keeps improving goes on', () => {
    const run = (errorAt: (k: number) => number) => {
      const es = new EarlyStopping(opts);
      for (let iter = 0; iter < 10_000; iter++) {
        if (es.validationDue(iter)) es.report(iter, errorAt(iter));
        if (es.shouldStop(iter)) return iter;
      }
      return -1;
    };
    // Improves until iter 200, flat after: patience grew to 2 * 199 = 398.
    expect(run((i) => (i < 200 ? 1 - i / 1000 : 0.8))).toBe(398);
    // Improves by 1% at every validation, always beating the 0.5% threshold: never stops.
    expect(run((i) => 0.99 ** i)).toBe(-1);
  });

  it('resumes from a saved state', () => {
    const a = new EarlyStopping(opts);
    a.report(59, 0.3);
    const b = new EarlyStopping(opts, JSON.parse(JSON.stringify(a.state)));
    expect(b.state).toEqual(a.state);
    expect(b.report(69, 0.31).improved).toBe(false);
  });

  it('validation frequency: every epoch unless patience is shorter than two epochs', () => {
    expect(defaultValidationFrequency(83, 5000)).toBe(83);
    expect(defaultValidationFrequency(2500, 10000)).toBe(2500);
    expect(defaultValidationFrequency(100, 50)).toBe(25);
  });
});
