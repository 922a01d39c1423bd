/**
 * `sfl conv` / experiment "conv": learned features convolved over whole inputs and pooled, then a
 * softmax. Audio runs the self-taught pipeline with convolution features (audio-self-taught.ts,
 * config.conv: band patches that also slide over frequency); MNIST convolves patch features over
 * the images (mnist-conv.ts).
 */
import type { Config } from '../config.ts';
import type { Log } from './classification-data.ts';
import { runAudioSelfTaughtExperiment } from './audio-self-taught.ts';
import { runMnistConvExperiment } from './mnist-conv.ts';

export async function runConvExperiment(config: Config, o: { baseline: boolean; log?: Log; print?: Log }) {
  if (config.data.source === 'mnist') return runMnistConvExperiment(config, o.log);
  return runAudioSelfTaughtExperiment(config, { baseline: o.baseline, log: o.log, print: o.print, experiment: 'conv' });
}
