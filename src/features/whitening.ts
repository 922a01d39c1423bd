/**
 * PCA and ZCA whitening (UFLDL "PCA and whitening").
 *
 * Column-vector notation (one example x of d dimensions):
 *   fit:        mean = E[x],  Sigma = (X - mean)'(X - mean) / n  (float64),  Sigma = U diag(lambda) U'
 *   PCA:        z = diag(1 / sqrt(lambda_k + epsilon)) U_k' (x - mean)            (k outputs)
 *   ZCA:        z = U_k diag(1 / sqrt(lambda_k + epsilon)) U_k' (x - mean)        (d outputs)
 * where U_k holds the k retained eigenvectors (decreasing eigenvalue).
 *
 * So z = Wh (x - mean) with Wh = whiteningMatrix() (rows = outputs, cols = d), and the inverse is
 * x = Wd z + mean with Wd = dewhiteningMatrix() (d x outputs). In this project's row-major data
 * (rows = examples) that is Z = (X - mean) Wh'.
 *
 * Folding whitening into a layer that sees whitened input, a = f(W z + b):
 *   W_eff = W * Wh,  b_eff = b - W_eff * mean   gives a = f(W_eff x + b_eff) on raw input x.
 * Drawing a hidden unit in input space: W_eff rows are the filters applied to raw input (what
 * UFLDL's linear-decoder exercise displays, W * ZCAWhite); Wd * W' columns are the input patterns
 * the units respond to in the whitened sense.
 *
 * Retained components: `retainVariance` (e.g. 0.99) keeps the fewest leading components whose
 * eigenvalues sum to at least that fraction of the total; `nComponents` keeps a fixed number;
 * neither keeps all d. PCA then outputs k dimensions. ZCA always outputs d dimensions: with k < d
 * it whitens within the span of the k leading eigenvectors and drops the rest (the result has rank
 * k), and inverseTransform reconstructs the projection of x onto that span.
 *
 * Eigenvalues are floored at 0 (tiny negative values are rounding error). `epsilon` regularises
 * the scaling: UFLDL uses 0.1 for natural-image patches in [0,1]; with epsilon near 0 the whitened
 * training data has identity covariance but low-variance directions (noise) are amplified.
 */
