/**
 * Which code runs each `experiment` of a config (`sfl run`). To add a pipeline: put its name in
 * EXPERIMENT_NAMES (config-schema.ts) and its runner here. A name without a runner is a valid
 * config that `sfl run` refuses with "not implemented yet" rather than running something else.
 */
import type { Config, ExperimentName } from '../config.ts';
import { SflError } from '../../util/errors.ts';
import type { RunMetrics } from '../run-metrics.ts';
import { runSaeExperiment } from './sae.ts';
import { MNIST_BASELINE_EXPERIMENTS } from './mnist-baselines.ts';
import { runSelfTaughtExperiment } from './self-taught.ts';
import { runAudioSelfTaughtExperiment } from './audio-self-taught.ts';
import { runStackedExperiment } from './stacked.ts';
import { runSoftmaxExperiment } from './softmax.ts';
import { runConvExperiment } from './conv.ts';
import { runConvAeExperiment } from './conv-ae.ts';

export type ExperimentLog = (line: string) => void;

export interface ExperimentResult {
  /** The committed run folder, outputs/<run>/. */
  runPath: string;
  /** What metrics.json holds (run-metrics.ts). */
  metrics: RunMetrics;
}

export type ExperimentRunner = (config: Config, log?: ExperimentLog) => Promise<ExperimentResult>;

const EXPERIMENTS: Partial<Record<ExperimentName, ExperimentRunner>> = {
  sae: runSaeExperiment,
  ...MNIST_BASELINE_EXPERIMENTS,
  // Self-taught learning has an audio pipeline (pooling over windows, baseline beside it) and an image one.
  // Its result tables go to `log` like every other runner's lines: their default, stdout, would mix
  // them into `sfl run --json`'s JSON and into the output of a program calling train().
  'self-taught': (config, log) =>
    config.data.source === 'audio' ? runAudioSelfTaughtExperiment(config, { baseline: config.softmax.baseline, log, print: log }) : runSelfTaughtExperiment(config, log),
  stacked: (config, log) => runStackedExperiment(config, log),
  softmax: (config, log) => runSoftmaxExperiment(config, log),
  conv: (config, log) => runConvExperiment(config, { baseline: config.softmax.baseline, log, print: log }),
  'conv-ae': (config, log) => runConvAeExperiment(config, log),
};

/** The runner of `name`; an SflError when the name is valid but has no code yet. */
export function experimentRunner(name: ExperimentName): ExperimentRunner {
  const runner = EXPERIMENTS[name];
  if (!runner) {
    const ready = Object.keys(EXPERIMENTS).map((n) => `'${n}'`).join(', ');
    throw new SflError(`experiment '${name}' is not implemented yet (implemented: ${ready})`);
  }
  return runner;
}
