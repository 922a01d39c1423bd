import {
  defaultMinibatchOptions,
  runMinibatch,
  type BatchCostFunction,
  type MinibatchOptions,
  type MinibatchResult,
} from './minibatch.ts';

/**
 * Adam (Kingma & Ba 2015) over minibatches, for data too large for a full-batch L-BFGS step.
 *
 *   const r = await adam((theta, b) => model.costAndGrad(theta, batch(b)), theta0,
 *                        { batchesPerEpoch: 100, epochs: 20, learningRate: 1e-3 });
 *
 * Per step k with minibatch gradient g (all state in float64):
 *   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2,
 *   theta -= learningRate * (m / (1 - beta1^k)) / (sqrt(v / (1 - beta2^k)) + eps).
 * The bias corrections undo the zero start of m and v, so early steps are not shrunk.
 * With `schedule`, step k uses learningRate * schedule(k, total steps) instead of learningRate
 * (e.g. cosineSchedule, which anneals it to 0 so the last epochs do not jitter the result).
 */
export interface AdamOptions extends MinibatchOptions {
  /** Step size. Default 1e-3. */
  learningRate: number;
  /** Decay of the gradient mean. Default 0.9. */
  beta1: number;
  /** Decay of the squared-gradient mean. Default 0.999. */
  beta2: number;
  /** Keeps the step finite where a gradient component has always been 0. Default 1e-8. */
  eps: number;
  /** Factor of the step size at step k (1-based) of `total`; default none (constant). */
  schedule?: (k: number, total: number) => number;
}

/** 0.5 (1 + cos(pi (k - 1) / total)): 1 at the first step, falling smoothly towards 0 at the last. */
export function cosineSchedule(k: number, total: number): number {
  return 0.5 * (1 + Math.cos((Math.PI * (k - 1)) / total));
}

export const defaultAdamOptions = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

export async function adam(
  fBatch: BatchCostFunction,
  theta0: Float64Array,
  options: Partial<AdamOptions> & Pick<AdamOptions, 'batchesPerEpoch'>,
): Promise<MinibatchResult> {
  const lr = options.learningRate ?? defaultAdamOptions.learningRate;
  const beta1 = options.beta1 ?? defaultAdamOptions.beta1;
  const beta2 = options.beta2 ?? defaultAdamOptions.beta2;
  const eps = options.eps ?? defaultAdamOptions.eps;
  const n = theta0.length;
  const total = (options.epochs ?? defaultMinibatchOptions.epochs) * options.batchesPerEpoch;
  const schedule = options.schedule;
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  return runMinibatch('adam', fBatch, theta0, options, (theta, g, k) => {
    const step = schedule ? lr * schedule(k, total) : lr;
    const c1 = 1 / (1 - Math.pow(beta1, k));
    const c2 = 1 / (1 - Math.pow(beta2, k));
    for (let i = 0; i < n; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      theta[i] -= (step * m[i] * c1) / (Math.sqrt(v[i] * c2) + eps);
    }
  });
}