import { transposed, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { symmetricEigen } from './eigh.ts';
import { columnMean, covariance, gemmNT } from './kernels.ts';
import { applyAffineFast } from './tf-affine.ts';
import { checkJSONType, checkMatrix, requireFitted } from './validate.ts';
import { WHITENING_DEFAULTS } from './whitening-defaults.ts';

export type WhiteningKind = 'pca' | 'zca';


export interface WhiteningOptions {
  /** 'pca' (rotate, scale, optionally reduce dimension) or 'zca' (PCA whitening rotated back). */
  kind: WhiteningKind;
  /** Added to each eigenvalue before the 1/sqrt scaling. Default WHITENING_DEFAULTS.epsilon (0.1). */
  epsilon?: number;
  /**
   * Keep the fewest leading components retaining at least this fraction of the variance, in (0, 1].
   * Default: all (the config's whitening.retainVariance is passed for PCA by features/preprocess.ts).
   */
  retainVariance?: number;
  /** Keep exactly this many leading components (alternative to retainVariance). */
  nComponents?: number;
}

export interface WhiteningJSON {
  type: 'Whitening';
  version: 1;
  kind: WhiteningKind;
  epsilon: number;
  retainVariance: number | null;
  nComponents: number | null;
  nFeatures_: number;
  nComponents_: number;
  mean_: number[];
  /** nComponents_ x nFeatures_ row-major. */
  components_: number[];
  eigenvalues_: number[];
}

export class Whitening {
  readonly kind: WhiteningKind;
  readonly epsilon: number;
  readonly retainVariance: number | undefined;
  readonly nComponents: number | undefined;

  /** Per-dimension mean of the training data (length nFeatures_). */
  mean_: Float64Array | undefined;
  /** Retained eigenvectors of the covariance, nComponents_ x nFeatures_ row-major; row i is the i-th eigenvector (decreasing eigenvalue, sign fixed so its largest-magnitude entry is positive). */
  components_: Float64Array | undefined;
  /** All nFeatures_ covariance eigenvalues in decreasing order (floored at 0), including those not retained. */
  eigenvalues_: Float64Array | undefined;
  nComponents_: number | undefined;
  nFeatures_: number | undefined;

  private wh: Float64Array | undefined;
  private wd: Float64Array | undefined;

  constructor(options: WhiteningOptions) {
    const { kind, epsilon = WHITENING_DEFAULTS.epsilon, retainVariance, nComponents } = options;
    if (kind !== 'pca' && kind !== 'zca') throw new SflError(`Whitening: kind must be 'pca' or 'zca', got ${JSON.stringify(kind)}`);
    if (!(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon >= 0)) {
      throw new SflError(`Whitening: epsilon must be a finite number >= 0, got ${epsilon}`);
    }
    if (retainVariance !== undefined && !(typeof retainVariance === 'number' && retainVariance > 0 && retainVariance <= 1)) {
      throw new SflError(`Whitening: retainVariance must be a fraction in (0, 1], e.g. 0.99, got ${retainVariance}`);
    }
    if (nComponents !== undefined && !(Number.isInteger(nComponents) && nComponents >= 1)) {
      throw new SflError(`Whitening: nComponents must be a positive integer, got ${nComponents}`);
    }
    if (retainVariance !== undefined && nComponents !== undefined) {
      throw new SflError('Whitening: give either retainVariance or nComponents, not both');
    }
    this.kind = kind;
    this.epsilon = epsilon;
    this.retainVariance = retainVariance;
    this.nComponents = nComponents;
  }

  /** Learns mean, covariance eigenvectors and eigenvalues from training data X (examples x dimensions). */
  fit(X: Matrix): this {
    checkMatrix(X, 'Whitening.fit', { minRows: 2 });
    const d = X.cols;
    if (this.nComponents !== undefined && this.nComponents > d) {
      throw new SflError(`Whitening: nComponents is ${this.nComponents} but the data has only ${d} dimensions`);
    }
    const mean = columnMean(X);
    const cov = covariance(X, mean);
    const { values, vectors } = symmetricEigen(cov, d);
    for (let i = 0; i < d; i++) {
      if (!(values[i] > 0)) values[i] = 0;
      // Deterministic sign: largest-magnitude entry positive.
      const row = vectors.subarray(i * d, i * d + d);
      let best = 0;
      for (let j = 1; j < d; j++) if (Math.abs(row[j]) > Math.abs(row[best])) best = j;
      if (row[best] < 0) for (let j = 0; j < d; j++) row[j] = -row[j];
    }
    const k = this.nComponents ?? (this.retainVariance !== undefined ? componentsForVariance(values, this.retainVariance) : d);
    this.mean_ = mean;
    this.eigenvalues_ = values;
    this.components_ = vectors.slice(0, k * d);
    this.nComponents_ = k;
    this.nFeatures_ = d;
    this.wh = undefined;
    this.wd = undefined;
    return this;
  }

  /** Whitens X (examples x nFeatures_) with the training statistics; returns examples x outputDim. */
  transform(X: Matrix): Matrix {
    this.ensureFitted();
    checkMatrix(X, 'Whitening.transform', { cols: this.nFeatures_, colsReason: 'the dimension the whitening was fitted on' });
    return applyAffineFast(X, this.whitening64(), this.outputDim, this.mean_);
  }

  fitTransform(X: Matrix): Matrix {
    return this.fit(X).transform(X);
  }

  /** Dewhitening: maps whitened Z (examples x outputDim) back to input space, x = Wd z + mean. */
  inverseTransform(Z: Matrix): Matrix {
    this.ensureFitted();
    checkMatrix(Z, 'Whitening.inverseTransform', { cols: this.outputDim, colsReason: 'the whitened dimension' });
    return applyAffineFast(Z, this.dewhitening64(), this.nFeatures_!, undefined, this.mean_);
  }

  /** Number of output dimensions of transform: nComponents_ for PCA, nFeatures_ for ZCA. */
  get outputDim(): number {
    this.ensureFitted();
    return this.kind === 'pca' ? this.nComponents_! : this.nFeatures_!;
  }

  /** Fraction of the total variance in the retained components. */
  get retainedVarianceFraction(): number {
    this.ensureFitted();
    return varianceFraction(this.eigenvalues_!, this.nComponents_!);
  }

  /** Wh (outputDim x nFeatures_): z = Wh (x - mean). */
  whiteningMatrix(): Matrix {
    this.ensureFitted();
    return { data: Float32Array.from(this.whitening64()), rows: this.outputDim, cols: this.nFeatures_! };
  }

  /** Wd (nFeatures_ x outputDim): x = Wd z + mean (exact inverse of Wh on the retained subspace). */
  dewhiteningMatrix(): Matrix {
    this.ensureFitted();
    return { data: Float32Array.from(this.dewhitening64()), rows: this.nFeatures_!, cols: this.outputDim };
  }

  /** The training mean as a float32 vector (for b_eff = b - W_eff * mean). */
  meanVector(): Float32Array {
    this.ensureFitted();
    return Float32Array.from(this.mean_!);
  }

  toJSON(): WhiteningJSON {
    this.ensureFitted();
    return {
      type: 'Whitening',
      version: 1,
      kind: this.kind,
      epsilon: this.epsilon,
      retainVariance: this.retainVariance ?? null,
      nComponents: this.nComponents ?? null,
      nFeatures_: this.nFeatures_!,
      nComponents_: this.nComponents_!,
      mean_: Array.from(this.mean_!),
      components_: Array.from(this.components_!),
      eigenvalues_: Array.from(this.eigenvalues_!),
    };
  }

  static fromJSON(json: unknown): Whitening {
    checkJSONType(json, 'Whitening');
    const j = json as unknown as WhiteningJSON;
    const w = new Whitening({
      kind: j.kind,
      epsilon: j.epsilon,
      retainVariance: j.retainVariance ?? undefined,
      nComponents: j.nComponents ?? undefined,
    });
    const d = j.nFeatures_;
    const k = j.nComponents_;
    if (!Number.isInteger(d) || !Number.isInteger(k) || k < 1 || k > d
      || j.mean_?.length !== d || j.eigenvalues_?.length !== d || j.components_?.length !== k * d) {
      throw new SflError('cannot load Whitening: the saved arrays do not match nFeatures_/nComponents_ (the saved state is damaged)');
    }
    w.nFeatures_ = d;
    w.nComponents_ = k;
    w.mean_ = Float64Array.from(j.mean_);
    w.components_ = Float64Array.from(j.components_);
    w.eigenvalues_ = Float64Array.from(j.eigenvalues_);
    return w;
  }

  private ensureFitted(): void {
    requireFitted(this.components_ !== undefined, 'Whitening');
  }

  /** 1 / sqrt(lambda_i + epsilon) for the retained components (0 where that is infinite). */
  private scales(power: 1 | -1): Float64Array {
    const k = this.nComponents_!;
    const s = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const v = Math.sqrt(this.eigenvalues_![i] + this.epsilon);
      s[i] = power === -1 ? (v > 0 ? 1 / v : 0) : v;
    }
    return s;
  }

  private whitening64(): Float64Array {
    this.wh ??= this.kind === 'pca' ? this.scaledComponents(-1) : this.zcaMatrix(-1);
    return this.wh;
  }

  private dewhitening64(): Float64Array {
    if (!this.wd) {
      if (this.kind === 'pca') this.wd = transposed(this.scaledComponents(1), this.nComponents_!, this.nFeatures_!, Float64Array);
      else this.wd = this.zcaMatrix(1);
    }
    return this.wd;
  }

  /** diag(s) U_k' as k x d. */
  private scaledComponents(power: 1 | -1): Float64Array {
    const k = this.nComponents_!, d = this.nFeatures_!;
    const s = this.scales(power);
    const out = new Float64Array(k * d);
    for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) out[i * d + j] = this.components_![i * d + j] * s[i];
    return out;
  }

  /** U_k diag(s) U_k' as d x d. */
  private zcaMatrix(power: 1 | -1): Float64Array {
    const k = this.nComponents_!, d = this.nFeatures_!;
    const U = transposed(this.components_!, k, d, Float64Array); // d x k
    const US = transposed(this.scaledComponents(power), k, d, Float64Array); // d x k, columns scaled
    const out = new Float64Array(d * d);
    gemmNT(US, d, U, d, k, out);
    return out;
  }
}

function varianceFraction(values: Float64Array, k: number): number {
  let total = 0;
  for (const v of values) total += v;
  if (total === 0) return 1;
  let kept = 0;
  for (let i = 0; i < k; i++) kept += values[i];
  return kept / total;
}

/** The fewest leading components whose eigenvalues sum to at least `fraction` of the total (at least 1). */
export function componentsForVariance(values: Float64Array, fraction: number): number {
  let total = 0;
  for (const v of values) total += v;
  if (total === 0) return values.length;
  const target = fraction * total * (1 - 1e-12);
  let kept = 0;
  for (let i = 0; i < values.length; i++) {
    kept += values[i];
    if (kept >= target) return i + 1;
  }
  return values.length;
}
