import { acceptEvaluation } from './evaluate.ts';
import { LbfgsMemory } from './lbfgs-memory.ts';
import { wolfeLineSearch, type LinePoint, type LineSearchStatus } from './line-search.ts';
import type { CostFunction } from './types.ts';
import { allFinite, dot, maxAbs, sumAbs } from './vector.ts';

/**
 * Limited-memory BFGS with a strong-Wolfe line search, following minFunc (Mark Schmidt) with
 * Method 'lbfgs' and its defaults: first step steepest descent with t = min(1, 1/sum|g|), then
 * t = 1 along the two-loop direction; cubic interpolation in the line search; the same stopping
 * tests in the same order. Differences from minFunc are noted where they occur.
 */

export interface IterationInfo {
  /** Iteration number, 1-based (0 is the starting point, in `history` only). */
  iter: number;
  /** Cost function evaluations so far, including the one at the starting point. */
  funEvals: number;
  cost: number;
  /** Accepted step length t along the search direction (0 if the line search found no decrease). */
  step: number;
  /** max_i |g_i|: the infinity norm, which is what optTol is compared with. */
  gradNorm: number;
  /** How the line search ended ('wolfe' when both strong Wolfe conditions hold). */
  lineSearch?: LineSearchStatus;
}

export interface LbfgsOptions {
  /** Maximum iterations (line searches). Default 400 (the UFLDL setting). */
  maxIter: number;
  /**
   * Maximum cost evaluations, default 2 * maxIter (minFunc's 1000 : 500 ratio). Unlike minFunc,
   * which checks only between iterations, this is a hard cap: a line search is given only the
   * evaluations that remain, so the total never exceeds it.
   */
  maxFunEvals: number;
  /** Number of (s, y) pairs kept. Default 100 (minFunc's Corr); costs 2 * memory * n float64s. */
  memory: number;
  /** Stop when max|g| <= optTol. Default 1e-5. */
  optTol: number;
  /**
   * Stop when max|step * d| <= progTol, when |cost change| < progTol, or when the directional
   * derivative is above -progTol. Default 1e-9. Absolute, as in minFunc.
   */
  progTol: number;
  /** Sufficient-decrease constant. Default 1e-4. */
  c1: number;
  /** Curvature constant. Default 0.9. */
  c2: number;
  /** Evaluations one line search may spend. Default 26 (minFunc's maxLS = 25 plus the first trial). */
  maxLineSearchEvals: number;
  /** Called after every iteration; return false to stop (stopReason 'callback'). */
  onIteration?: (info: IterationInfo) => void | boolean;
}

export type LbfgsStopReason =
  | 'optTol' // max|g| <= optTol
  | 'progTol' // step, cost change or directional derivative below progTol
  | 'noDecrease' // the line search found no point lower than the current one (e.g. float32 noise floor)
  | 'maxIter'
  | 'maxFunEvals'
  | 'callback';

export interface LbfgsResult {
  theta: Float64Array;
  cost: number;
  iterations: number;
  funEvals: number;
  stopReason: LbfgsStopReason;
  /** Human-readable version of stopReason (minFunc's exit messages where they exist). */
  message: string;
  /** One entry per iteration, preceded by the starting point as iter 0. */
  history: IterationInfo[];
}

export const defaultLbfgsOptions = {
  maxIter: 400,
  memory: 100,
  optTol: 1e-5,
  progTol: 1e-9,
  c1: 1e-4,
  c2: 0.9,
  maxLineSearchEvals: 26,
} as const;

