/**
 * The whole preprocessing chain between window vectors and a model, as one estimator:
 * normalise (none | example-mean | standardise | rescale01), then whiten (none | pca | zca).
 * Fitted on training data only, saved with the model (toJSON), applied to new data (transform).
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { removeExampleMean, Rescale01, Standardiser } from './normalise.ts';
import { Whitening } from './whitening.ts';

export type NormaliseKind = 'none' | 'example-mean' | 'standardise' | 'rescale01';
export type WhiteningChoice = 'none' | 'pca' | 'zca';

export interface PreprocessOptions {
  normalise: NormaliseKind;
  whitening: { kind: WhiteningChoice; epsilon: number; retainVariance: number };
}

/**
 * One step of the fitted chain as plain numbers (for exporters): an affine map y = A x + c (A
 * row-major, out x in, float64), or a clip of every value to [low, high].
 */
export type PreprocessStage =
  | { kind: 'affine'; A: Float64Array; c: Float64Array; inDim: number; outDim: number }
  | { kind: 'clip'; low: number; high: number };

export type AffineStage = Extract<PreprocessStage, { kind: 'affine' }>;

/** b after a: x -> B (A x + a.c) + b.c. */
export function composeAffine(a: AffineStage, b: AffineStage): AffineStage {
  const { inDim: n, outDim: m } = a, k = b.outDim;
  const A = new Float64Array(k * n), c = Float64Array.from(b.c);
  for (let r = 0; r < k; r++) {
    for (let j = 0; j < m; j++) {
      const w = b.A[r * m + j];
      if (w === 0) continue;
      for (let i = 0; i < n; i++) A[r * n + i] += w * a.A[j * n + i];
      c[r] += w * a.c[j];
    }
  }
  return { kind: 'affine', A, c, inDim: n, outDim: k };
}

/** Affine stages one after another as one map on inDim values (the identity when there are none). */
export function composedAffine(stages: readonly AffineStage[], inDim: number): AffineStage {
  if (stages.length > 0) return stages.reduce(composeAffine);
  const A = new Float64Array(inDim * inDim);
  for (let i = 0; i < inDim; i++) A[i * inDim + i] = 1;
  return { kind: 'affine', A, c: new Float64Array(inDim), inDim, outDim: inDim };
}

export interface PreprocessJSON {
  type: 'Preprocessor';
  version: 1;
  options: PreprocessOptions;
  inputDim_: number;
  normaliser: unknown;
  whitening: unknown;
}

export class Preprocessor {
  normaliser_: Standardiser | Rescale01 | undefined;
  whitening_: Whitening | undefined;
  inputDim_: number | undefined;

  constructor(readonly options: PreprocessOptions) {}

  fit(X: Matrix): this {
    this.inputDim_ = X.cols;
    const { normalise, whitening } = this.options;
    let Y = X;
    if (normalise === 'example-mean') Y = removeExampleMean(X);
    else if (normalise === 'standardise') Y = (this.normaliser_ = new Standardiser()).fitTransform(X);
    else if (normalise === 'rescale01') Y = (this.normaliser_ = new Rescale01()).fitTransform(X);
    if (whitening.kind !== 'none') {
      // retainVariance reduces dimension only for PCA; ZCA keeps every direction (it rotates back).
      this.whitening_ = new Whitening({
        kind: whitening.kind,
        epsilon: whitening.epsilon,
        retainVariance: whitening.kind === 'pca' && whitening.retainVariance < 1 ? whitening.retainVariance : undefined,
      }).fit(Y);
    }
    return this;
  }

  transform(X: Matrix): Matrix {
    if (this.inputDim_ === undefined) throw new SflError('Preprocessor: transform before fit');
    if (X.cols !== this.inputDim_) {
      throw new SflError(`preprocessing was fitted on vectors of ${this.inputDim_} values, these have ${X.cols}`);
    }
    let Y = X;
    if (this.options.normalise === 'example-mean') Y = removeExampleMean(X);
    else if (this.normaliser_) Y = this.normaliser_.transform(X);
    return this.whitening_ ? this.whitening_.transform(Y) : Y;
  }

  fitTransform(X: Matrix): Matrix {
    return this.fit(X).transform(X);
  }

  /** Dimension of transform's output (PCA may reduce it). */
  get outputDim(): number {
    if (this.inputDim_ === undefined) throw new SflError('Preprocessor: not fitted');
    return this.whitening_ ? this.whitening_.outputDim : this.inputDim_;
  }

  /** Whether the model sees values in [0, 1] (a sigmoid decoder can reconstruct them) or not. */
  get outputInUnitRange(): boolean {
    return !this.whitening_ && this.options.normalise === 'rescale01';
  }

  /**
   * Filters (rows of W, in the model's input space) drawn back in the space of the raw vectors,
   * so a person can read them: through the dewhitening matrix (w_in = Wd w), then scaled by the
   * standardiser's per-dimension std (directions, so no mean is added). Rescale01 is one global
   * scale and example-mean removal has no inverse: neither changes the picture's shape.
   */
  filtersToInputSpace(W: Matrix): Matrix {
    let F = W;
    if (this.whitening_) {
      const Wd = this.whitening_.dewhiteningMatrix(); // d x k
      const d = Wd.rows, k = Wd.cols;
      if (W.cols !== k) throw new SflError(`filters have ${W.cols} values, the whitened space has ${k}`);
      F = matrix(W.rows, d);
      for (let r = 0; r < W.rows; r++) {
        for (let i = 0; i < d; i++) {
          let s = 0;
          for (let j = 0; j < k; j++) s += Wd.data[i * k + j] * W.data[r * k + j];
          F.data[r * d + i] = s;
        }
      }
    }
    if (this.normaliser_ instanceof Standardiser) {
      const std = this.normaliser_.std_!;
      const out = matrix(F.rows, F.cols);
      for (let r = 0; r < F.rows; r++) for (let i = 0; i < F.cols; i++) out.data[r * F.cols + i] = F.data[r * F.cols + i] * std[i];
      F = out;
    }
    return F;
  }

