/**
 * Early stopping with geometrically increasing patience, as in the deep-learning tutorials
 * (logistic_sgd.py, mlp.py, convolutional_mlp.py, SdA.py):
 *
 *   every `validationFrequency` minibatches, measure the validation error;
 *   a new best that beats the old best by the factor `improvementThreshold` raises
 *     patience = max(patience, iter * patienceIncrease);
 *   stop once iter >= patience (or after the last epoch).
 *
 * Iterations count minibatches from 0, as in the tutorials. The state is plain data so a run can
 * be checkpointed and resumed exactly.
 */
export interface EarlyStoppingOptions {
  patience: number;
  patienceIncrease: number;
  improvementThreshold: number;
  validationFrequency: number;
}

export interface EarlyStoppingState {
  patience: number;
  bestValidation: number;
  /** Iteration of the best validation error; -1 before the first validation. */
  bestIter: number;
  done: boolean;
}

export interface ValidationOutcome {
  /** Lower than every validation error so far: the caller should keep this model. */
  improved: boolean;
  /** Improved by more than the threshold, so patience may have grown. */
  significant: boolean;
  patience: number;
}

/**
 * The tutorials' validation frequency when none is given: every epoch, unless patience is so
 * short that this would stop before the first validation.
 */
export function defaultValidationFrequency(batchesPerEpoch: number, patience: number): number {
  return Math.max(1, Math.min(batchesPerEpoch, Math.floor(patience / 2)));
}

export class EarlyStopping {
  readonly options: EarlyStoppingOptions;
  state: EarlyStoppingState;

  constructor(options: EarlyStoppingOptions, state?: EarlyStoppingState) {
    if (!(options.validationFrequency >= 1)) throw new RangeError('validationFrequency must be >= 1');
    this.options = { ...options };
    this.state = state ? { ...state } : { patience: options.patience, bestValidation: Infinity, bestIter: -1, done: false };
  }

  /** True when the model should be validated after minibatch `iter` (0-based). */
  validationDue(iter: number): boolean {
    return (iter + 1) % this.options.validationFrequency === 0;
  }

  /** Records the validation error measured after minibatch `iter`. */
  report(iter: number, validationError: number): ValidationOutcome {
    const s = this.state;
    const improved = validationError < s.bestValidation;
    let significant = false;
    if (improved) {
      significant = validationError < s.bestValidation * this.options.improvementThreshold;
      if (significant) s.patience = Math.max(s.patience, iter * this.options.patienceIncrease);
      s.bestValidation = validationError;
      s.bestIter = iter;
    }
    return { improved, significant, patience: s.patience };
  }

  /** Checked after every minibatch, as in the tutorials: patience has run out. */
  shouldStop(iter: number): boolean {
    if (this.state.patience <= iter) this.state.done = true;
    return this.state.done;
  }
}
