import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { resample } from '../../src/audio/resample.ts';
import { readWav } from '../../src/audio/wav.ts';
import { labelNames, scanLabeledSet } from '../../src/data/labeled-set.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { classifySpectra, loadAudioPipeline, pipelineFeatures, predict, runAudioSelfTaught, saveAudioPipeline } from '../../src/pipeline/audio-classifier.ts';
import { standardiseByGroup } from '../../src/features/normalise.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { buildWav } from '../audio/wav-fixtures.ts';
import { runCli, ROOT } from '../cli/run-cli.ts';

// A small labeled set: two speakers, all ten digits, official split (index 0-4 test, 5-14 train).
const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter(
  (r) => (r.speaker === 'jackson' || r.speaker === 'lucas') && r.index! < 15,
);
const config = resolveConfig({
  windows: { frames: 4, count: 3000 },
  normalise: 'standardise',
  whitening: { kind: 'zca', epsilon: 0.1 },
  sae: { hidden: 24, maxIter: 25, decoder: 'linear' },
  softmax: { weightDecay: 1e-3, maxIter: 100 },
  pooling: { method: 'meanmax', segments: 3 },
});
const dir = mkdtempSync(join(tmpdir(), 'sfl-audio-clf-'));
let testAccuracy = 0;
let baseline = 0;

beforeAll(async () => {
  await initBackend();
  const classNames = labelNames(recs);
  const train = recs.filter((r) => r.index! >= 5), test = recs.filter((r) => r.index! < 5);
  const spectra = await loadSpectra(recs.map((r) => r.path), config.spectrum, { cache: false });
  const of = new Map(spectra.paths.map((p, i) => [p, spectra.spectra[i]]));
  const res = await runAudioSelfTaught(
    {
      train: train.map((r) => of.get(r.path)!),
      trainY: Int32Array.from(train.map((r) => classNames.indexOf(r.label))),
      test: test.map((r) => of.get(r.path)!),
      testY: Int32Array.from(test.map((r) => classNames.indexOf(r.label))),
      classNames,
    },
    spectra.params,
    config,
    { pool: config.pooling, baseline: true },
  );
  testAccuracy = res.test.accuracy;
  baseline = res.baseline!.test.accuracy;
  await saveAudioPipeline(join(dir, 'pipeline'), res.pipeline);
}, 300_000);

describe('audio self-taught pipeline', () => {
  it('learns features that classify unseen recordings of the same speakers far above chance', () => {
    expect(testAccuracy).toBeGreaterThan(0.6); // chance is 0.1
    expect(baseline).toBeGreaterThan(0.5);
  });

  it('a saved pipeline reloads and gives the same predictions', async () => {
    const p = await loadAudioPipeline(join(dir, 'pipeline'));
    const some = recs.slice(0, 12).map((r) => r.path);
    const s = await loadSpectra(some, { ...p.spectrum }, { cache: false });
    const a = classifySpectra(p, s.spectra).labels;
    const again = classifySpectra(await loadAudioPipeline(join(dir, 'pipeline')), s.spectra).labels;
    expect(Array.from(again)).toEqual(Array.from(a));
  });

  it('sfl classify resamples a 16 kHz 24-bit stereo EXTENSIBLE file and skips a corrupt one with a reason', async () => {
    const src = recs.find((r) => r.label === '7' && r.index === 3)!.path;
    const wav = await readWav(src);
    const up = await resample(wav.samples, 8000, 16000);
    const codes = Array.from(up, (v) => Math.round(Math.max(-1, Math.min(1, v)) * 8388607));
    const converted = join(dir, 'seven-16k.wav');
    writeFileSync(converted, buildWav({ encoding: 'pcm24', sampleRate: 16000, channels: [codes, codes], extensible: true }));
    const truncated = join(dir, 'cut.wav');
    writeFileSync(truncated, buildWav({ encoding: 'pcm16', channels: [[1, 2, 3, 4]], declaredDataBytes: 4000 }));
    const r = runCli(['classify', dir, converted, src, truncated, '--json']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const byFile = Object.fromEntries(lines.map((l) => [l.file, l]));
    expect(byFile[truncated].error).toMatch(/truncated/);
    // The resampled copy is classified as the original is (same pipeline, same audio content).
    expect(byFile[converted].label).toBe(byFile[src].label);
    expect(byFile[src].top[0].probability).toBeGreaterThan(0);
  });

  it('a folder that is not a pipeline gets a sentence, not a stack trace', () => {
    const r = runCli(['classify', join(dir, 'nothing-here'), join(ROOT, 'audio/fsdd/recordings/0_george_0.wav')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/model\.json|not found|no model/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('standardising per speaker (softmax.standardise "speaker")', () => {
  const spk = resolveConfig({ softmax: { standardise: 'speaker' } }, 'test', config);
  const classNames = labelNames(recs);
  const train = recs.filter((r) => r.speaker === 'jackson'), test = recs.filter((r) => r.speaker === 'lucas');

  it('trains on one speaker, tests on the other with its own statistics, and the saved pipeline asks for several recordings', async () => {
    const spectra = await loadSpectra(recs.map((r) => r.path), spk.spectrum, { cache: false });
    const of = new Map(spectra.paths.map((p, i) => [p, spectra.spectra[i]]));
    const data = {
      train: train.map((r) => of.get(r.path)!),
      trainY: Int32Array.from(train.map((r) => classNames.indexOf(r.label))),
      test: test.map((r) => of.get(r.path)!),
      testY: Int32Array.from(test.map((r) => classNames.indexOf(r.label))),
      classNames,
    };
    // Without the speakers it says what it needs.
    await expect(runAudioSelfTaught(data, spectra.params, spk, { pool: spk.pooling, baseline: false })).rejects.toThrow(/needs every recording's speaker/);
    const res = await runAudioSelfTaught(
      { ...data, trainSpeakers: train.map((r) => r.speaker!), testSpeakers: test.map((r) => r.speaker!) },
      spectra.params,
      spk,
      { pool: spk.pooling, baseline: true },
    );
    expect(res.test.accuracy).toBeGreaterThan(0.3); // chance is 0.1
    // The test speaker's vectors were standardised with its own statistics: recomputing that by hand gives the same predictions.
    const own = standardiseByGroup(pipelineFeatures(res.pipeline, data.test), data.test.map(() => 'lucas'));
    expect(Array.from(predict(res.pipeline.classifier, own).labels)).toEqual(Array.from(res.testPredicted));
    await saveAudioPipeline(join(dir, 'per-speaker'), res.pipeline);
    const p = await loadAudioPipeline(join(dir, 'per-speaker'));
    expect(p.standardise).toBe('speaker');
    expect(Array.from(classifySpectra(p, data.test).labels)).toEqual(Array.from(res.testPredicted));
    expect(() => classifySpectra(p, data.test.slice(0, 3))).toThrow(/at least 10 recordings of one speaker/);
  }, 300_000);
});

