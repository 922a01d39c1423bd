/**
 * Seeded pseudo-random numbers, so every split, initialisation and sample in sfl can be
 * reproduced from one integer seed. Math.random cannot be seeded, hence this module.
 *
 * The generator is mulberry32: 32 bits of state, fast, and good enough for shuffles, weight
 * initialisation and sampling (it is not cryptographic); splitmix53 below only keeps the sparse
 * autoencoder's published initial weights. Every helper takes the generator as its
 * first argument, so independent streams never share hidden state:
 *
 *   const rng = mulberry32(42);
 *   shuffle(rng, items); const w = normal(rng, 0, 0.01);
 */

/** A generator: each call returns the next uniform number in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32 (Tommy Ettinger's public-domain generator). `seed` is reduced to 32 bits, so seeds
 * that differ only above bit 31 give the same stream.
 */
export function mulberry32(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`mulberry32: seed must be a finite number, got ${seed}`);
  let a = Math.trunc(seed) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * splitmix32 outputs taken in pairs to make 53-bit uniforms in [0, 1). The sparse autoencoder's
 * initial weights come from this stream (models/sae/sparse-autoencoder.ts initParams), kept as it
 * was so that every published autoencoder run reproduces bit for bit; everything else uses
 * mulberry32.
 */
export function splitmix53(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}

/** Uniform number in [lo, hi). */
export function uniform(rng: Rng, lo = 0, hi = 1): number {
  return lo + (hi - lo) * rng();
}

/** Uniform integer in [lo, hi) (hi exclusive, like Python's randrange). */
export function randint(rng: Rng, lo: number, hi: number): number {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo) {
    throw new RangeError(`randint: need integers lo < hi, got [${lo}, ${hi})`);
  }
  return lo + Math.floor(rng() * (hi - lo));
}

/**
 * One normal (Gaussian) number by the Box-Muller transform. Only one of the pair is used, which
 * keeps this stateless; use fillNormal to fill arrays with both halves of each pair.
 */
export function normal(rng: Rng, mean = 0, std = 1): number {
  // 1 - rng() lies in (0, 1], so the log is finite.
  const r = Math.sqrt(-2 * Math.log(1 - rng()));
  return mean + std * r * Math.cos(2 * Math.PI * rng());
}

/** Fills `out` with normal numbers (both Box-Muller outputs used) and returns it. */
export function fillNormal<T extends Float32Array | Float64Array>(rng: Rng, out: T, mean = 0, std = 1): T {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const theta = 2 * Math.PI * rng();
    out[i] = mean + std * r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = mean + std * r * Math.sin(theta);
  }
  return out;
}

/** Fills `out` with uniform numbers in [lo, hi) and returns it. */
export function fillUniform<T extends Float32Array | Float64Array>(rng: Rng, out: T, lo = 0, hi = 1): T {
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** Shuffles `items` in place (Fisher-Yates) and returns the same array. */
export function shuffle<T, A extends { length: number; [i: number]: T }>(rng: Rng, items: A): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** A shuffled copy of `items`; the input is left as it was. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  return shuffle(rng, items.slice());
}

/** A random permutation of 0..n-1. */
export function permutation(rng: Rng, n: number): number[] {
  return shuffle(rng, Array.from({ length: n }, (_, i) => i));
}

/** `k` distinct indices from 0..n-1 in random order (a partial Fisher-Yates). */
export function sampleIndices(rng: Rng, n: number, k: number): number[] {
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`sampleIndices: cannot draw ${k} of ${n}`);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const tmp = idx[i];
    idx[i] = idx[j];
    idx[j] = tmp;
  }
  return idx.slice(0, k);
}
