import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { labelNames, scanLabeledSet } from '../../src/data/labeled-set.ts';
import { runAudioSelfTaught, saveAudioPipeline } from '../../src/pipeline/audio-classifier.ts';
import { resolveConfig, type PartialConfig } from '../../src/pipeline/config.ts';
import { runConvAeExperiment } from '../../src/pipeline/experiments/conv-ae.ts';
import { runAudioSelfTaughtExperiment } from '../../src/pipeline/experiments/audio-self-taught.ts';
import { runSoftmaxExperiment } from '../../src/pipeline/experiments/softmax.ts';
import { runStackedExperiment } from '../../src/pipeline/experiments/stacked.ts';
import { convSettings } from '../../src/pipeline/recording-features.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { exportTfjs } from '../../src/pipeline/tfjs-export.ts';
import { loadTrainedRun, type TrainedRun } from '../../src/pipeline/trained-run.ts';
import { setQuiet } from '../../src/util/progress.ts';
import { runCli, ROOT } from '../cli/run-cli.ts';
import { allWindows } from '../../src/features/sampler.ts';
import { removeExampleMean } from '../../src/features/normalise.ts';
import { classifyWithExport, loadExport, maxAbsDiff, serveFolder } from './tfjs-consumer.ts';

// Two speakers' first recordings of each digit; unseen recordings of a third speaker to classify.
const all = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings;
const recs = all.filter((r) => (r.speaker === 'jackson' || r.speaker === 'lucas') && r.index! < 8);
const unseen = all.filter((r) => r.speaker === 'george' && r.index! < 2).map((r) => r.path);
const root = mkdtempSync(join(tmpdir(), 'sfl-tfjs-'));
const audio = join(root, 'audio');
const outputs = join(root, 'outputs');
const quiet = () => undefined;
const small: PartialConfig = {
  windows: { frames: 4, count: 2000 },
  normalise: 'standardise',
  whitening: { kind: 'zca', epsilon: 0.1 },
  sae: { hidden: 12, maxIter: 10, decoder: 'linear' },
  softmax: { weightDecay: 1e-3, maxIter: 40 },
  pooling: { method: 'meanmax', segments: 3 },
};
let server: { base: string; close: () => void };

beforeAll(async () => {
  setQuiet(true);
  await initBackend();
  mkdirSync(audio);
  for (const r of recs) copyFileSync(r.path, join(audio, basename(r.path)));
  server = await serveFolder(root);
}, 60_000);
afterAll(() => server.close());

/** Exports the run, loads it back over HTTP, and checks it gives the run's own probabilities on unseen recordings. */
async function roundTrip(run: TrainedRun, name: string): Promise<ReturnType<typeof JSON.parse>> {
  const files = await exportTfjs(run, join(root, 'tfjs', name));
  expect(files.every((f) => f.startsWith(join(root, 'tfjs', name)))).toBe(true);
  const e = await loadExport(`${server.base}/tfjs/${name}`);
  try {
    if (run.input.kind !== 'audio') throw new Error('an audio run');
    expect(e.frontend.spectrum).toEqual(run.input.spectrum);
    const s = await loadSpectra(unseen, { ...e.frontend.spectrum }, { cache: false });
    const want = run.classify(s.spectra).probs;
    const got = classifyWithExport(e, s.spectra);
    expect([got.rows, got.cols]).toEqual([want.rows, want.cols]);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-4);
    return { frontend: e.frontend, encoderLayers: e.encoder?.layers.map((l) => l.name) ?? null, classifierLayers: e.classifier.layers.map((l) => l.name) };
  } finally {
    e.dispose();
  }
}

async function selfTaught(conv: boolean): Promise<TrainedRun> {
  // Self-taught with the normalisation `npm start` uses (rescale01, with its clip).
  const config = resolveConfig({ ...small, ...(conv ? { conv: { bandPatch: 12, poolSize: 10, poolStride: 5 } } : { normalise: 'rescale01' }) });
  const classNames = labelNames(recs);
  const s = await loadSpectra(recs.map((r) => r.path), config.spectrum, { cache: false });
  const y = Int32Array.from(recs.map((r) => classNames.indexOf(r.label)));
  const res = await runAudioSelfTaught({ train: s.spectra, trainY: y, test: s.spectra, testY: y, classNames }, s.params, config, {
    pool: config.pooling, baseline: false, log: quiet, conv: conv ? convSettings(config, s.spectra[0].cols) : undefined,
  });
  const dir = join(root, conv ? 'conv' : 'self-taught', 'pipeline');
  await saveAudioPipeline(dir, res.pipeline);
  return loadTrainedRun(dir);
}

const experiment = (name: string, extra: PartialConfig) =>
  resolveConfig({ ...small, data: { source: 'audio', audioDir: audio }, split: { kind: 'official' }, ...extra, run: { outputs, name } });

