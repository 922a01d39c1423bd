/** Synthetic test signals. */

/** amplitude * sin(2 pi f t + phase), n samples at `rate` Hz. */
export function sine(n: number, freq: number, rate: number, amplitude = 1, phase = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin(2 * Math.PI * freq * i / rate + phase));
}

/** Deterministic pseudo-random values in [-1, 1) (mulberry32), so tests never depend on Math.random. */
export function noise(n: number, seed = 1): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

/** Frequency estimated from upward zero crossings, ignoring `skip` samples at each end (Hz). */
export function zeroCrossingFrequency(x: Float32Array, rate: number, skip = 0): number {
  const crossings: number[] = [];
  for (let i = skip + 1; i < x.length - skip; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) crossings.push(i - 1 + -x[i - 1] / (x[i] - x[i - 1]));
  }
  const periods = crossings.length - 1;
  return periods * rate / (crossings[periods] - crossings[0]);
}

/** Root mean square over [start, end). */
export function rms(x: Float32Array, start = 0, end = x.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += x[i] * x[i];
  return Math.sqrt(s / (end - start));
}