/** Minimise f from theta0 (which is not modified). */
export async function lbfgs(
  f: CostFunction,
  theta0: Float64Array,
  options: Partial<LbfgsOptions> = {},
): Promise<LbfgsResult> {
  const maxIter = options.maxIter ?? defaultLbfgsOptions.maxIter;
  const o = {
    ...defaultLbfgsOptions,
    maxFunEvals: 2 * maxIter,
    ...stripUndefined(options),
  };
  const n = theta0.length;
  const x = Float64Array.from(theta0);
  const d = new Float64Array(n);
  const memory = new LbfgsMemory(n, o.memory);

  let funEvals = 0;
  const evaluate = async (theta: Float64Array) => {
    funEvals++;
    return acceptEvaluation(await f(theta), n, 'lbfgs');
  };

  const first = await evaluate(Float64Array.from(x));
  if (!Number.isFinite(first.cost) || !allFinite(first.grad)) {
    throw new Error(`lbfgs: cost or gradient is not finite at the starting point (cost ${first.cost})`);
  }
  let cost = first.cost;
  let g = first.grad;
  let gradNorm = maxAbs(g);
  const history: IterationInfo[] = [{ iter: 0, funEvals, cost, step: 0, gradNorm }];
  const finish = (iterations: number, stopReason: LbfgsStopReason, message: string): LbfgsResult => ({
    theta: x, cost, iterations, funEvals, stopReason, message, history,
  });

  if (gradNorm <= o.optTol) return finish(0, 'optTol', 'Optimality condition below optTol');
  if (o.maxIter <= 0) return finish(0, 'maxIter', 'Reached maximum number of iterations');
  if (funEvals >= o.maxFunEvals) return finish(0, 'maxFunEvals', 'Reached maximum number of function evaluations');

  for (let iter = 1; ; iter++) {
    if (iter === 1) {
      for (let i = 0; i < n; i++) d[i] = -g[i];
    } else {
      memory.direction(g, d);
    }
    const gtd = dot(g, d);
    if (!Number.isFinite(gtd)) {
      throw new Error(`lbfgs: search direction is not finite at iteration ${iter}`);
    }
    if (gtd > -o.progTol) {
      return finish(iter - 1, 'progTol', 'Directional derivative below progTol');
    }

    // minFunc's first trial: a steepest-descent step no longer than 1 in l1 terms, since the
    // gradient's scale says nothing yet about curvature. After that, the quasi-Newton step t = 1.
    const t0 = iter === 1 ? Math.min(1, 1 / sumAbs(g)) : 1;
    const dMax = maxAbs(d);
    const phi = async (t: number) => {
      const trial = new Float64Array(n);
      for (let i = 0; i < n; i++) trial[i] = x[i] + t * d[i];
      const r = await evaluate(trial);
      return { cost: r.cost, grad: r.grad, gtd: dot(r.grad, d) };
    };
    const start: LinePoint = { t: 0, cost, gtd, grad: g };
    const ls = await wolfeLineSearch(phi, start, t0, {
      c1: o.c1,
      c2: o.c2,
      maxEvals: Math.min(o.maxLineSearchEvals, o.maxFunEvals - funEvals),
      tTol: o.progTol / dMax,
    });

    const t = ls.t;
    const costOld = cost;
    const gOld = g;
    // Same arithmetic as the trial point, so x matches the evaluated point bit for bit.
    for (let i = 0; i < n; i++) x[i] = x[i] + t * d[i];
    cost = ls.cost;
    g = ls.grad;
    gradNorm = maxAbs(g);
    const info: IterationInfo = { iter, funEvals, cost, step: t, gradNorm, lineSearch: ls.status };
    history.push(info);

    if (o.onIteration && o.onIteration({ ...info }) === false) {
      return finish(iter, 'callback', 'Stopped by onIteration');
    }
    if (gradNorm <= o.optTol) return finish(iter, 'optTol', 'Optimality condition below optTol');
    if (t === 0) {
      // The line search kept the current point. With float32 costs this is the normal end:
      // the remaining decrease along d is below the evaluation noise.
      return funEvals >= o.maxFunEvals
        ? finish(iter, 'maxFunEvals', 'Reached maximum number of function evaluations (during a line search)')
        : finish(iter, 'noDecrease', `Line search found no decrease along the search direction (${ls.status})`);
    }
    if (t * dMax <= o.progTol) return finish(iter, 'progTol', 'Step size below progTol');
    if (Math.abs(cost - costOld) < o.progTol) {
      return finish(iter, 'progTol', 'Function value changing by less than progTol');
    }
    if (funEvals >= o.maxFunEvals) {
      return finish(iter, 'maxFunEvals', 'Reached maximum number of function evaluations');
    }
    if (iter >= o.maxIter) return finish(iter, 'maxIter', 'Reached maximum number of iterations');

    memory.update(t, d, g, gOld);
  }
}

/** Let callers pass `{ memory: undefined }` without overriding a default. */
function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
