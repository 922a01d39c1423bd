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
 * With `lastBin` K below N/2, the cepstrum of the log spectrum up to bin K only (fMax, see
 * spectrogram.ts spectrumBins): the even extension of L_0 .. L_K has period 2K, so
 * c[q] = (L_0 + (-1)^q L_K + 2 sum_{0<k<K} L_k cos(pi k q / K)) / (2K), the formula above with
 * N = 2K. That is the real cepstrum the frame would have if it had been recorded at 2K / N times
 * the rate (same duration, same bin spacing): why fMax can be honoured by a cepstrum at all. On a
 * folder where some files were upsampled, whose log spectrum above their own Nyquist frequency is
 * the log floor (-23), the full cepstrum would be dominated by that step (the coefficients would
 * say which rate a file had); capped at the lowest native Nyquist frequency, every file's
 * cepstrum is the one it would have at that rate, which is what a user comparing the sounds
 * expects. Quefrency q is then q / (2 fMax) seconds rather than q / sampleRate.
 *
 * @param frames (frames, N) windowed frames, N a power of two.
 * @param coefficients quefrency bins kept, 1 .. lastBin + 1.
 * @param lastBin K, 1 .. N/2 (default N/2: the whole spectrum).
 * @returns (frames, coefficients).
 */
export function realCepstrum(frames: Matrix, coefficients: number, lastBin = frames.cols / 2): Matrix {
  const n = frames.cols;
  if (lastBin !== n / 2) return bandLimitedCepstrum(frames, coefficients, lastBin);
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

/**
 * The cepstrum basis for the log spectrum's bins 0 .. K: row k, column q holds
 * w_k cos(pi k q / K) / (2K), w = 1 at k = 0 and k = K, else 2 (realCepstrum's formula), bins x
 * coefficients row-major. The angle is reduced mod 2K in integers first, so it is exact. Cached.
 */
export function cepstrumBasis(K: number, coefficients: number): Float64Array {
  const key = `${K}|${coefficients}`;
  let b = bases.get(key);
  if (b) return b;
  b = new Float64Array((K + 1) * coefficients);
  for (let k = 0; k <= K; k++) {
    const weight = k === 0 || k === K ? 1 : 2;
    for (let q = 0; q < coefficients; q++) b[k * coefficients + q] = (weight * Math.cos((Math.PI * ((k * q) % (2 * K))) / K)) / (2 * K);
  }
  bases.set(key, b);
  return b;
}
const bases = new Map<string, Float64Array>();

function bandLimitedCepstrum(frames: Matrix, coefficients: number, K: number): Matrix {
  const n = frames.cols;
  if (!(Number.isInteger(K) && K >= 1 && K <= n / 2)) throw new Error(`realCepstrum: lastBin ${K} outside 1..${n / 2}`);
  const { fft, out } = fftPlan(n);
  const basis = cepstrumBasis(K, coefficients);
  const L = new Float64Array(K + 1);
  const result = matrix(frames.rows, coefficients);
  for (let t = 0; t < frames.rows; t++) {
    fft.realTransform(out, frames.data.subarray(t * n, (t + 1) * n));
    for (let k = 0; k <= K; k++) L[k] = Math.log(Math.hypot(out[2 * k], out[2 * k + 1]) + LOG_FLOOR);
    for (let q = 0; q < coefficients; q++) {
      let acc = 0;
      for (let k = 0; k <= K; k++) acc += L[k] * basis[k * coefficients + q];
      result.data[t * coefficients + q] = acc;
    }
  }
  return result;
}
