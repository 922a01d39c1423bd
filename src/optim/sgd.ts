import {
  runMinibatch,
  type BatchCostFunction,
  type MinibatchOptions,
  type MinibatchResult,
} from './minibatch.ts';

/**
 * Minibatch SGD with momentum, the simpler alternative to Adam (same batch interface).
 *
 * Per step with minibatch gradient g:  v = momentum v - learningRate g;
 *   classical:  theta += v
 *   Nesterov:   theta += momentum v - learningRate g   (gradient taken "ahead", in the
 *               usual reformulation that keeps theta at the evaluated point).
 */
export interface SgdOptions extends MinibatchOptions {
  /** Step size. Default 0.01. */
  learningRate: number;
  /** Velocity decay, 0 for plain SGD. Default 0.9. */
  momentum: number;
  /** Use Nesterov momentum. Default false. */
  nesterov: boolean;
}

export const defaultSgdOptions = { learningRate: 0.01, momentum: 0.9, nesterov: false } as const;

export async function sgd(
  fBatch: BatchCostFunction,
  theta0: Float64Array,
  options: Partial<SgdOptions> & Pick<SgdOptions, 'batchesPerEpoch'>,
): Promise<MinibatchResult> {
  const lr = options.learningRate ?? defaultSgdOptions.learningRate;
  const mu = options.momentum ?? defaultSgdOptions.momentum;
  const nesterov = options.nesterov ?? defaultSgdOptions.nesterov;
  const v = new Float64Array(theta0.length);
  return runMinibatch('sgd', fBatch, theta0, options, (theta, g) => {
    for (let i = 0; i < theta.length; i++) {
      v[i] = mu * v[i] - lr * g[i];
      theta[i] += nesterov ? mu * v[i] - lr * g[i] : v[i];
    }
  });
}