describe('TensorFlow.js export: every audio run that classifies, loaded by tf.loadLayersModel, gives the run\'s probabilities', () => {
  it('self-taught: encoder (preprocessing, features) per window, pooled, classifier', async () => {
    const r = await roundTrip(await selfTaught(false), 'self-taught');
    expect(r.encoderLayers).toEqual(['sfl_encoder_input', 'center', 'clip', 'preprocess', 'features']);
    expect(r.classifierLayers).toEqual(['sfl_classifier_input', 'softmax']);
    expect(r.frontend).toMatchObject({ format: 'sfl-frontend', version: 2, kind: 'audio-pipeline', input: 'audio', windows: { frames: 4, bands: 40 }, pooling: { method: 'meanmax', segments: 3 } });
    expect(r.frontend.classNames).toHaveLength(10);
  }, 120_000);

  it('conv: the folded filters as a Conv2D over each window\'s bands, pooled over frequency', async () => {
    const r = await roundTrip(await selfTaught(true), 'conv');
    expect(r.encoderLayers).toEqual(['sfl_encoder_input', 'window', 'features', 'frequency_pool', 'flatten']);
    expect(r.frontend.windows).toMatchObject({ frames: 4, bands: 40 });
  }, 120_000);

  it('stacked: the window autoencoder as encoder; preprocessing, stacked layers and softmax as classifier', async () => {
    const { runPath } = await runStackedExperiment(experiment('stacked', { stacked: { layers: [10], fineTune: true, fineTuneMaxIter: 10 } }), quiet);
    const r = await roundTrip(await loadTrainedRun(runPath), 'stacked');
    expect(r.classifierLayers).toEqual(['sfl_classifier_input', 'preprocess', 'layer1', 'softmax']);
    expect(r.frontend.kind).toBe('stacked');
  }, 120_000);

  it('train-softmax on audio, with the default normalisation for audio (rescale01, which clips at 3 standard deviations)', async () => {
    const { runPath } = await runSoftmaxExperiment(experiment('softmax', { normalise: 'rescale01' }), quiet);
    const run = await loadTrainedRun(runPath);
    const r = await roundTrip(run, 'softmax');
    expect(r.frontend.kind).toBe('softmax');
    expect(r.encoderLayers).toEqual(['sfl_encoder_input', 'center', 'clip', 'preprocess', 'features']);
    expect(r.classifierLayers).toEqual(['sfl_classifier_input', 'center', 'clip', 'preprocess', 'softmax']);
    // The clip matters: some window values of these recordings lie beyond it.
    if (run.parts.kind !== 'softmax' || run.input.kind !== 'audio') throw new Error('a softmax run on audio');
    const s = await loadSpectra(unseen, { ...run.input.spectrum }, { cache: false });
    const [, clip] = run.parts.windowEncoder!.sae.preprocessor.stages() as { kind: string; high: number }[];
    const { windows } = allWindows(s.spectra, 4);
    const centred = removeExampleMean(windows).data;
    expect(centred.some((v) => Math.abs(v) > clip.high)).toBe(true);
  }, 120_000);

  it('conv-ae: whole spectrograms brought to a fixed length; standardisation, convolutions and softmax in one model', async () => {
    const convAe = { filters: [4, 6], frames: 24, kernel: [5, 5] as [number, number], pool: [2, 2] as [number, number], pretrainEpochs: 1, fineTuneEpochs: 1, batchSize: 16 };
    const { runPath } = await runConvAeExperiment(experiment('conv-ae', { convAe } as PartialConfig), quiet);
    const r = await roundTrip(await loadTrainedRun(runPath), 'conv-ae');
    expect(r.frontend.fixedFrames).toMatchObject({ frames: 24, bands: 40 });
    expect(r.frontend.fixedFrames.pad).toHaveLength(40);
    expect(r.frontend.models.encoder).toBeNull();
    expect(r.classifierLayers).toEqual(['sfl_classifier_input', 'picture', 'standardise', 'conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'softmax']);
  }, 120_000);

  it('a run saved by this version keeps the same export in its tfjs/ folder', async () => {
    const run = await loadTrainedRun(join(outputs, 'conv-ae'));
    const e = await loadExport(`${server.base}/outputs/conv-ae/tfjs`);
    try {
      expect(e.frontend.run).toBe(run.dir);
      if (run.input.kind !== 'audio') throw new Error('an audio run');
      const s = await loadSpectra(unseen, { ...run.input.spectrum }, { cache: false });
      expect(maxAbsDiff(classifyWithExport(e, s.spectra).data, run.classify(s.spectra).probs.data)).toBeLessThan(1e-4);
    } finally {
      e.dispose();
    }
  }, 120_000);

  it('a run the export does not cover (per-speaker standardisation) is saved without tfjs/, with a note saying why', async () => {
    const notes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (notes.push(String(s)), true));
    let runPath: string;
    try {
      ({ runPath } = await runAudioSelfTaughtExperiment(experiment('per-speaker', { softmax: { standardise: 'speaker', weightDecay: 1e-3, maxIter: 20 } }), { baseline: false, log: quiet, print: quiet }));
    } finally {
      spy.mockRestore();
    }
    expect(existsSync(join(runPath, 'pipeline'))).toBe(true);
    expect(existsSync(join(runPath, 'tfjs'))).toBe(false);
    expect(notes.join('')).toMatch(/^note: run per-speaker: no tfjs\/ \(TensorFlow.js models\): .*standardises each speaker's recordings together/m);
    // The note names the run, never its staging folder (it did: 'run <outputs>/.staging-... standardises').
    expect(notes.join('')).not.toContain('.staging');
  }, 120_000);

  it('sfl export --tfjs writes the files of a run named under --outputs and says where', async () => {
    const out = join(root, 'cli-export');
    const r = runCli(['export', 'stacked', '--tfjs', out, '--outputs', outputs]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(join(out, 'classifier', 'model.json'));
    expect(JSON.parse(readFileSync(join(out, 'frontend.json'), 'utf8')).kind).toBe('stacked');
  }, 120_000);
});