  /**
   * The fitted chain as the stages transform applies, read from the fitted state in float64 (not
   * probed through transform, whose float32 loses digits to the offsets): example-mean removal
   * (I - 1 1'/d), standardisation (diag(1/std), -mean/std), rescale01 (centring, clip to +-s,
   * then low + (x + s) (high - low) / (2 s)), whitening (Wh, -Wh mean).
   */
  stages(): PreprocessStage[] {
    const d = this.inputDim_;
    if (d === undefined) throw new SflError('Preprocessor: not fitted');
    const diag = (scale: ArrayLike<number>, shift: ArrayLike<number>): PreprocessStage => {
      const A = new Float64Array(d * d);
      for (let i = 0; i < d; i++) A[i * d + i] = scale[i];
      return { kind: 'affine', A, c: Float64Array.from(shift), inDim: d, outDim: d };
    };
    const centring = (): PreprocessStage => {
      const A = new Float64Array(d * d).fill(-1 / d);
      for (let i = 0; i < d; i++) A[i * d + i] += 1;
      return { kind: 'affine', A, c: new Float64Array(d), inDim: d, outDim: d };
    };
    const out: PreprocessStage[] = [];
    const n = this.normaliser_;
    if (this.options.normalise === 'example-mean') out.push(centring());
    else if (n instanceof Standardiser) out.push(diag(Array.from(n.std_!, (s) => 1 / s), Array.from(n.mean_!, (m, i) => -m / n.std_![i])));
    else if (n instanceof Rescale01) {
      const s = n.scale_, half = (n.high - n.low) / 2;
      if (n.removeExampleMean) out.push(centring());
      out.push({ kind: 'clip', low: -s, high: s });
      out.push(diag(new Float64Array(d).fill(half / s), new Float64Array(d).fill(n.low + half)));
    }
    if (this.whitening_) {
      const Wh = this.whitening_.whiteningMatrix();
      const mean = this.whitening_.mean_!;
      const c = new Float64Array(Wh.rows);
      for (let r = 0; r < Wh.rows; r++) for (let i = 0; i < d; i++) c[r] -= Wh.data[r * d + i] * mean[i];
      out.push({ kind: 'affine', A: Float64Array.from(Wh.data), c, inDim: d, outDim: Wh.rows });
    }
    return out;
  }

  /**
   * The chain as a part that must run on the data (`head`: rescale01, whose clip is not affine;
   * null when every stage is affine) and the affine rest (`tail`, on head's output; null when
   * there is none, the identity), for a linear
   * layer that follows to absorb: W (A x + c) = (W A) x + W c, one product per vector instead of
   * two (the whitening's d x d product was a third of `sfl classify`'s time).
   *
   * `centre` is a point near the training data's mean in the tail's input space (the
   * standardiser's or the whitening's mean): a caller computing in float32 subtracts it before the
   * product, (W A)(x - centre) + W (A centre + c), so the product works on deviations rather than
   * on raw values with a large offset that the bias then cancels.
   */
  affineTail(): { head: ((X: Matrix) => Matrix) | null; tail: AffineStage | null; centre: Float64Array } {
    const d = this.inputDim_;
    if (d === undefined) throw new SflError('Preprocessor: not fitted');
    const n = this.normaliser_;
    const w = this.whitening_;
    const stages = this.stages();
    const clips = n instanceof Rescale01;
    // After rescale01 only the whitening is left to fold; otherwise every stage is affine.
    const affine = (clips ? stages.slice(stages.findIndex((s) => s.kind === 'clip') + 2) : stages).filter((s): s is AffineStage => s.kind === 'affine');
    const tail = affine.length > 0 ? composedAffine(affine, d) : null;
    let centre: Float64Array;
    if (n instanceof Standardiser) centre = Float64Array.from(n.mean_!);
    else if (w) centre = Float64Array.from(w.mean_!);
    else centre = new Float64Array(d);
    return { head: clips ? (X) => n.transform(X) : null, tail, centre };
  }

  toJSON(): PreprocessJSON {
    if (this.inputDim_ === undefined) throw new SflError('Preprocessor: not fitted');
    return {
      type: 'Preprocessor',
      version: 1,
      options: this.options,
      normaliser: this.normaliser_?.toJSON() ?? null,
      whitening: this.whitening_?.toJSON() ?? null,
      inputDim_: this.inputDim_!,
    };
  }

  static fromJSON(json: unknown): Preprocessor {
    const j = json as PreprocessJSON;
    if (!j || j.type !== 'Preprocessor') throw new SflError('not a saved preprocessing state (type Preprocessor)');
    const p = new Preprocessor(j.options);
    p.inputDim_ = j.inputDim_;
    const n = j.normaliser as { type?: string } | null;
    if (n?.type === 'Standardiser') p.normaliser_ = Standardiser.fromJSON(n);
    else if (n?.type === 'Rescale01') p.normaliser_ = Rescale01.fromJSON(n);
    if (j.whitening) p.whitening_ = Whitening.fromJSON(j.whitening);
    return p;
  }
}
