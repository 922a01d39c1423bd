/**
 * Convolution and pooling on MNIST (UFLDL's convolution exercise, on digits): a sparse
 * autoencoder learns patchSize x patchSize patch features from random patches of the training
 * images (preprocessed as config.normalise / config.whitening, e.g. ZCA), the features are
 * convolved over every 28 x 28 image (preprocessing folded into the filters), pooled over
 * poolSize x poolSize regions, standardised, and a softmax classifies; tested on the test images.
 *   -> outputs/<run>/ with encoder/, classifier/, metrics.json, filters.png, cost.png, confusion.png.
 */
import { resolveMnistDir } from '../../data/mnist.ts';
import type { Matrix } from '../../compute/matrix.ts';
import { convolvePoolImages, foldFilters, pooledSide, type PoolKind } from '../../models/conv/convolve.ts';
import { Standardiser } from '../../features/normalise.ts';
import { samplePatches } from '../../features/sampler.ts';
import { softmaxPredict } from '../../models/softmax/softmax.ts';
import { accuracy } from '../../models/metrics.ts';
import { SflError } from '../../util/errors.ts';
import { encodePng } from '../../viz/png.ts';
import type { Config } from '../config.ts';
import { mnistImages } from '../inputs.ts';
import { saveModel } from '../../models/model-io.ts';
import { softmaxWeights } from '../../models/classifier-model.ts';
import { progress } from '../../util/progress.ts';
import { inRunFolder } from '../run-folder.ts';
import { saveSaeModel } from '../../models/sae/saved-model.ts';
import { trainSae } from '../../models/sae/train.ts';
import { filterPicture } from '../../models/sae/filter-picture.ts';
import { saeTrainOptions } from '../sae-options.ts';
import { classifierRunMetrics, evaluate } from '../run-metrics.ts';
import { softmaxSummary, stderrLog, trainSoftmaxStage, type Log } from '../softmax-stage.ts';
import { StageTimer, writeConfusionPng, writeCostCurves } from './evaluation.ts';
import type { ClassificationExperimentResult } from './evaluation.ts';

/** One Matrix view (height x width) per image row of X, for the patch sampler. */
function imageViews(X: Matrix, height: number, width: number): Matrix[] {
  const d = height * width;
  return Array.from({ length: X.rows }, (_, i) => ({ data: X.data.subarray(i * d, (i + 1) * d), rows: height, cols: width }));
}

export async function runMnistConvExperiment(config: Config, log: Log = stderrLog): Promise<ClassificationExperimentResult> {
  const c = config.conv;
  const p = c.patchSize;
  const stride = c.poolStride ?? c.poolSize;
  const kind: PoolKind = config.pooling.method;
  return inRunFolder({ command: 'conv', config }, async (run) => {
    const timer = new StageTimer();
    const dir = resolveMnistDir(config.data.mnistDir ?? undefined);
    const digits = config.data.digits;
    const train = mnistImages(dir, { split: 'train', digits, count: config.data.count });
    const test = mnistImages(dir, { split: 'test', digits });
    if (train.input.kind !== 'image') throw new Error('MNIST images expected');
    const { width: W, height: H } = train.input;
    if (p > Math.min(W, H)) throw new SflError(`conv.patchSize (${p}) is larger than the ${H} x ${W} images`);
    const maps = H - p + 1;
    if (pooledSide(maps, c.poolSize, stride) < 1) throw new SflError(`conv.poolSize (${c.poolSize}) is larger than the ${maps} x ${maps} feature maps`);
    const classNames = digits.map(String);
    const toClass = (labels: Uint8Array) => Int32Array.from(labels, (l) => digits.indexOf(l));
    const trainY = toClass(train.labels), testY = toClass(test.labels);
    log(`MNIST: ${train.X.rows} training / ${test.X.rows} test images; ${config.windows.count} random ${p}x${p} patches for the autoencoder`);

    const patches = samplePatches(imageViews(train.X, H, W), { count: config.windows.count, height: p, width: p, seed: config.windows.seed ?? config.run.seed });
    const sae = await timer.time('autoencoder', () => trainSae(patches, { kind: 'image', width: p, height: p }, saeTrainOptions(config, `${p}x${p} patch autoencoder (L-BFGS)`)));
    const filters = foldFilters(sae.model.preprocessor, sae.model.theta, p, p);
    const pool = { size: c.poolSize, stride, kind };
    log(`convolving ${sae.model.hyper.hidden} features over ${train.X.rows + test.X.rows} images, pooling ${kind} over ${c.poolSize}x${c.poolSize} regions (stride ${stride})`);
    const { trainF, testF } = await timer.time('convolution and pooling', () => {
      const bar = progress({ stage: 'convolution and pooling', total: train.X.rows + test.X.rows });
      try {
        const trainF = convolvePoolImages(train.X, H, W, filters, { ...pool, onProgress: (n) => bar.update(n) });
        const testF = convolvePoolImages(test.X, H, W, filters, { ...pool, onProgress: (n) => bar.update(train.X.rows + n) });
        return { trainF, testF };
      } finally {
        bar.stop();
      }
    });
    const standardiser = new Standardiser().fit(trainF);
    const trainZ = standardiser.transform(trainF), testZ = standardiser.transform(testF);
    const { model, costs, choice } = await timer.time('softmax', () => trainSoftmaxStage(trainZ, trainY, classNames.length, config, log));
    const testEval = evaluate(testY, softmaxPredict(model, testZ).labels, classNames);
    const trainAccuracy = accuracy(trainY, softmaxPredict(model, trainZ).labels);

    await saveSaeModel(run.path('encoder'), sae.model);
    await saveModel(run.path('classifier'), {
      kind: 'softmax-on-conv-features',
      topology: { inputSize: model.inputSize, numClasses: model.numClasses, bias: model.bias, weightDecay: model.weightDecay },
      weights: softmaxWeights(model, 'softmax/'),
      metadata: { classNames, image: { width: W, height: H }, patchSize: p, pool, standardiser: standardiser.toJSON() },
    });
    await run.writeFile('filters.png', encodePng(filterPicture(sae.model).image));
    await writeConfusionPng(run, 'confusion.png', testEval, classNames, `conv + pool + softmax: ${(100 * testEval.accuracy).toFixed(2)}%`);
    const saeCosts = sae.lbfgs.history.map((h) => h.cost);
    await writeCostCurves(run, 'cost.png', { autoencoder: saeCosts, softmax: costs }, 'convolution and pooling: cost per stage');
    const metrics = classifierRunMetrics(
      { experiment: 'conv', seed: config.run.seed, classNames, test: testEval, finalCost: model.training?.cost ?? null },
      {
      source: 'mnist',
      data: { source: 'mnist', digits, train: train.X.rows, test: test.X.rows, patches: patches.rows },
      encoder: { ...sae.model.hyper, patchSize: p, iterations: sae.lbfgs.iterations, finalCost: sae.lbfgs.cost, stopReason: sae.lbfgs.stopReason },
      pooling: pool,
      features: trainF.cols,
      softmax: softmaxSummary(model, config, choice),
      train: { examples: train.X.rows, accuracy: trainAccuracy },
      secondsPerStage: timer.seconds,
      costHistory: { autoencoder: saeCosts, softmax: costs },
      },
    );
    return { metrics };
  });
}
