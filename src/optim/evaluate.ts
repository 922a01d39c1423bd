import type { CostAndGradient } from './types.ts';

/**
 * Check what a cost function handed back, and copy the gradient. The copy is deliberate: the
 * optimisers keep several gradients alive at once (line-search bracket, L-BFGS differences), and
 * a model is allowed to reuse one output buffer between calls. One O(n) copy is negligible next
 * to a forward/backward pass.
 */
export function acceptEvaluation(r: CostAndGradient, n: number, who: string): CostAndGradient {
  if (r === null || typeof r !== 'object' || typeof r.cost !== 'number' || r.grad === undefined) {
    throw new Error(`${who}: the cost function must return { cost: number, grad: Float64Array }`);
  }
  if (r.grad.length !== n) {
    throw new Error(`${who}: gradient has ${r.grad.length} values, parameters have ${n}`);
  }
  return { cost: r.cost, grad: new Float64Array(r.grad) };
}
