/**
 * Train a sparse autoencoder on raw input vectors: fit the preprocessing, minimise the cost with
 * L-BFGS (the evaluation split across worker threads), and draw what was learned.
 */
import type { Matrix } from '../../compute/matrix.ts';
import { costPath } from '../../compute/engine.ts';
import { Preprocessor, type PreprocessOptions } from '../../features/preprocess.ts';
import {
  initParams,
  paramCount,
  sparseAutoencoderCost,
  sparseAutoencoderCostParallel,
  type Decoder,
  type DisposableCostFunction,
  type SaeOptions,
} from './sparse-autoencoder.ts';
import { defaultLbfgsOptions, lbfgs, type IterationInfo, type LbfgsResult } from '../../optim/lbfgs.ts';
import { requireMemory } from '../../util/memory.ts';
import { linePlot } from '../../viz/line-plot.ts';
import type { RgbaImage } from '../../viz/raster.ts';
import { progress } from '../../util/progress.ts';
import type { InputDescription } from '../../features/input-description.ts';
import type { SaeModel } from './saved-model.ts';

export interface TrainSaeOptions {
  preprocess: PreprocessOptions;
  hidden: number;
  weightDecay: number;
  beta: number;
  rho: number;
  /** 'auto': sigmoid when the preprocessed data lies in [0, 1], else linear. */
  decoder: Decoder | 'auto';
  maxIter: number;
  seed: number;
  /** Worker threads for the cost evaluation; default one per core (SFL_WORKERS overrides). */
  workers?: number;
  /** Stage name on the progress bar. */
  stage?: string;
  onIteration?: (info: IterationInfo) => void;
}

export interface TrainSaeResult {
  model: SaeModel;
  lbfgs: LbfgsResult;
  seconds: number;
}

/**
 * Refuses a hidden layer that cannot fit in memory, before anything of its size is allocated.
 * Estimate: the parameters (2*hidden*visible + hidden + visible) as float64 in L-BFGS (its (s, y)
 * history of defaultLbfgsOptions.memory pairs, theta, gradient and search vectors) and as float32
 * in the cost (weights, gradient, a copy), plus three examples x hidden float32 activations.
 */
function checkSaeMemory(examples: number, visible: number, hidden: number): void {
  const n = paramCount(visible, hidden);
  const bytes = n * 8 * (2 * defaultLbfgsOptions.memory + 6) + n * 4 * 3 + examples * hidden * 4 * 3;
  requireMemory(bytes, Math.max(n, examples * hidden), `a sparse autoencoder of ${hidden} hidden units on ${visible} inputs and ${examples} examples`, 'choose fewer hidden units (--hidden, sae.hidden)');
}

function inUnitRange(X: Matrix): boolean {
  for (let i = 0; i < X.data.length; i++) if (!(X.data[i] >= 0 && X.data[i] <= 1)) return false;
  return true;
}

/**
 * The sparse autoencoder cost on Z on the path src/compute/engine.ts chooses for it: one ONNX
 * graph in ONNX Runtime, or tfjs split over worker threads when the data is big enough to pay for
 * it. Also used by stacked pretraining.
 */
export async function saeCostFunction(Z: Matrix, opts: SaeOptions, workers?: number): Promise<DisposableCostFunction> {
  checkSaeMemory(Z.rows, opts.visible, opts.hidden);
  const path = await costPath(Z.rows, Z.cols, workers);
  // Imported here, not at the top: a checkout whose node_modules predate onnx-proto still runs on wasm.
  if (path.engine === 'onnx') return (await import('./onnx-cost.ts')).sparseAutoencoderCostOnnx(Z, opts);
  return path.workers > 1 ? sparseAutoencoderCostParallel(Z, opts, { workers: path.workers }) : sparseAutoencoderCost(Z, opts);
}

export async function trainSae(X: Matrix, input: InputDescription, o: TrainSaeOptions): Promise<TrainSaeResult> {
  const t0 = performance.now();
  const preprocessor = new Preprocessor(o.preprocess);
  const Z = preprocessor.fitTransform(X);
  const decoder: Decoder = o.decoder === 'auto' ? (inUnitRange(Z) ? 'sigmoid' : 'linear') : o.decoder;
  const opts = { visible: Z.cols, hidden: o.hidden, weightDecay: o.weightDecay, beta: o.beta, rho: o.rho, decoder };
  const f = await saeCostFunction(Z, opts, o.workers);
  const bar = progress({ stage: o.stage ?? 'sparse autoencoder (L-BFGS)', total: o.maxIter });
  let result: LbfgsResult;
  try {
    result = await lbfgs(f, initParams(Z.cols, o.hidden, o.seed), {
      maxIter: o.maxIter,
      onIteration: (info) => {
        bar.update(info.iter, { cost: info.cost.toPrecision(6), '|g|': info.gradNorm.toExponential(1) });
        o.onIteration?.(info);
      },
    });
  } finally {
    bar.stop();
    await f.dispose();
  }
  if (result.theta.length !== paramCount(Z.cols, o.hidden)) throw new Error('L-BFGS returned a parameter vector of the wrong length');
  const model: SaeModel = {
    input,
    preprocessor,
    hyper: { hidden: o.hidden, weightDecay: o.weightDecay, beta: o.beta, rho: o.rho, decoder },
    theta: result.theta,
  };
  return { model, lbfgs: result, seconds: (performance.now() - t0) / 1000 };
}

/** Cost per L-BFGS iteration (log scale). */
export function costCurve(result: LbfgsResult, title = 'sparse autoencoder cost'): RgbaImage {
  const h = result.history;
  return linePlot([{ name: 'cost', x: h.map((e) => e.iter), y: h.map((e) => e.cost) }], {
    title,
    xLabel: 'L-BFGS iteration',
    yLabel: 'cost',
    logY: true,
  });
}
