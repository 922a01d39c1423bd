/**
 * Normalisation of window vectors before the autoencoder (rows = examples, columns = dimensions).
 *
 *  - removeExampleMean: subtract each row's own mean (UFLDL's "per-example mean subtraction",
 *    removes the overall level / DC of each window). Stateless.
 *  - Standardiser: per-dimension z-score, (x - mean_) / std_, with std_ floored at epsilon.
 *  - Rescale01: the UFLDL sampleIMAGES.m `normalizeData` step for sigmoid-output autoencoders
 *    (see the class comment for exactly what is done).
 *
 * Estimators are fitted on training data and then transform new data with the training statistics.
 * Sums are accumulated in float64.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { columnMean } from './kernels.ts';
import { checkJSONType, checkMatrix, requireFitted } from './validate.ts';

/** Returns a copy of X with each row's mean subtracted from that row. */
export function removeExampleMean(X: Matrix): Matrix {
  checkMatrix(X, 'removeExampleMean', { minRows: 0 });
  const { data, rows, cols } = X;
  const out = matrix(rows, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += data[o + c];
    const m = s / cols;
    for (let c = 0; c < cols; c++) out.data[o + c] = data[o + c] - m;
  }
  return out;
}

export interface StandardiserOptions {
  /** Floor on each std_ so constant dimensions do not divide by zero. Default 1e-6. */
  epsilon?: number;
}

export interface StandardiserJSON {
  type: 'Standardiser';
  version: 1;
  epsilon: number;
  mean_: number[];
  std_: number[];
}

/**
 * Each group's rows standardised with that group's own statistics (groups[r] names row r's
 * group, e.g. its speaker): removes what is constant within a group, such as a voice or a
 * microphone, from every dimension. A group of one row becomes zeros.
 */
export function standardiseByGroup(X: Matrix, groups: readonly string[]): Matrix {
  checkMatrix(X, 'standardiseByGroup', { minRows: 0 });
  if (groups.length !== X.rows) throw new SflError(`standardiseByGroup: ${groups.length} group names for ${X.rows} rows`);
  const { data, cols } = X;
  const out = matrix(X.rows, cols);
  const members = new Map<string, number[]>();
  groups.forEach((g, r) => {
    const rows = members.get(g);
    if (rows) rows.push(r);
    else members.set(g, [r]);
  });
  for (const rows of members.values()) {
    const part = matrix(rows.length, cols);
    rows.forEach((r, k) => part.data.set(data.subarray(r * cols, (r + 1) * cols), k * cols));
    const z = new Standardiser().fit(part).transform(part);
    rows.forEach((r, k) => out.data.set(z.data.subarray(k * cols, (k + 1) * cols), r * cols));
  }
  return out;
}

/** Per-dimension standardisation: (x - mean_) / std_, std_ = max(population std, epsilon). */
export class Standardiser {
  readonly epsilon: number;
  mean_: Float64Array | undefined;
  /** Population standard deviation of each dimension, floored at epsilon. */
  std_: Float64Array | undefined;

  constructor(options: StandardiserOptions = {}) {
    const { epsilon = 1e-6 } = options;
    if (!(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon > 0)) {
      throw new SflError(`Standardiser: epsilon must be a finite number > 0, got ${epsilon}`);
    }
    this.epsilon = epsilon;
  }

  fit(X: Matrix): this {
    checkMatrix(X, 'Standardiser.fit');
    const { data, rows, cols } = X;
    const mean = columnMean(X);
    const v = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) { const d = data[o + c] - mean[c]; v[c] += d * d; }
    }
    for (let c = 0; c < cols; c++) v[c] = Math.max(Math.sqrt(v[c] / rows), this.epsilon);
    this.mean_ = mean;
    this.std_ = v;
    return this;
  }

  transform(X: Matrix): Matrix {
    requireFitted(this.mean_ !== undefined, 'Standardiser');
    const mean = this.mean_!, std = this.std_!;
    checkMatrix(X, 'Standardiser.transform', { cols: mean.length, colsReason: 'the dimension it was fitted on', minRows: 0 });
    const { data, rows, cols } = X;
    const out = matrix(rows, cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) out.data[o + c] = (data[o + c] - mean[c]) / std[c];
    }
    return out;
  }

  fitTransform(X: Matrix): Matrix {
    return this.fit(X).transform(X);
  }

  inverseTransform(Z: Matrix): Matrix {
    requireFitted(this.mean_ !== undefined, 'Standardiser');
    const mean = this.mean_!, std = this.std_!;
    checkMatrix(Z, 'Standardiser.inverseTransform', { cols: mean.length, colsReason: 'the dimension it was fitted on', minRows: 0 });
    const { data, rows, cols } = Z;
    const out = matrix(rows, cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) out.data[o + c] = data[o + c] * std[c] + mean[c];
    }
    return out;
  }

  toJSON(): StandardiserJSON {
    requireFitted(this.mean_ !== undefined, 'Standardiser');
    return { type: 'Standardiser', version: 1, epsilon: this.epsilon, mean_: Array.from(this.mean_!), std_: Array.from(this.std_!) };
  }

  static fromJSON(json: unknown): Standardiser {
    checkJSONType(json, 'Standardiser');
    const j = json as unknown as StandardiserJSON;
    if (!Array.isArray(j.mean_) || !Array.isArray(j.std_) || j.mean_.length !== j.std_.length || j.mean_.length === 0) {
      throw new SflError('cannot load Standardiser: mean_ and std_ are missing or of different lengths (the saved state is damaged)');
    }
    const s = new Standardiser({ epsilon: j.epsilon });
    s.mean_ = Float64Array.from(j.mean_);
    s.std_ = Float64Array.from(j.std_);
    return s;
  }
}

