import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileRowKernels, ROW_KERNELS_WASM } from '../../scripts/build-row-kernels.ts';
import { hostKernelKind, pickHostKernels, simdKernelsRun } from '../../src/compute/engine.ts';
import { kernelArena } from '../../src/compute/kernel-arena.ts';
import type { HostKernelKind, KernelArena } from '../../src/compute/row-kernels.ts';
import { mulberry32 } from '../../src/util/random.ts';

const EPS = 2 ** -24;

/** The same random contents (uniform in [-1, 1]) in a JavaScript and a WebAssembly arena. */
function twin<F extends string, D extends string>(seed: number, f32: Record<F, number>, f64: Record<D, number>): Record<HostKernelKind, KernelArena<F, D>> {
  const js = kernelArena('js', f32, f64);
  const simd = kernelArena('simd', f32, f64);
  const rng = mulberry32(seed);
  for (const name of Object.keys(f32) as F[]) {
    js.f32[name].forEach((_, i, a) => (a[i] = 2 * rng() - 1));
    simd.f32[name].set(js.f32[name]);
  }
  return { js, simd };
}

/** Element by element within tol(i) of the reference. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: (i: number) => number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= tol(i))) throw new Error(`element ${i}: ${actual[i]} against ${expected[i]} (tolerance ${tol(i)})`);
  }
}

// Lengths that are not multiples of four (and a few that are), at an odd offset into W, so
// both the vector loops and the scalar tails run, on unaligned rows.
const LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 13, 31, 37, 101];
const O = 3;

describe('WebAssembly SIMD row kernels', () => {
  it('the committed row-kernels.wasm is the compiled row-kernels.wat (npm run build:wasm)', async () => {
    expect(Buffer.from(await compileRowKernels()).equals(readFileSync(ROW_KERNELS_WASM))).toBe(true);
  });

  it('run on this engine (Node 20 has fixed-width SIMD), so the other tests test them', () => {
    expect(simdKernelsRun()).toBe(true);
  });

  describe('each row kernel equals the JavaScript reference on odd lengths', () => {
    for (const n of LENGTHS) {
      it(`n = ${n}`, () => {
        const sizes = { W: O + n + 2, v: n, u: n, y: n };
        // dot: float32 sums against float64 ones, within the bound of recursive summation.
        const d = twin(n, sizes, {});
        const scale = d.js.f32.v.reduce((s, v, j) => s + Math.abs(v * d.js.f32.W[O + j]), 0);
        expect(Math.abs(d.simd.row.dot(d.simd.f32.W, O, d.simd.f32.v, n) - d.js.row.dot(d.js.f32.W, O, d.js.f32.v, n))).toBeLessThanOrEqual((n + 2) * EPS * scale);

        const y = twin(n, sizes, {});
        for (const k of ['js', 'simd'] as const) y[k].row.axpyFromRow(y[k].f32.y, 0.37, y[k].f32.W, O, n);
        expectClose(y.simd.f32.y, y.js.f32.y, () => 3 * EPS);
        expectClose(y.simd.f32.W, y.js.f32.W, () => 0);

        for (const shrink of [1, 0.99]) {
          const t = twin(n, sizes, {});
          const s = t.js.f32.v.reduce((a, v, j) => a + Math.abs(v * t.js.f32.W[O + j]), 0);
          const dots = (['js', 'simd'] as const).map((k) => t[k].row.dotThenUpdate(t[k].f32.W, O, t[k].f32.v, shrink, 0.21, n));
          expect(Math.abs(dots[1] - dots[0])).toBeLessThanOrEqual((n + 2) * EPS * s);
          expectClose(t.simd.f32.W, t.js.f32.W, () => 3 * EPS);

          for (const withU of [false, true]) {
            const w = twin(n, sizes, {});
            for (const k of ['js', 'simd'] as const) w[k].row.update(w[k].f32.W, O, shrink, 0.21, w[k].f32.v, -0.43, withU ? w[k].f32.u : null, n);
            expectClose(w.simd.f32.W, w.js.f32.W, () => 4 * EPS);
          }
        }
      });
    }
  });

  describe('each whole-layer kernel equals the JavaScript reference', () => {
    const nIn = 37;
    const nOut = 13;
    const sizes = { W: nIn * nOut, b: nOut, x: nIn, out: nOut, delta: nOut, dx: nIn, bv: nIn, da: nIn, dh: nOut };
    const tight = (v: ArrayLike<number>) => () => 1e-6 * Math.max(1, ...Array.from(v, Math.abs));
    /** Every third input zero, like blank or corrupted pixels. */
    const withZeros = (a: KernelArena<keyof typeof sizes, 'a'>) => a.f32.x.forEach((_, i, x) => (x[i] = i % 3 === 0 ? 0 : Math.abs(x[i])));

    it('forward: b + x W, skipping the rows of zero inputs', () => {
      const t = twin(1, sizes, { a: nIn });
      for (const k of ['js', 'simd'] as const) {
        withZeros(t[k]);
        // A skipped row may hold anything: NaN would reach the output if it were read.
        for (let i = 0; i < nIn; i += 3) t[k].f32.W.fill(NaN, i * nOut, (i + 1) * nOut);
        t[k].layer.forward(t[k].f32.W, t[k].f32.x, nIn, nOut, t[k].f32.b, t[k].f32.out);
      }
      expect(t.js.f32.out.every(Number.isFinite)).toBe(true);
      expectClose(t.simd.f32.out, t.js.f32.out, tight(t.js.f32.out));
    });

    for (const shrink of [1, 0.995]) {
      for (const withDx of [true, false]) {
        it(`backward: dx with the old weights and the step in one pass (shrink ${shrink}, ${withDx ? 'with' : 'without'} dx)`, () => {
          const t = twin(2, sizes, { a: nIn });
          for (const k of ['js', 'simd'] as const) withZeros(t[k]);
          const before = t.js.f32.W.slice();
          for (const k of ['js', 'simd'] as const) {
            const a = t[k].f32;
            t[k].layer.backward(a.W, a.x, a.delta, nIn, nOut, 0.3, shrink, withDx ? a.dx : null);
          }
          expectClose(t.simd.f32.W, t.js.f32.W, () => 4 * EPS);
          expectClose(t.simd.f32.dx, t.js.f32.dx, tight(t.js.f32.dx));
          // Rows of zero inputs change only by the weight decay.
          if (shrink === 1) for (let i = 0; i < nIn; i += 3) expect(t.simd.f32.W.subarray(i * nOut, (i + 1) * nOut)).toEqual(before.subarray(i * nOut, (i + 1) * nOut));
          else expect(t.simd.f32.W[0]).not.toBe(before[0]);
        });
      }
    }

    it('daDecode: the reconstruction, its error, and W da in one pass', () => {
      const t = twin(3, sizes, { a: nIn });
      for (const k of ['js', 'simd'] as const) {
        const a = t[k].f32;
        a.out.forEach((v, j, h) => (h[j] = 0.5 + 0.5 * v)); // h: sigmoid outputs
        a.x.forEach((v, i, x) => (x[i] = Math.abs(v)));
        a.dh.fill(7); // overwritten
        t[k].layer.daDecode(a.W, a.out, a.bv, a.x, nIn, nOut, a.da, t[k].f64.a, a.dh);
      }
      expectClose(t.simd.f64.a, t.js.f64.a, tight(t.js.f64.a));
      expectClose(t.simd.f32.da, t.js.f32.da, tight(t.js.f32.da));
      expectClose(t.simd.f32.dh, t.js.f32.dh, tight(t.js.f32.dh));
    });

    it('daUpdate: both terms of the tied weights, the second only for nonzero inputs; the visible bias', () => {
      const t = twin(4, sizes, { a: nIn });
      for (const k of ['js', 'simd'] as const) {
        withZeros(t[k]);
        const a = t[k].f32;
        t[k].layer.daUpdate(a.W, a.out, a.da, a.x, a.dh, 0.1, nIn, nOut, a.bv);
      }
      expectClose(t.simd.f32.W, t.js.f32.W, () => 4 * EPS);
      expectClose(t.simd.f32.bv, t.js.f32.bv, () => 2 * EPS);
    });

    it('sumSquares', () => {
      const t = twin(5, sizes, { a: nIn });
      expect(t.simd.layer.sumSquares(t.simd.f32.W)).toBeCloseTo(t.js.layer.sumSquares(t.js.f32.W), 12);
    });

    it('refuse arrays outside their memory, or too short', () => {
      const t = twin(6, sizes, { a: nIn });
      const a = t.simd.f32;
      expect(() => t.simd.layer.forward(a.W, new Float32Array(nIn), nIn, nOut, a.b, a.out)).toThrow(/outside their memory/);
      expect(() => t.simd.layer.forward(a.W, a.x, nIn + 1, nOut, a.b, a.out)).toThrow(/need/);
    });
  });
});

describe('the choice of host kernels', () => {
  const saved = process.env.SFL_HOST_KERNELS;
  afterEach(() => {
    if (saved === undefined) delete process.env.SFL_HOST_KERNELS;
    else process.env.SFL_HOST_KERNELS = saved;
  });

  it('SIMD where it runs, else the JavaScript fallback; SFL_HOST_KERNELS forces one', () => {
    expect(pickHostKernels(undefined, true)).toBe('simd');
    expect(pickHostKernels(undefined, false)).toBe('js');
    expect(pickHostKernels('', false)).toBe('js');
    expect(pickHostKernels('js', true)).toBe('js');
    expect(pickHostKernels('simd', true)).toBe('simd');
    expect(() => pickHostKernels('simd', false)).toThrow(/cannot run/);
    expect(() => pickHostKernels('fast', true)).toThrow(/js or simd/);
  });

  it('reads SFL_HOST_KERNELS when a layer is made', () => {
    process.env.SFL_HOST_KERNELS = 'js';
    expect(hostKernelKind()).toBe('js');
    delete process.env.SFL_HOST_KERNELS;
    expect(hostKernelKind()).toBe('simd');
  });
});
