/** Public surface of the optimisers. */
export type { CostAndGradient, CostFunction } from './types.ts';
export { lbfgs, defaultLbfgsOptions } from './lbfgs.ts';
export type { IterationInfo, LbfgsOptions, LbfgsResult, LbfgsStopReason } from './lbfgs.ts';
export { wolfeLineSearch, armijoBacktrack } from './line-search.ts';
export type { LineFunction, LinePoint, LineSearchOptions, LineSearchResult, LineSearchStatus } from './line-search.ts';
export { adam, defaultAdamOptions } from './adam.ts';
export type { AdamOptions } from './adam.ts';
export { sgd, defaultSgdOptions } from './sgd.ts';
export type { SgdOptions } from './sgd.ts';
export type { BatchCostFunction, EpochInfo, MinibatchOptions, MinibatchResult, MinibatchStopReason } from './minibatch.ts';
