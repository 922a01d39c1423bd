import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { labelNames, scanLabeledSet } from '../../src/data/labeled-set.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import {
  classifySpectra, loadAudioPipeline, pipelineFeatures, runAudioSelfTaught, saveAudioPipeline, type AudioRunResult,
} from '../../src/pipeline/audio-classifier.ts';
import { runMnistConvExperiment } from '../../src/pipeline/experiments/mnist-conv.ts';
import { convSettings } from '../../src/pipeline/recording-features.ts';
import { loadSpectra, type SpectraResult } from '../../src/pipeline/spectra.ts';
import { runCli, ROOT } from '../cli/run-cli.ts';

const FIXTURE = join(ROOT, 'test/fixtures/mnist');

// Two speakers, all ten digits, official split (index 0-4 test, 5-14 train).
const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter(
  (r) => (r.speaker === 'jackson' || r.speaker === 'lucas') && r.index! < 15,
);
const classNames = labelNames(recs);
const train = recs.filter((r) => r.index! >= 5), test = recs.filter((r) => r.index! < 5);
const base = {
  experiment: 'conv' as const,
  windows: { frames: 4, count: 3000 },
  normalise: 'standardise' as const,
  whitening: { kind: 'zca' as const, epsilon: 0.1 },
  sae: { hidden: 16, maxIter: 20, decoder: 'linear' as const },
  softmax: { weightDecay: 1e-3, maxIter: 100 },
  pooling: { method: 'meanmax' as const, segments: 3 },
};
let spectra: SpectraResult;
let bandRun: AudioRunResult;
const dir = mkdtempSync(join(tmpdir(), 'sfl-conv-'));

function splitData() {
  const of = new Map(spectra.paths.map((p, i) => [p, spectra.spectra[i]]));
  return {
    train: train.map((r) => of.get(r.path)!),
    trainY: Int32Array.from(train.map((r) => classNames.indexOf(r.label))),
    test: test.map((r) => of.get(r.path)!),
    testY: Int32Array.from(test.map((r) => classNames.indexOf(r.label))),
    classNames,
  };
}

beforeAll(async () => {
  await initBackend();
  spectra = await loadSpectra(recs.map((r) => r.path), {}, { cache: false });
  const config = resolveConfig({ ...base, conv: { bandPatch: 12, poolSize: 10, poolStride: 5 } });
  bandRun = await runAudioSelfTaught(splitData(), spectra.params, config, { pool: config.pooling, baseline: false, conv: convSettings(config, 40) });
  await saveAudioPipeline(join(dir, 'bands'), bandRun.pipeline);
}, 300_000);

describe('sfl conv on audio', () => {
  it('full-band convolution gives the features of encoding every window', async () => {
    const config = resolveConfig(base);
    const conv = convSettings(config, 40);
    expect(conv.bandPatch).toBeNull();
    const d = splitData();
    // A band-patch model cannot be read window by window: it needs the convolution settings.
    expect(() => pipelineFeatures({ sae: bandRun.pipeline.sae, pool: config.pooling }, d.test.slice(0, 1))).toThrow(/span 12 of the 40 bands/);
    const res = await runAudioSelfTaught(d, spectra.params, resolveConfig({ ...base, sae: { ...base.sae, maxIter: 5 } }), { pool: config.pooling, baseline: false });
    const windows = pipelineFeatures({ ...res.pipeline, conv: undefined }, d.test);
    const convolved = pipelineFeatures({ ...res.pipeline, conv }, d.test);
    let worst = 0;
    for (let i = 0; i < windows.data.length; i++) worst = Math.max(worst, Math.abs(windows.data[i] - convolved.data[i]));
    expect(worst).toBeLessThan(1e-4);
  }, 120_000);

  it('band patches slide over frequency: 12-band filters, 29 offsets pooled into 4 regions', () => {
    const p = bandRun.pipeline;
    expect(p.sae.input).toMatchObject({ kind: 'spectro-temporal', frames: 4, bands: 12, bandHz: null });
    // regions = floor((29 - 10) / 5) + 1 = 4; meanmax over 3 segments: 16 * 4 * 3 * 2 values.
    expect(p.classifier.softmax.inputSize).toBe(16 * 4 * 3 * 2);
    expect(bandRun.test.accuracy).toBeGreaterThan(0.5); // chance is 0.1
  });

  it('a saved convolution pipeline reloads and classifies as before; other spectra are refused', async () => {
    const p = await loadAudioPipeline(join(dir, 'bands'));
    expect(p.conv).toEqual(bandRun.pipeline.conv);
    const some = splitData().test.slice(0, 10);
    expect(Array.from(classifySpectra(p, some).labels)).toEqual(Array.from(classifySpectra(bandRun.pipeline, some).labels));
    const narrow = some.map((S) => ({ data: S.data.slice(0, S.rows * 20), rows: S.rows, cols: 20 }));
    expect(() => classifySpectra(p, narrow)).toThrow(/made for spectrograms of 40 bands, these have 20/);
  });
});

describe('sfl conv on MNIST (fixture)', () => {
  it('writes a complete run and classifies the digits well above chance', async () => {
    const outputs = mkdtempSync(join(tmpdir(), 'sfl-conv-mnist-'));
    const config = resolveConfig({
      experiment: 'conv',
      data: { source: 'mnist', mnistDir: FIXTURE },
      windows: { count: 4000 },
      conv: { patchSize: 6, poolSize: 8 },
      normalise: 'none',
      whitening: { kind: 'zca', epsilon: 0.1 },
      sae: { hidden: 24, maxIter: 30, decoder: 'linear', beta: 5, rho: 0.035 },
      softmax: { weightDecay: 1e-4, maxIter: 60 },
      run: { outputs, name: 'c' },
    });
    const { runPath, metrics } = await runMnistConvExperiment(config, () => {});
    expect(readdirSync(runPath).sort()).toEqual(['classifier', 'confusion.png', 'cost.png', 'encoder', 'filters.png', 'metrics.json', 'report.html', 'run.json', 'tfjs']);
    // 23 x 23 maps, 8 x 8 regions -> 2 x 2 per feature, mean and max.
    expect(metrics.features).toBe(2 * 2 * 2 * 24);
    expect(metrics.test.accuracy).toBeGreaterThan(0.8);
    expect(JSON.parse(readFileSync(join(runPath, 'metrics.json'), 'utf8')).testAccuracy).toBe(metrics.test.accuracy);
  }, 120_000);

  it('refuses a pooling region larger than the feature maps before doing any work', () => {
    const outputs = mkdtempSync(join(tmpdir(), 'sfl-conv-bad-'));
    const r = runCli(['conv', '--mnist', FIXTURE, '--patch', '8', '--pool-size', '30', '--outputs', outputs, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/conv\.poolSize \(30\) is larger than the 21 x 21 feature maps/);
    expect(existsSync(outputs) && readdirSync(outputs).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('--help explains every flag of the command', () => {
    const r = runCli(['conv', '--help']);
    for (const flag of ['--patch', '--band-patch', '--pool-size', '--pool-stride', '--split', '--pool', '--segments', '--baseline', '--standardise-per-speaker', '--hidden']) {
      expect(r.stdout).toContain(flag);
    }
  });
});
