import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/compute/matrix.ts';
import { initBackend } from '../../src/compute/backend.ts';
import { fillNormal, mulberry32 } from '../../src/util/random.ts';
import { fastBackendReady, setPlainKernels } from '../../src/features/tf-affine.ts';
import { Whitening } from '../../src/features/whitening.ts';

describe('Whitening through the tfjs backend', () => {
  it('gives the same result as the float64 loops', async () => {
    const name = await initBackend();
    expect(fastBackendReady()).toBe(name !== 'cpu');
    const n = 2000, d = 96;
    const X = matrix(n, d);
    fillNormal(mulberry32(1), X.data, 2, 1);
    for (let r = 0; r < n; r++) for (let c = 1; c < d; c++) X.data[r * d + c] += 0.5 * X.data[r * d + c - 1];
    for (const kind of ['pca', 'zca'] as const) {
      const w = new Whitening({ kind, epsilon: 1e-3, retainVariance: kind === 'pca' ? 0.99 : undefined }).fit(X);
      const Zfast = w.transform(X);
      const Xfast = w.inverseTransform(Zfast);
      setPlainKernels(true);
      const Zplain = w.transform(X);
      const Xplain = w.inverseTransform(Zplain);
      setPlainKernels(false);
      let dz = 0, dx = 0;
      for (let i = 0; i < Zfast.data.length; i++) dz = Math.max(dz, Math.abs(Zfast.data[i] - Zplain.data[i]));
      for (let i = 0; i < Xfast.data.length; i++) dx = Math.max(dx, Math.abs(Xfast.data[i] - Xplain.data[i]));
      expect(dz).toBeLessThan(1e-3);
      expect(dx).toBeLessThan(1e-3);
    }
  });
});
