/**
 * Flags shared by several commands, declared once so a flag never has two meanings.
 */
import { Option, type Command } from 'commander';
import { TRANSFORMS } from '../audio/spectrogram.ts';
import { WINDOW_TYPES } from '../audio/window.ts';
import { SflError } from '../util/errors.ts';
import type { SpectrumSettings } from '../pipeline/spectra.ts';

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

/** --transform, --frame, --hop, ... : the spectral representation. */
export function addSpectrumOptions(cmd: Command, defaultTransform = 'mel'): Command {
  return cmd
    .addOption(new Option('--transform <name>', 'spectral transform').choices([...TRANSFORMS]).default(defaultTransform))
    .option('--frame <n>', 'frame size in samples (FFT size, a power of two)', intArg('--frame'), 256)
    .option('--hop <n>', 'samples between frame starts', intArg('--hop'), 128)
    .addOption(new Option('--window <name>', 'analysis window').choices([...WINDOW_TYPES]).default('hann'))
    .option('--bands <n>', 'mel or Bark bands', intArg('--bands'), 40)
    .option('--fmin <hz>', 'lowest analysed frequency (mel/bark)', numberArg('--fmin'), 0)
    .option('--fmax <hz>', 'highest analysed frequency (mel/bark; default: Nyquist)', numberArg('--fmax'))
    .option('--coefficients <n>', 'coefficients kept by mfcc and cepstrum', intArg('--coefficients'), 13)
    .option('--magnitude', 'use the magnitude |X| instead of the power |X|^2')
    .option('--no-log', 'no log compression of fft/mel/bark output (default: ln(x + 1e-10))')
    .option('--sample-rate <hz>', 'resample every file to this rate (default: the files\' rate when they agree)', intArg('--sample-rate'))
    .option('--no-cache', 'do not read or write the spectra cache');
}

export interface SpectrumFlags {
  transform: string;
  frame: number;
  hop: number;
  window: string;
  bands: number;
  fmin: number;
  fmax?: number;
  coefficients: number;
  magnitude?: boolean;
  log: boolean;
  sampleRate?: number;
  cache: boolean;
}

export function spectrumSettingsFromFlags(f: SpectrumFlags): SpectrumSettings {
  return {
    transform: f.transform as SpectrumSettings['transform'],
    frameSize: f.frame,
    hop: f.hop,
    window: f.window as SpectrumSettings['window'],
    bands: f.bands,
    fMin: f.fmin,
    fMax: f.fmax ?? null,
    coefficients: f.coefficients,
    power: !f.magnitude,
    log: f.log,
    sampleRate: f.sampleRate ?? null,
  };
}
