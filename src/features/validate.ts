/** Input checks shared by the feature estimators; each failure is a sentence a user can act on. */
import type { Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';

/**
 * Checks that `X` is a well-formed matrix with at least `minRows` rows, `cols` columns when given,
 * and only finite values. Indices in messages are 0-based.
 */
export function checkMatrix(X: Matrix, what: string, opts: { cols?: number; minRows?: number; colsReason?: string } = {}): void {
  if (X == null || !(X.data instanceof Float32Array) || !Number.isInteger(X.rows) || !Number.isInteger(X.cols)) {
    throw new SflError(`${what}: expected a Matrix ({data: Float32Array, rows, cols})`);
  }
  if (X.rows < 0 || X.cols < 1 || X.data.length !== X.rows * X.cols) {
    throw new SflError(`${what}: matrix says ${X.rows} x ${X.cols} but holds ${X.data.length} values`);
  }
  const minRows = opts.minRows ?? 1;
  if (X.rows < minRows) {
    throw new SflError(`${what}: needs at least ${minRows} row${minRows === 1 ? '' : 's'} (examples), got ${X.rows}`);
  }
  if (opts.cols !== undefined && X.cols !== opts.cols) {
    throw new SflError(`${what}: expected ${opts.cols} columns${opts.colsReason ? ` (${opts.colsReason})` : ''}, got ${X.cols}`);
  }
  const d = X.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    // v - v is 0 for finite v and NaN for NaN and +/-Infinity: one comparison on the fast path.
    if (v - v !== 0) {
      const row = Math.floor(i / X.cols);
      const col = i - row * X.cols;
      throw new SflError(`${what}: row ${row}, column ${col} is ${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'} (0-based); the data must be finite`);
    }
  }
}

export function requireFitted(fitted: boolean, name: string): void {
  if (!fitted) throw new SflError(`${name} is not fitted yet: call fit(X) on training data first`);
}

/** Checks the object passed to fromJSON has the expected `type` tag. */
export function checkJSONType(json: unknown, type: string): asserts json is Record<string, unknown> {
  if (json == null || typeof json !== 'object' || (json as { type?: unknown }).type !== type) {
    throw new SflError(`cannot load ${type}: the saved state is not a ${type} (type tag is ${JSON.stringify((json as { type?: unknown } | null)?.type)})`);
  }
}

/** Checks a saved model held as one parameter list: its `type` tag, version 1, and `theta` an array. */
export function checkSavedParams(json: unknown, type: string): void {
  checkJSONType(json, type);
  if (json.version !== 1) throw new SflError(`cannot load ${type}: unknown version ${String(json.version)}`);
  if (!Array.isArray(json.theta)) throw new SflError(`cannot load ${type}: the saved state has no parameter list (theta)`);
}
