/**
 * Flags shared by several commands, declared once so a flag never has two meanings.
 */
import { Option, type Command } from 'commander';
import { TRANSFORMS } from '../audio/spectrogram.ts';
import { WINDOW_TYPES } from '../audio/window.ts';
import { SflError } from '../util/errors.ts';
import type { SpectrumSettings } from '../pipeline/spectra.ts';
import { DEFAULT_CONFIG } from '../pipeline/config.ts';

export function intArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new SflError(`${name} must be an integer (got "${v}")`);
    return n;
  };
}

export function numberArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new SflError(`${name} must be a number (got "${v}")`);
    return n;
  };
}

/**
 * --transform, --frame, --hop, ... : the spectral representation. No commander defaults: an unset
 * flag stays undefined so the one set of defaults (DEFAULT_CONFIG.spectrum) fills it; --help shows it.
 */
export function addSpectrumOptions(cmd: Command): Command {
  const d = DEFAULT_CONFIG.spectrum;
  return cmd
    .addOption(new Option('--transform <name>', `spectral transform (default: ${d.transform})`).choices([...TRANSFORMS]))
    .option('--frame <n>', `frame size in samples, the FFT size, a power of two (default: ${d.frameSize})`, intArg('--frame'))
    .option('--hop <n>', `samples between frame starts (default: ${d.hop})`, intArg('--hop'))
    .addOption(new Option('--window <name>', `analysis window (default: ${d.window})`).choices([...WINDOW_TYPES]))
    .option('--bands <n>', `mel or Bark bands (default: ${d.bands})`, intArg('--bands'))
    .option('--fmin <hz>', `lowest analysed frequency for mel/bark (default: ${d.fMin})`, numberArg('--fmin'))
    .option('--fmax <hz>', 'highest analysed frequency for mel/bark (default: Nyquist)', numberArg('--fmax'))
    .option('--coefficients <n>', `coefficients kept by mfcc and cepstrum (default: ${d.coefficients})`, intArg('--coefficients'))
    .option('--magnitude', 'use the magnitude |X| instead of the power |X|^2')
    .option('--no-log', 'no log compression of fft/mel/bark output (default: ln(x + 1e-10))')
    .option('--mean-normalise', "subtract each band's mean over the recording: removes a fixed colouring of the spectrum (microphone, level, part of the speaker)")
    .option('--trim-db <db>', 'drop the leading and trailing frames more than this many dB below the loudest frame (default: keep all)', numberArg('--trim-db'))
    .option('--sample-rate <hz>', "resample every file to this rate (default: the files' own rate when they agree)", intArg('--sample-rate'))
    .option('--no-cache', 'do not read or write the spectra cache');
}

export interface SpectrumFlags {
  transform?: string;
  frame?: number;
  hop?: number;
  window?: string;
  bands?: number;
  fmin?: number;
  fmax?: number;
  coefficients?: number;
  magnitude?: boolean;
  log: boolean;
  sampleRate?: number;
  meanNormalise?: boolean;
  trimDb?: number;
  cache: boolean;
}

/** The spectrum section of the config, with the flags that were given laid over DEFAULT_CONFIG. */
export function spectrumSettingsFromFlags(f: SpectrumFlags): typeof DEFAULT_CONFIG.spectrum {
  const d = DEFAULT_CONFIG.spectrum;
  return {
    transform: (f.transform as typeof d.transform) ?? d.transform,
    frameSize: f.frame ?? d.frameSize,
    hop: f.hop ?? d.hop,
    window: (f.window as typeof d.window) ?? d.window,
    bands: f.bands ?? d.bands,
    fMin: f.fmin ?? d.fMin,
    fMax: f.fmax ?? d.fMax,
    coefficients: f.coefficients ?? d.coefficients,
    power: f.magnitude ? false : d.power,
    log: f.log === false ? false : d.log,
    sampleRate: f.sampleRate ?? d.sampleRate,
    meanNormalise: f.meanNormalise ?? d.meanNormalise,
    trimDb: f.trimDb ?? d.trimDb,
  };
}
