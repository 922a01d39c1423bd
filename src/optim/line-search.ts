import { cubicMinimizer } from './cubic.ts';

/**
 * Line searches along a descent direction d from a point x, in the style of minFunc's
 * WolfeLineSearch / ArmijoBacktrack (Nocedal & Wright, Algorithms 3.5 and 3.6).
 *
 * They see the objective only through phi(t) = f(x + t d), which returns the cost, the full
 * gradient at x + t d (carried along so the caller need not re-evaluate the accepted point) and
 * the slope gtd = grad' d. Every loop is bounded by an evaluation budget, so a noisy (float32)
 * or badly scaled objective ends the search instead of spinning.
 */

export interface LinePoint {
  t: number;
  cost: number;
  /** Directional derivative grad' d at this point. */
  gtd: number;
  grad: Float64Array;
}

export type LineFunction = (
  t: number,
) => Promise<{ cost: number; grad: Float64Array; gtd: number }> | { cost: number; grad: Float64Array; gtd: number };

export interface LineSearchOptions {
  /** Sufficient decrease: f(t) <= f(0) + c1 t f'(0). */
  c1: number;
  /** Curvature (strong Wolfe): |f'(t)| <= c2 |f'(0)|. */
  c2: number;
  /** Evaluations this search may spend, at least 1. */
  maxEvals: number;
  /**
   * Give up once the bracket (or the backtracked step) is shorter than this, in units of t.
   * L-BFGS passes progTol / max|d|, i.e. minFunc's "bracket reduced below progTol" test.
   */
  tTol: number;
}

/**
 * How the search ended. Only 'wolfe' guarantees both strong Wolfe conditions; 'armijo' (after
 * leaving a NaN/Inf region) guarantees sufficient decrease. For the others the best point found
 * is returned, which satisfies sufficient decrease or is the start point itself (t = 0): with
 * float32 costs that is how "no further progress is possible" shows up.
 */
export type LineSearchStatus = 'wolfe' | 'armijo' | 'bracketTooSmall' | 'stepTooSmall' | 'maxEvals';

export interface LineSearchResult extends LinePoint {
  funEvals: number;
  status: LineSearchStatus;
}

/** NaN/Inf in the cost or the gradient (which shows up in gtd) marks an unusable point. */
function legal(p: LinePoint): boolean {
  return Number.isFinite(p.cost) && Number.isFinite(p.gtd);
}

async function evalAt(phi: LineFunction, t: number): Promise<LinePoint> {
  const r = await phi(t);
  return { t, cost: r.cost, gtd: r.gtd, grad: r.grad };
}

/**
 * Find a step satisfying the strong Wolfe conditions, starting from trial step t0.
 * `start` is the point at t = 0 (its gtd must be negative).
 */
