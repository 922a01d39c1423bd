/**
 * meyda is a real-time feature library; its amplitude spectrum is exact (N/2 bins, Nyquist
 * dropped), so it serves as an independent check of our FFT magnitudes. Its mel bands and MFCC
 * are NOT used (they follow no reference implementation; see src/audio/mfcc.ts).
 */
import { describe, expect, it } from 'vitest';
import MeydaModule from 'meyda';
import { matrix } from '../../src/compute/matrix.ts';
import { spectrum } from '../../src/audio/fft.ts';

describe('our FFT magnitudes agree with meyda\'s amplitudeSpectrum', () => {
  it('on a two-tone signal plus seeded noise (rectangular window, N = 512)', () => {
    const N = 512;
    const x = new Float32Array(N);
    let s = 7;
    for (let n = 0; n < N; n++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      x[n] = 0.5 * Math.sin((2 * Math.PI * 37 * n) / N) + 0.2 * Math.cos((2 * Math.PI * 101.5 * n) / N) + 0.05 * (s / 2147483648 - 0.5);
    }
    // meyda's types omit 'rect' (its code accepts it) and its CommonJS default export types
    // resolve to the namespace under NodeNext: describe the three fields used here.
    const Meyda = ((MeydaModule as unknown as { default?: unknown }).default ?? MeydaModule) as {
      bufferSize: number;
      windowingFunction: string;
      extract(feature: string, signal: number[]): unknown;
    };
    Meyda.bufferSize = N;
    Meyda.windowingFunction = 'rect';
    const theirs = Meyda.extract('amplitudeSpectrum', Array.from(x)) as unknown as Float32Array;
    const ours = spectrum(matrix(1, N, x), false).data;
    expect(theirs.length).toBe(N / 2);
    let worst = 0;
    for (let k = 0; k < N / 2; k++) worst = Math.max(worst, Math.abs(ours[k] - theirs[k]) / (1 + Math.abs(theirs[k])));
    expect(worst).toBeLessThan(1e-4);
  });
});
