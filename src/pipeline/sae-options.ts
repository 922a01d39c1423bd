/** The config's sparse-autoencoder settings as the options of trainSae (models/sae/train.ts). */
import type { TrainSaeOptions } from '../models/sae/train.ts';
import type { Config } from './config.ts';

/** The trainSae options a config names (preprocessing, sae.*, run.seed). */
export function saeTrainOptions(config: Config, stage?: string): TrainSaeOptions {
  const s = config.sae;
  return {
    preprocess: { normalise: config.normalise, whitening: config.whitening },
    hidden: s.hidden,
    weightDecay: s.weightDecay,
    beta: s.beta,
    rho: s.rho,
    decoder: s.decoder,
    maxIter: s.maxIter,
    seed: config.run.seed,
    stage,
  };
}