export async function wolfeLineSearch(
  phi: LineFunction,
  start: LinePoint,
  t0: number,
  opts: LineSearchOptions,
): Promise<LineSearchResult> {
  const { c1, c2, tTol } = opts;
  const maxEvals = Math.max(1, Math.floor(opts.maxEvals));
  const f0 = start.cost;
  const gtd0 = start.gtd;
  let evals = 0;

  let prev: LinePoint = start;
  let cur = await evalAt(phi, t0);
  evals++;

  // ---- Bracketing: extrapolate until an interval is known to contain an acceptable step.
  let lo: LinePoint;
  let hi: LinePoint;
  for (;;) {
    if (!legal(cur)) {
      // Stepped into a region where the model blows up (e.g. log of a negative number). Like
      // minFunc: retreat halfway to the last good trial and settle for sufficient decrease.
      const r = await armijoBacktrack(phi, start, (cur.t + prev.t) / 2, { ...opts, maxEvals: maxEvals - evals });
      return { ...r, funEvals: r.funEvals + evals };
    }
    // Nocedal & Wright test the "no lower than the previous trial" condition from the second
    // trial on (minFunc only from the third); the earlier test brackets a rise as soon as it is seen.
    if (cur.cost > f0 + c1 * cur.t * gtd0 || (evals > 1 && cur.cost >= prev.cost)) {
      lo = prev;
      hi = cur;
      break;
    }
    if (Math.abs(cur.gtd) <= -c2 * gtd0) {
      return { ...cur, funEvals: evals, status: 'wolfe' };
    }
    if (cur.gtd >= 0) {
      // Slope turned positive past a point with sufficient decrease: the minimiser is behind us.
      lo = cur;
      hi = prev;
      break;
    }
    if (evals >= maxEvals) {
      // Still descending when the budget ran out: the last trial is the best point seen.
      return { ...cur, funEvals: evals, status: 'maxEvals' };
    }
    // Extrapolate with the cubic through the last two trials, kept within [t + 1%, 10 t].
    const minStep = cur.t + 0.01 * (cur.t - prev.t);
    const maxStep = 10 * cur.t;
    const tNext = cubicMinimizer(prev.t, prev.cost, prev.gtd, cur.t, cur.cost, cur.gtd, minStep, maxStep);
    prev = cur;
    cur = await evalAt(phi, tNext);
    evals++;
  }

  // ---- Zoom: shrink [lo, hi] (lo: lowest cost with sufficient decrease; hi: the other end).
  // lo stays legal throughout; hi may be a NaN point, in which case we bisect instead of fitting.
  let insufficientProgress = false;
  let status: LineSearchStatus = 'maxEvals';
  while (evals < maxEvals) {
    const a = Math.min(lo.t, hi.t);
    const b = Math.max(lo.t, hi.t);
    if ((b - a) < tTol) {
      status = 'bracketTooSmall';
      break;
    }
    let t = legal(hi)
      ? cubicMinimizer(lo.t, lo.cost, lo.gtd, hi.t, hi.cost, hi.gtd)
      : (a + b) / 2;
    // minFunc's safeguard: a trial hugging an end of the bracket shrinks it too slowly. Allow it
    // once; the next time (or if it sits on/outside an end) move it 10% inside the bracket.
    if (Math.min(b - t, t - a) / (b - a) < 0.1) {
      if (insufficientProgress || t >= b || t <= a) {
        t = Math.abs(t - b) < Math.abs(t - a) ? b - 0.1 * (b - a) : a + 0.1 * (b - a);
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }

    const p = await evalAt(phi, t);
    evals++;
    const armijo = p.cost < f0 + c1 * t * gtd0;
    if (!legal(p) || !armijo || p.cost >= lo.cost) {
      hi = p;
    } else {
      if (Math.abs(p.gtd) <= -c2 * gtd0) {
        return { ...p, funEvals: evals, status: 'wolfe' };
      }
      // Keep the minimiser between lo and hi: if the slope at p points towards hi's side,
      // the old lo becomes the far end.
      if (p.gtd * (hi.t - lo.t) >= 0) hi = lo;
      lo = p;
    }
  }
  if (evals >= maxEvals && status !== 'bracketTooSmall') status = 'maxEvals';
  return { ...lo, funEvals: evals, status };
}

/**
 * Backtrack from t0 until sufficient decrease holds at a point with finite cost and gradient.
 * The next trial is the cubic (value and slope) or, without a usable slope, quadratic fit on
 * [0, t], confined to [1e-3 t, 0.6 t]; NaN/Inf costs just halve t. Returns the start point
 * (t = 0) if the step shrinks below tTol or the budget runs out first.
 */
export async function armijoBacktrack(
  phi: LineFunction,
  start: LinePoint,
  t0: number,
  opts: Pick<LineSearchOptions, 'c1' | 'maxEvals' | 'tTol'>,
): Promise<LineSearchResult> {
  const { c1, tTol } = opts;
  const f0 = start.cost;
  const gtd0 = start.gtd;
  let evals = 0;
  let t = t0;
  while (evals < opts.maxEvals) {
    if (t <= tTol) return { ...start, funEvals: evals, status: 'stepTooSmall' };
    const p = await evalAt(phi, t);
    evals++;
    if (legal(p) && p.cost <= f0 + c1 * t * gtd0) return { ...p, funEvals: evals, status: 'armijo' };

    let next: number;
    if (!Number.isFinite(p.cost)) {
      next = 0.5 * t;
    } else if (!Number.isFinite(p.gtd)) {
      // Quadratic through f(0), f'(0) and f(t): minimiser at -f'(0) t^2 / (2 (f(t) - f(0) - f'(0) t)).
      next = (-gtd0 * t * t) / (2 * (p.cost - f0 - gtd0 * t));
      if (!Number.isFinite(next)) next = 0.5 * t;
    } else {
      next = cubicMinimizer(0, f0, gtd0, t, p.cost, p.gtd, 0, t);
    }
    t = Math.min(Math.max(next, 1e-3 * t), 0.6 * t);
  }
  return { ...start, funEvals: evals, status: 'maxEvals' };
}
