import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { binCount } from './fft.ts';
import { frameSizeAt, HALF_FRAME, hopAt, type HopLength, type SampleLength } from './frame-length.ts';
import { PAD_MODES, type PadMode } from './frames.ts';
import { MEL_NORMS, MEL_SCALES, type MelNorm, type MelScale } from './mel.ts';
import { LOG_SCALES, type LogScale } from './scale.ts';
import { WINDOW_TYPES, type WindowType } from './window.ts';

/**
 * What a spectrogram is: its parameters, their defaults and checks. Computing one (whole or from
 * blocks of samples) is spectrogram-stream.ts.
 */

export type Transform = 'fft' | 'mel' | 'bark' | 'mfcc' | 'cepstrum';
export const TRANSFORMS: readonly Transform[] = ['fft', 'mel', 'bark', 'mfcc', 'cepstrum'];

/**
 * Everything that defines a spectral representation. Output is always time-major:
 * a Matrix (frames, width) with frames = frameCount(samples.length, frameSize, hop) (see frames.ts)
 * and width = spectrumWidth(params).
 */
export interface SpectrumParams {
  /**
   * 'fft': one-sided spectrum, frameSize/2 + 1 bins (DC .. Nyquist) at k * sampleRate / frameSize Hz.
   * 'mel': `bands` HTK triangular mel filters (mel.ts). 'bark': `bands` rectangular Bark bands (bark.ts).
   * 'mfcc': `coefficients` DCT-II (ortho) coefficients of log mel energies. 'cepstrum': first
   * `coefficients` quefrency bins of the real cepstrum. Default 'mel'.
   */
  transform: Transform;
  /** Sample rate of the input, Hz. No default: it comes from the file. */
  sampleRate: number;
  /** Samples per frame = FFT size, a power of two. Default 32 ms (SPECTRUM_DEFAULTS): 256 samples at 8 kHz. */
  frameSize: number;
  /** Samples between frame starts. Default half the frame (SPECTRUM_DEFAULTS, frame-length.ts HALF_FRAME): 128 samples at 8 kHz. */
  hop: number;
  /** Analysis window (periodic). Default 'hann'. */
  window: WindowType;
  /**
   * Centre frame t on sample t * hop, padding frameSize/2 samples at each end, with librosa's
   * frame count 1 + floor(length / hop) (frames.ts). Default false.
   */
  center: boolean;
  /** With center: 'constant' (zeros, librosa >= 0.10) or 'reflect' (librosa < 0.10). Default 'constant'. */
  padMode: PadMode;
  /** Number of mel or bark bands (mfcc uses the mel bands). Default 40. */
  bands: number;
  /** mel/mfcc: 'htk' (default) or 'slaney' (librosa's default) mel scale (mel.ts). */
  melScale: MelScale;
  /** mel/mfcc: 'none' (peak 1, default) or 'slaney' (equal area, librosa's default) filters (mel.ts). */
  melNorm: MelNorm;
  /**
   * Lowest frequency analysed, Hz: the mel/bark filterbank's lower edge; fft keeps the bins from
   * it up (spectrumBins). Must be 0 for cepstrum (its log spectrum starts at DC). Default 0.
   */
  fMin: number;
  /**
   * Highest frequency analysed, Hz: the mel/bark filterbank's upper edge; fft keeps the bins up
   * to it; cepstrum is taken of the log spectrum up to it (cepstrum.ts). Default sampleRate / 2,
   * or the lowest native Nyquist frequency when inputs were upsampled (resolveSpectrum).
   */
  fMax: number;
  /**
   * fft/mel/bark/mfcc: true = power |X|^2 (default), false = magnitude |X|, fed to the filters.
   * Ignored by cepstrum (always ln|X|).
   */
  power: boolean;
  /**
   * fft/mel/bark: take the log of the output, as `logScale` says. Default true. Ignored by mfcc
   * (always ln of mel) and cepstrum (always ln|X|).
   */
  log: boolean;
  /**
   * With log: 'ln' = ln(x + 1e-10) (LOG_FLOOR in scale.ts; -23.03 for digital silence), default;
   * 'db' = 10 log10(max(x, 1e-10)) (librosa.power_to_db with ref=1.0, amin=1e-10).
   */
  logScale: LogScale;
  /**
   * With logScale 'db': raise every value to at least the recording's maximum minus topDb dB
   * (librosa.power_to_db's top_db, default there 80); null = no floor. Default null.
   */
  topDb: number | null;
  /** Coefficients kept by mfcc (1 .. bands) and cepstrum (1 .. frameSize/2 + 1). Default 13. */
  coefficients: number;
  /** bark only: raise band energies to 0.23 (specific loudness, bark.ts) before any log. Default false. */
  specificLoudness: boolean;
  /**
   * Subtract each column's mean over the recording's frames, last (cepstral mean normalisation
   * for mfcc/cepstrum, its log-spectral equivalent for log fft/mel/bark). A fixed colouring of
   * the spectrum - the microphone, the room, the recording level, part of a speaker's voice - is
   * an additive constant per band in log units, so this removes it and keeps how the sound changes
   * over time. Default false.
   */
  meanNormalise: boolean;
  /**
   * Trim silence: drop the leading and trailing frames whose energy (sum of squared windowed
   * samples) is more than this many dB below the loudest frame's; null keeps every frame. Keeps
   * the time segments of different recordings aligned on the sound rather than on how much
   * silence a speaker left around it. Default null.
   */
  trimDb: number | null;
}

