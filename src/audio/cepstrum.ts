import { matrix, type Matrix } from '../compute/matrix.ts';
import { fftPlan } from './fft.ts';
import { LOG_FLOOR } from './scale.ts';

// Full-length complex buffers for the inverse transform, one pair per size, reused across frames.
const buffers = new Map<number, { logSpec: number[]; ceps: number[] }>();

/**
 * Real cepstrum of each windowed frame: c[n] = Re(IDFT(ln(|X_k| + LOG_FLOOR)))[n], n = 0 .. coefficients-1
 * (quefrency in samples; the IDFT includes the 1/N factor). Because ln|X| is real and even in k,
 * c is real and even in n, so only n <= N/2 carries information.
 *
 * @param frames (frames, N) windowed frames, N a power of two.
 * @param coefficients quefrency bins kept, 1 .. N/2 + 1.
 * @returns (frames, coefficients).
 */
export function realCepstrum(frames: Matrix, coefficients: number): Matrix {
  const n = frames.cols;
  const { fft, out } = fftPlan(n);
  let buf = buffers.get(n);
  if (!buf) {
    buf = { logSpec: fft.createComplexArray() as number[], ceps: fft.createComplexArray() as number[] };
    buffers.set(n, buf);
  }
  const { logSpec, ceps } = buf;
  const half = n / 2;
  const result = matrix(frames.rows, coefficients);
  for (let t = 0; t < frames.rows; t++) {
    fft.realTransform(out, frames.data.subarray(t * n, (t + 1) * n));
    for (let k = 0; k <= half; k++) {
      const l = Math.log(Math.hypot(out[2 * k], out[2 * k + 1]) + LOG_FLOOR);
      logSpec[2 * k] = l;
      logSpec[2 * k + 1] = 0;
      if (k > 0 && k < half) {
        logSpec[2 * (n - k)] = l; // mirror: the spectrum of a real frame is conjugate-symmetric
        logSpec[2 * (n - k) + 1] = 0;
      }
    }
    fft.inverseTransform(ceps, logSpec);
    for (let q = 0; q < coefficients; q++) result.data[t * coefficients + q] = ceps[2 * q];
  }
  return result;
}
