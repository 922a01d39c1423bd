/**
 * Settings of the MNIST baselines of the classic deep-learning tutorials (logistic regression,
 * MLP, LeNet, denoising autoencoder, stacked denoising autoencoders), with the tutorials' values
 * as defaults. They form the `baselines` section of the sfl config (config.ts), so the CLI flags,
 * configs/mnist-*.json and the library share one set of names (their validation rules are in
 * pipeline/config-schema.ts).
 */

/** The tutorials' early-stopping rule (see optim/early-stopping.ts). */
export interface EarlyStoppingSettings {
  /** Look at least this many minibatches; null: 10 epochs' worth (the SdA tutorial's choice). */
  patience: number | null;
  patienceIncrease: number;
  improvementThreshold: number;
  /** Minibatches between validations; null: min(batches per epoch, patience / 2). */
  validationFrequency: number | null;
}

export interface SupervisedSettings extends EarlyStoppingSettings {
  /** n_epochs: most passes over the training set. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /**
   * Weight decay: the cost gains weightDecay/2 times the sum of squared weights (biases excluded),
   * as everywhere in sfl; the MLP tutorial's L2_reg is half of it (its 1e-4 is weightDecay 2e-4).
   */
  weightDecay: number;
}

export interface MlpSettings extends SupervisedSettings {
  hidden: number[];
}

export interface LenetSettings extends SupervisedSettings {
  /** Filters of the two convolution + max-pooling layers. */
  kernels: number[];
  filterSize: number;
  pool: number;
  hidden: number;
}

export interface DaSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  hidden: number;
  /** Fraction of input pixels set to zero before encoding. */
  corruption: number;
}

export interface SdaSettings extends SupervisedSettings {
  hidden: number[];
  /** One corruption level per hidden layer. */
  corruption: number[];
  pretrainEpochs: number;
  pretrainLearningRate: number;
}

export interface BaselinesConfig {
  /** Training images: the first trainCount of the MNIST training file. */
  trainCount: number;
  /** Validation images: the next validCount (the tutorials: the last 10,000). */
  validCount: number;
  /** Test images used for the reported error; null: all of the test file. */
  testCount: number | null;
  /**
   * Measure validation and test errors over whole minibatches only, as the tutorials' code does
   * (n // batch_size batches: 9,600 of 10,000 images at batch 600). Off by default: the reported
   * error is over all 10,000 test images. For comparing with the published figures.
   */
  evalWholeBatches: boolean;
  logreg: SupervisedSettings;
  mlp: MlpSettings;
  lenet: LenetSettings;
  da: DaSettings;
  sda: SdaSettings;
}

export type BaselineModel = 'logreg' | 'mlp' | 'lenet' | 'da' | 'sda';
export const BASELINE_MODELS: readonly BaselineModel[] = ['logreg', 'mlp', 'lenet', 'da', 'sda'];

const stopping = { patienceIncrease: 2, improvementThreshold: 0.995, validationFrequency: null };

// The values of logistic_sgd.py, mlp.py, convolutional_mlp.py, dA.py and SdA.py.
export const BASELINE_DEFAULTS: BaselinesConfig = {
  trainCount: 50000,
  validCount: 10000,
  testCount: null,
  evalWholeBatches: false,
  logreg: { epochs: 1000, batchSize: 600, learningRate: 0.13, weightDecay: 0, patience: 5000, ...stopping },
  mlp: { epochs: 1000, batchSize: 20, learningRate: 0.01, weightDecay: 2e-4, hidden: [500], patience: 10000, ...stopping },
  lenet: {
    epochs: 200, batchSize: 500, learningRate: 0.1, weightDecay: 0, kernels: [20, 50], filterSize: 5, pool: 2, hidden: 500,
    patience: 10000, ...stopping,
  },
  da: { epochs: 15, batchSize: 20, learningRate: 0.1, hidden: 500, corruption: 0.3 },
  sda: {
    epochs: 1000, batchSize: 1, learningRate: 0.1, weightDecay: 0, hidden: [1000, 1000, 1000], corruption: [0.1, 0.2, 0.3],
    pretrainEpochs: 15, pretrainLearningRate: 0.001, patience: null, ...stopping,
  },
};