/**
 * Spectrum settings as a user gives them: SpectrumParams less the two that depend on the signal
 * (sampleRate, and fMax = its Nyquist frequency), with the frame size and hop either samples or
 * durations (frame-length.ts), which only mean samples once the rate is known, and the hop
 * possibly "half" (half the frame).
 */
export type SpectrumSettings = Omit<SpectrumParams, 'sampleRate' | 'fMax' | 'frameSize' | 'hop'> & {
  frameSize: SampleLength;
  hop: HopLength;
};

/**
 * The defaults documented on SpectrumParams. The frame is a duration, so a recording at any rate
 * is cut into frames of about the same length in time (32 ms: 256 samples at 8 kHz, 1024 at
 * 44.1 kHz, 2048 at 48 kHz), and the hop half of it, so they overlap by half at every rate (128,
 * 512, 1024). The sfl config's spectrum defaults are these too.
 */
export const SPECTRUM_DEFAULTS: Readonly<SpectrumSettings> = Object.freeze({
  transform: 'mel',
  frameSize: '32ms',
  hop: HALF_FRAME,
  window: 'hann',
  center: false,
  padMode: 'constant',
  bands: 40,
  melScale: 'htk',
  melNorm: 'none',
  fMin: 0,
  power: true,
  log: true,
  logScale: 'ln',
  topDb: null,
  coefficients: 13,
  specificLoudness: false,
  meanNormalise: false,
  trimDb: null,
});

/**
 * The frequencies a spectrum covers, as used and as asked, for a run's records: a duration or
 * "Nyquist" only means Hz once the rate is known, and the upper frequency may have been lowered
 * without being asked (cappedBy).
 */
export interface FrequencyRange {
  fMin: number;
  fMax: number;
  /** fMax as given, or 'Nyquist' when none was (the default). */
  askedFMax: number | 'Nyquist';
  /**
   * When no fMax was given and some inputs were upsampled: the lowest native rate among them,
   * whose Nyquist frequency fMax is (else null).
   */
  cappedBy: number | null;
}

/** What is known of the inputs before they are resampled to the analysis rate. */
export interface SpectrumInputs {
  /** The rates of the input files as recorded (each once); empty or absent when unknown. */
  nativeRates?: readonly number[];
}

/**
 * Settings (any subset; null or undefined keeps the default) at `sampleRate` Hz -> complete,
 * validated SpectrumParams. The one place where a frame size or hop given as a duration becomes
 * samples (frame-length.ts: the frame to the nearest power of two, the hop to whole samples or
 * half the frame), and where the frequency range is decided (resolveSpectrum).
 * fMax null or absent is the Nyquist frequency (or the cap of resolveSpectrum when `inputs` say
 * files were upsampled). @throws SflError naming the bad setting.
 */
export function resolveSpectrumParams(
  settings: Partial<SpectrumSettings> & { fMax?: number | null; [other: string]: unknown },
  sampleRate: number,
  inputs: SpectrumInputs = {},
): SpectrumParams {
  return resolveSpectrum(settings, sampleRate, inputs).params;
}