export interface Rescale01Options {
  /** Subtract each example's own mean first (normalizeData does). Default true. */
  removeExampleMean?: boolean;
  /** Truncate at +/- this many standard deviations. Default 3. */
  clip?: number;
  /** Output range [low, high]. Default [0.1, 0.9]. */
  low?: number;
  high?: number;
  /** Floor on the fitted standard deviation (constant data). Default 1e-8. */
  epsilon?: number;
}

export interface Rescale01JSON {
  type: 'Rescale01';
  version: 1;
  removeExampleMean: boolean;
  clip: number;
  low: number;
  high: number;
  epsilon: number;
  std_: number;
}

/**
 * Squashes data into [low, high] = [0.1, 0.9] for an autoencoder with sigmoid outputs, as UFLDL's
 * sampleIMAGES.m normalizeData does:
 *
 *   1. x <- x - mean(x)                      per example (row), if removeExampleMean (default)
 *   2. s = clip * std_, std_ = standard deviation of ALL values after step 1 over the training set
 *      (one global number, n - 1 normalisation, as MATLAB std(patches(:)); fitted once)
 *   3. x <- max(min(x, s), -s) / s           truncate to +/- 3 std, giving [-1, 1]
 *   4. x <- low + (x + 1) / 2 * (high - low) i.e. (x + 1) * 0.4 + 0.1 with the defaults
 *
 * fit stores std_ (step 2) from the training data; transform applies 1, 3, 4 to any data with
 * that std_. (normalizeData itself recomputes the std on whatever it is given; fitting it once
 * keeps training and new data on the same scale.) inverseTransform undoes 3-4 (not the clipping
 * or the removed example means).
 */
export class Rescale01 {
  readonly removeExampleMean: boolean;
  readonly clip: number;
  readonly low: number;
  readonly high: number;
  readonly epsilon: number;
  /** Global standard deviation of the (example-mean-removed) training values. */
  std_: number | undefined;

  constructor(options: Rescale01Options = {}) {
    const { removeExampleMean: rem = true, clip = 3, low = 0.1, high = 0.9, epsilon = 1e-8 } = options;
    if (!(clip > 0 && Number.isFinite(clip))) throw new SflError(`Rescale01: clip must be a finite number > 0, got ${clip}`);
    if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
      throw new SflError(`Rescale01: need finite low < high, got low ${low}, high ${high}`);
    }
    if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new SflError(`Rescale01: epsilon must be a finite number > 0, got ${epsilon}`);
    this.removeExampleMean = rem;
    this.clip = clip;
    this.low = low;
    this.high = high;
    this.epsilon = epsilon;
  }

  /** clip * std_: the value mapped to `high` (and its negative to `low`). */
  get scale_(): number {
    requireFitted(this.std_ !== undefined, 'Rescale01');
    return this.clip * this.std_!;
  }

  fit(X: Matrix): this {
    checkMatrix(X, 'Rescale01.fit');
    const Y = this.removeExampleMean ? removeExampleMean(X) : X;
    const d = Y.data;
    const n = d.length;
    let s = 0;
    for (let i = 0; i < n; i++) s += d[i];
    const m = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) { const e = d[i] - m; v += e * e; }
    this.std_ = Math.max(n > 1 ? Math.sqrt(v / (n - 1)) : 0, this.epsilon);
    return this;
  }

  transform(X: Matrix): Matrix {
    requireFitted(this.std_ !== undefined, 'Rescale01');
    checkMatrix(X, 'Rescale01.transform', { minRows: 0 });
    const out = this.removeExampleMean ? removeExampleMean(X) : matrix(X.rows, X.cols, Float32Array.from(X.data));
    const s = this.scale_;
    const half = (this.high - this.low) / 2;
    const d = out.data;
    for (let i = 0; i < d.length; i++) {
      const v = Math.max(Math.min(d[i], s), -s) / s;
      d[i] = this.low + (v + 1) * half;
    }
    return out;
  }

  fitTransform(X: Matrix): Matrix {
    return this.fit(X).transform(X);
  }

  /** Maps [low, high] back to [-scale_, scale_] (clipped values and removed means are not restored). */
  inverseTransform(Y: Matrix): Matrix {
    requireFitted(this.std_ !== undefined, 'Rescale01');
    checkMatrix(Y, 'Rescale01.inverseTransform', { minRows: 0 });
    const s = this.scale_;
    const half = (this.high - this.low) / 2;
    const out = matrix(Y.rows, Y.cols);
    for (let i = 0; i < Y.data.length; i++) out.data[i] = ((Y.data[i] - this.low) / half - 1) * s;
    return out;
  }

  toJSON(): Rescale01JSON {
    requireFitted(this.std_ !== undefined, 'Rescale01');
    return {
      type: 'Rescale01', version: 1, removeExampleMean: this.removeExampleMean, clip: this.clip,
      low: this.low, high: this.high, epsilon: this.epsilon, std_: this.std_!,
    };
  }

  static fromJSON(json: unknown): Rescale01 {
    checkJSONType(json, 'Rescale01');
    const j = json as unknown as Rescale01JSON;
    if (!(typeof j.std_ === 'number' && j.std_ > 0)) throw new SflError('cannot load Rescale01: std_ is missing or not positive (the saved state is damaged)');
    const r = new Rescale01({ removeExampleMean: j.removeExampleMean, clip: j.clip, low: j.low, high: j.high, epsilon: j.epsilon });
    r.std_ = j.std_;
    return r;
  }
}
