/**
 * Shared contract between models and optimisers: a model is optimised through one flat parameter
 * vector, and exposes its cost and gradient as a pure function of that vector. Evaluation may be
 * synchronous (plain loops) or asynchronous (tfjs, worker threads).
 */
export interface CostAndGradient {
  cost: number;
  /** d cost / d theta, same length as theta. */
  grad: Float64Array;
}

export type CostFunction = (theta: Float64Array) => Promise<CostAndGradient> | CostAndGradient;