/**
 * resolveSpectrumParams, with the frequency range it chose described. When no fMax was given and
 * some inputs have a native rate below the analysis rate, fMax is the lowest native Nyquist
 * frequency: an upsampled file has nothing above its own Nyquist, so every column above it would
 * be empty for those files only, and features learned from them would tell which rate a file had,
 * not what it sounds like. This holds for every transform (fft drops those bins, cepstrum is taken
 * of the log spectrum below it). Downsampling only (every file at or above the analysis rate)
 * changes nothing, and neither does an fMin at or above that Nyquist frequency.
 */
export function resolveSpectrum(
  settings: Partial<SpectrumSettings> & { fMax?: number | null; [other: string]: unknown },
  sampleRate: number,
  inputs: SpectrumInputs = {},
): { params: SpectrumParams; range: FrequencyRange } {
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (v !== undefined && v !== null && (k in SPECTRUM_DEFAULTS || k === 'fMax')) given[k] = v;
  }
  const askedFMax = typeof given.fMax === 'number' ? given.fMax : 'Nyquist';
  const fMin = (given.fMin as number | undefined) ?? SPECTRUM_DEFAULTS.fMin;
  const lowest = inputs.nativeRates?.length ? Math.min(...inputs.nativeRates) : Infinity;
  const cappedBy = askedFMax === 'Nyquist' && lowest < sampleRate && fMin < lowest / 2 ? lowest : null;
  const s = { ...SPECTRUM_DEFAULTS, fMax: cappedBy !== null ? cappedBy / 2 : sampleRate / 2, ...given } as SpectrumSettings & { fMax: number };
  const frameSize = frameSizeAt(s.frameSize, sampleRate);
  const params: SpectrumParams = { ...s, sampleRate, frameSize, hop: hopAt(s.hop, sampleRate, frameSize) };
  validateSpectrumParams(params);
  if (params.hop > params.frameSize) {
    // Only a hop given explicitly can get here (half the frame never does): name what to change,
    // as a flag and as a config key, since either may have set it.
    const asked = (v: SampleLength, n: number) => (typeof v === 'number' ? `${n}` : `${v} = ${n}`);
    throw new SflError(
      `the hop (--hop, spectrum.hop: ${asked(s.hop, params.hop)} samples) is longer than the frame (--frame, spectrum.frameSize: ${asked(s.frameSize, params.frameSize)} samples) at ${sampleRate} Hz, so samples would be skipped: give a shorter hop or a longer frame, or leave the hop at "half" (half the frame)`,
    );
  }
  return { params, range: { fMin: params.fMin, fMax: params.fMax, askedFMax, cappedBy } };
}

/** The defaults documented on SpectrumParams, for a signal at `sampleRate` Hz. */
export function defaultSpectrumParams(sampleRate: number): SpectrumParams {
  return resolveSpectrumParams({}, sampleRate);
}

/** Columns of the spectrogram for these params. */
export function spectrumWidth(p: SpectrumParams): number {
  switch (p.transform) {
    case 'fft': {
      const { first, last } = spectrumBins(p);
      return last - first + 1;
    }
    case 'mel':
    case 'bark':
      return p.bands;
    default:
      return p.coefficients;
  }
}

/**
 * The FFT bins k (at k * sampleRate / frameSize Hz) from fMin to fMax inclusive: the columns fft
 * keeps, and for cepstrum (fMin 0) the log spectrum it is taken of. All of 0 .. frameSize/2 at
 * the defaults. A bin exactly on an edge is kept (the tolerance absorbs the rounding of k * rate / N).
 */
export function spectrumBins(p: Pick<SpectrumParams, 'sampleRate' | 'frameSize' | 'fMin' | 'fMax'>): { first: number; last: number } {
  const perHz = p.frameSize / p.sampleRate;
  const first = Math.max(0, Math.ceil(p.fMin * perHz - 1e-9));
  const last = Math.min(binCount(p.frameSize) - 1, Math.floor(p.fMax * perHz + 1e-9));
  return { first, last };
}

/**
 * Check params, throwing SflError with the offending field for anything out of range.
 * (Filterbank edges are checked again where the bank is built.)
 */
