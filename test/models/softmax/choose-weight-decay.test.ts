import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/compute/backend.ts';
import { chooseSoftmaxWeightDecay, heldOutSplit } from '../../../src/models/softmax/choose-weight-decay.ts';
import { SflError } from '../../../src/util/errors.ts';
import { mulberry32 } from '../../../src/util/random.ts';

beforeAll(async () => {
  await initBackend();
});

/** Three classes of 2-d points around distinct centres, sorted by class (as labeled sets often are). */
function blobs(perClass: number, spread: number, seed = 1) {
  const rng = mulberry32(seed);
  const centres = [[0, 0], [3, 0], [0, 3]];
  const data = new Float32Array(3 * perClass * 2);
  const y = new Int32Array(3 * perClass);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = c * perClass + i;
      data[2 * r] = centres[c][0] + spread * (rng() - 0.5);
      data[2 * r + 1] = centres[c][1] + spread * (rng() - 0.5);
      y[r] = c;
    }
  }
  return { X: { data, rows: 3 * perClass, cols: 2 }, y };
}

describe('choosing the softmax weight decay on held-out training rows', () => {
  it('holds out a seeded random draw: disjoint, complete, and not the last rows', () => {
    const a = heldOutSplit(100, 20, 7);
    expect(a.heldOut).toHaveLength(20);
    expect([...a.heldOut, ...a.fit].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Math.min(...a.heldOut)).toBeLessThan(80);
    expect(heldOutSplit(100, 20, 7).heldOut).toEqual(a.heldOut);
    expect(heldOutSplit(100, 20, 8).heldOut).not.toEqual(a.heldOut);
  });

  it('picks the candidate that does best on the held-out rows, and the larger one on a tie', async () => {
    const { X, y } = blobs(40, 1);
    const o = { numClasses: 3, fraction: 0.25, seed: 1, maxIter: 50 };
    const c = await chooseSoftmaxWeightDecay(X, y, [1e-4, 50], o);
    expect(c.weightDecay).toBe(1e-4);
    expect(c.heldOut).toBe(30);
    expect(c.candidates[0].heldOutAccuracy).toBe(1);
    expect(c.candidates[1].heldOutAccuracy).toBeLessThan(1);
    // Well separated classes: both small decays classify every held-out row; the larger wins.
    const tie = await chooseSoftmaxWeightDecay(X, y, [1e-4, 1e-3], o);
    expect(tie.candidates.map((t) => t.heldOutAccuracy)).toEqual([1, 1]);
    expect(tie.weightDecay).toBe(1e-3);
  });

  it('refuses no candidates, a negative one, a fraction outside (0, 1), and too few rows', async () => {
    const { X, y } = blobs(2, 1);
    const o = { numClasses: 3, fraction: 0.2, seed: 1, maxIter: 5 };
    await expect(chooseSoftmaxWeightDecay(X, y, [], o)).rejects.toThrow(/at least one candidate/);
    await expect(chooseSoftmaxWeightDecay(X, y, [-1], o)).rejects.toThrow(/>= 0/);
    await expect(chooseSoftmaxWeightDecay(X, y, [1e-4], { ...o, fraction: 1 })).rejects.toThrow(/between 0 and 1/);
    await expect(chooseSoftmaxWeightDecay({ ...X, rows: 2, data: X.data.subarray(0, 4) }, y.subarray(0, 2), [1e-4], o)).rejects.toThrow(SflError);
  });
});
