/**
 * The groups of config flags the experiment commands share (paths into the flag table,
 * src/pipeline/flags.ts), and the options of a run that are not config keys.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_CONFIG } from '../pipeline/config.ts';
import type { FlagPath } from '../pipeline/flags.ts';
import { addConfigFileFlags, addConfigFlags } from './options.ts';

const DATA_FLAGS = ['data.mnistDir', 'data.audioDir', 'data.labels', 'data.digits', 'data.count', 'windows.frames', 'windows.count', 'windows.sampling'] as const satisfies readonly FlagPath[];

/** The split: every command that trains a classifier on audio offers it. */
export const SPLIT_FLAGS = ['split.kind', 'split.testSpeakers'] as const satisfies readonly FlagPath[];

export const SPECTRUM_FLAGS = [
  'spectrum.transform',
  'spectrum.frameSize',
  'spectrum.hop',
  'spectrum.window',
  'spectrum.bands',
  'spectrum.fMin',
  'spectrum.fMax',
  'spectrum.coefficients',
  'spectrum.power',
  'spectrum.log',
  'spectrum.meanNormalise',
  'spectrum.trimDb',
  'spectrum.center',
  'spectrum.padMode',
  'spectrum.melScale',
  'spectrum.melNorm',
  'spectrum.logScale',
  'spectrum.topDb',
  'spectrum.preset',
  'spectrum.sampleRate',
] as const satisfies readonly FlagPath[];

export const PREPROCESS_FLAGS = ['normalise', 'whitening.kind', 'whitening.epsilon', 'whitening.retainVariance'] as const satisfies readonly FlagPath[];

export const SAE_FLAGS = ['sae.hidden', 'sae.weightDecay', 'sae.beta', 'sae.rho', 'sae.decoder', 'sae.maxIter'] as const satisfies readonly FlagPath[];

export const SOFTMAX_FLAGS = ['softmax.weightDecay', 'softmax.maxIter', 'softmax.chooseWeightDecay'] as const satisfies readonly FlagPath[];

export const STACKED_FLAGS = ['stacked.layers', 'stacked.fineTuneMaxIter'] as const satisfies readonly FlagPath[];

/** Audio classification: the split, the pooling over time, the baseline, the standardisation. */
export const AUDIO_CLASSIFICATION_FLAGS = [
  ...SPLIT_FLAGS,
  'pooling.method',
  'pooling.segments',
  'softmax.baseline',
  'softmax.standardise',
] as const satisfies readonly FlagPath[];

export const RUN_FLAGS = ['run.seed', 'run.name', 'run.outputs', 'run.overwrite'] as const satisfies readonly FlagPath[];

/** The data, spectrum, preprocessing flags of a command that learns from MNIST or audio. */
export function addDataOptions(cmd: Command): Command {
  return addConfigFlags(cmd, [...DATA_FLAGS, ...SPECTRUM_FLAGS]);
}

/** --seed, --name, --outputs; --config and --set; --quiet and --json. */
export function addRunOptions(cmd: Command, example?: string): Command {
  addConfigFlags(cmd, RUN_FLAGS);
  addConfigFileFlags(cmd, example);
  return addOutputOptions(cmd);
}

export function addOutputOptions(cmd: Command): Command {
  return cmd.option('--quiet', 'no progress display').option('--json', 'print the result as one JSON object on stdout');
}

/** --outputs of a command that reads a trained run (classify, encode, visualize): where a run name is looked up. */
export function runLookupOption(): Option {
  // The default shown as the other commands' --outputs shows it (a bare folder name, not a quoted string).
  return new Option('--outputs <dir>', 'folder of runs a run name is looked up in').default(DEFAULT_CONFIG.run.outputs, DEFAULT_CONFIG.run.outputs);
}