export function validateSpectrumParams(p: SpectrumParams): void {
  const fail = (msg: string) => {
    throw new SflError(`spectrum params: ${msg}`);
  };
  if (!TRANSFORMS.includes(p.transform)) fail(`unknown transform '${p.transform}' (expected ${TRANSFORMS.join(', ')})`);
  if (!WINDOW_TYPES.includes(p.window)) fail(`unknown window '${p.window}' (expected ${WINDOW_TYPES.join(', ')})`);
  if (!(p.sampleRate > 0)) fail(`sampleRate must be > 0, got ${p.sampleRate}`);
  if (!Number.isInteger(p.frameSize) || p.frameSize < 2 || (p.frameSize & (p.frameSize - 1)) !== 0) {
    fail(`frameSize must be a power of two >= 2, got ${p.frameSize}`);
  }
  if (!Number.isInteger(p.hop) || p.hop < 1) fail(`hop must be a positive integer, got ${p.hop}`);
  if (p.trimDb != null && !(p.trimDb > 0)) fail(`trimDb must be a positive number of dB or null, got ${p.trimDb}`);
  if (!PAD_MODES.includes(p.padMode)) fail(`unknown padMode '${p.padMode}' (expected ${PAD_MODES.join(', ')})`);
  if (!MEL_SCALES.includes(p.melScale)) fail(`unknown melScale '${p.melScale}' (expected ${MEL_SCALES.join(', ')})`);
  if (!MEL_NORMS.includes(p.melNorm)) fail(`unknown melNorm '${p.melNorm}' (expected ${MEL_NORMS.join(', ')})`);
  if (!LOG_SCALES.includes(p.logScale)) fail(`unknown logScale '${p.logScale}' (expected ${LOG_SCALES.join(', ')})`);
  if (p.topDb != null && !(p.topDb >= 0)) fail(`topDb must be a non-negative number of dB or null, got ${p.topDb}`);
  if (p.topDb != null && p.logScale !== 'db') fail(`topDb needs logScale 'db' (it is a floor in dB)`);
  if (p.transform === 'mel' || p.transform === 'bark' || p.transform === 'mfcc') {
    if (!Number.isInteger(p.bands) || p.bands < 1) fail(`bands must be a positive integer, got ${p.bands}`);
  }
  if (!(p.fMin >= 0 && p.fMin < p.fMax && p.fMax <= p.sampleRate / 2)) {
    fail(`need 0 <= fMin < fMax <= sampleRate/2 = ${p.sampleRate / 2}, got fMin=${p.fMin} fMax=${p.fMax}`);
  }
  const bins = spectrumBins(p);
  if (p.transform === 'fft' && bins.last < bins.first) {
    fail(`no FFT bin lies in fMin=${p.fMin} .. fMax=${p.fMax} Hz (bins are ${p.sampleRate / p.frameSize} Hz apart at frameSize ${p.frameSize}): widen the range or lengthen the frame`);
  }
  if (p.transform === 'cepstrum') {
    if (p.fMin !== 0) fail(`fMin must be 0 for cepstrum (it is taken of the log spectrum from 0 Hz up to fMax), got ${p.fMin}`);
    if (bins.last < 1) fail(`fMax=${p.fMax} Hz leaves the cepstrum less than two FFT bins at frameSize ${p.frameSize}`);
  }
  const maxCoef = p.transform === 'mfcc' ? p.bands : p.transform === 'cepstrum' ? bins.last + 1 : Infinity;
  if (maxCoef !== Infinity && (!Number.isInteger(p.coefficients) || p.coefficients < 1 || p.coefficients > maxCoef)) {
    fail(`coefficients must be an integer in 1..${maxCoef} for ${p.transform}, got ${p.coefficients}`);
  }
}

/** Each column minus its mean over the rows (accumulated in float64), in place. */
export function subtractColumnMeans(S: Matrix): Matrix {
  if (S.rows === 0) return S;
  const mean = new Float64Array(S.cols);
  for (let t = 0; t < S.rows; t++) for (let b = 0; b < S.cols; b++) mean[b] += S.data[t * S.cols + b];
  for (let b = 0; b < S.cols; b++) mean[b] /= S.rows;
  for (let t = 0; t < S.rows; t++) for (let b = 0; b < S.cols; b++) S.data[t * S.cols + b] -= mean[b];
  return S;
}

