/**
 * Metric keys as a person says them: `beforeFineTune.train.accuracy` -> "Before fine-tuning:
 * training accuracy", `secondsPerStage.layer 1` -> "Seconds per stage: layer 1". Known words come
 * from one table; anything else is split at its capitals, so a new metric still reads as words.
 */

const WORDS: Record<string, string> = {
  testAccuracy: 'test accuracy',
  trainAccuracy: 'training accuracy',
  validationAccuracy: 'validation accuracy',
  baselineAccuracy: 'baseline test accuracy (no feature learning)',
  testError: 'test error',
  validationError: 'validation error',
  bestValidationError: 'best validation error',
  beforeFineTune: 'before fine-tuning',
  afterFineTune: 'after fine-tuning',
  fineTune: 'fine-tuning',
  pretrain: 'pretraining',
  train: 'training',
  test: 'test',
  validation: 'validation',
  secondsPerStage: 'seconds per stage',
  seconds: 'wall time (s)',
  finalCost: 'final cost',
  stopReason: 'why training stopped',
  iterations: 'iterations',
  examples: 'examples',
  hidden: 'hidden units',
  seed: 'random seed',
  source: 'data source',
  split: 'split',
  experiment: 'experiment',
  sae: 'sparse autoencoder',
  softmax: 'softmax',
  weightDecay: 'weight decay',
  // runs saved before weight decay had one name
  lambda: 'weight decay',
  accuracy: 'accuracy',
  engine: 'compute engine',
  backend: 'backend',
  convAe: 'convolutional autoencoder',
  audioDir: 'audio folder',
  maxIter: 'iteration limit',
  // minFunc's and the autoencoder's own names, which mean nothing to a reader of the report.
  funEvals: 'cost evaluations',
  visible: 'inputs per example (visible units)',
  trainSeconds: 'training time (s)',
  // The spectrum's frequency range (spectra.ts Framing).
  fMin: 'lowest frequency (Hz)',
  fMax: 'highest frequency (Hz)',
  fMaxCapped: 'highest frequency lowered to',
};

// The optimisers' stop reasons (optim/lbfgs.ts, optim/minibatch.ts) as a sentence.
const STOP_REASONS: Record<string, string> = {
  optTol: 'converged (gradient below tolerance)',
  progTol: 'progress stalled (step or cost change below tolerance)',
  noDecrease: 'the line search found no lower cost',
  maxIter: 'reached the iteration limit',
  maxFunEvals: 'reached the limit of cost evaluations',
  callback: 'stopped early by the program',
  epochs: 'ran every epoch',
  nonFinite: 'the cost became infinite or NaN',
};

/** A metric's value as a person reads it: a stop reason as a sentence (with its code), anything else unchanged. */
export function humanMetricValue(key: string, value: string): string {
  // A duration to a tenth of a second, or a hundredth below 10 s, not to six digits ("0.273657").
  const seconds = /(^|\.)(seconds|\w*Seconds)$/.test(key) && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isFinite(seconds)) return seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1);
  const reason = /(^|\.)stopReason$/.test(key) ? STOP_REASONS[value] : undefined;
  return reason ? `${reason} [${value}]` : value;
}

function words(segment: string): string {
  if (WORDS[segment]) return WORDS[segment];
  return segment
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

/**
 * The human name of a flattened metric key. The last segment is the quantity, the ones before it
 * say where or when: "<context>: <quantity>", with "training"/"test" + "accuracy" read together.
 */
export function humanMetricName(key: string): string {
  // A run's top-level finalCost is its last stage's (the classifier's, for a run that classifies),
  // while its cost.png and `sae.finalCost` are the autoencoder's: unqualified, the two read as
  // one number disagreeing with the picture.
  if (key === 'finalCost') return 'Final cost (of the last stage trained)';
  const parts = key.split('.').map(words);
  let quantity = parts.pop()!;
  // "training" + "accuracy" -> "training accuracy"; the same for the other splits.
  const last = parts[parts.length - 1];
  if (last && ['training', 'test', 'validation'].includes(last)) quantity = `${parts.pop()} ${quantity}`;
  const name = parts.length ? `${parts.join(', ')}: ${quantity}` : quantity;
  return name.charAt(0).toUpperCase() + name.slice(1);
}
