import { beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';
import { initBackend } from '../../src/compute/backend.ts';
import { createSession, loadOnnxRuntime } from '../../src/compute/onnx/runtime.ts';
import { labelNames, scanLabeledSet } from '../../src/data/labeled-set.ts';
import { classifySpectra, loadAudioPipeline, runAudioSelfTaught, saveAudioPipeline, type AudioClassifierPipeline } from '../../src/pipeline/audio-classifier.ts';
import { decodeAt } from '../../src/pipeline/classify-recordings.ts';
import { resolveConfig, type PartialConfig } from '../../src/pipeline/config.ts';
import { FEATURES, INPUT, OUTPUT, pipelineToOnnx, SPEAKER_MEAN, SPEAKER_STD } from '../../src/pipeline/onnx-export.ts';
import { convSettings } from '../../src/pipeline/recording-features.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { runCli, runCliAsync, ROOT } from '../cli/run-cli.ts';

const ort = await loadOnnxRuntime();
if (!ort) console.warn('skipped: onnxruntime-node cannot load here, so the exported pipeline cannot be run');
// The README's Python example needs python3 with onnxruntime and numpy (pip install onnxruntime numpy).
const hasPythonOrt = spawnSync('python3', ['-c', 'import onnxruntime, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasPythonOrt) console.warn('skipped: the README\'s Python example (python3 with onnxruntime and numpy is not available here)');

// Small pipelines on two speakers' digits; their accuracy does not matter here, only that the
// exported graph computes what sfl classify computes, from the samples on.
const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter((r) => (r.speaker === 'jackson' || r.speaker === 'nicolas') && r.index! < 4);
const settings: PartialConfig = {
  windows: { frames: 4, count: 1500 },
  whitening: { kind: 'zca', epsilon: 0.1 },
  sae: { hidden: 12, maxIter: 10, decoder: 'linear' },
  softmax: { weightDecay: 1e-3, maxIter: 30 },
  pooling: { method: 'meanmax', segments: 3 },
};
const dir = mkdtempSync(join(tmpdir(), 'sfl-onnx-export-'));
// Two recordings of each speaker, by path, and every recording's samples at the run's rate.
const probe = [0, 1, recs.length - 2, recs.length - 1].map((i) => recs[i].path);
const pipelines: Record<'selfTaught' | 'conv' | 'speaker', AudioClassifierPipeline> = {} as never;
let samplesOf: (path: string) => Promise<Float32Array>;

beforeAll(async () => {
  await initBackend();
  const classNames = labelNames(recs);
  const base = resolveConfig(settings);
  const s = await loadSpectra(recs.map((r) => r.path), base.spectrum, { cache: false });
  const y = Int32Array.from(recs.map((r) => classNames.indexOf(r.label)));
  const speakers = recs.map((r) => r.speaker!);
  const data = { train: s.spectra, trainY: y, test: s.spectra, testY: y, classNames, trainSpeakers: speakers, testSpeakers: speakers };
  const log = () => undefined;
  const selfTaught = await runAudioSelfTaught(data, s.params, base, { pool: base.pooling, baseline: false, log });
  await saveAudioPipeline(join(dir, 'run', 'pipeline'), selfTaught.pipeline);
  pipelines.selfTaught = await loadAudioPipeline(join(dir, 'run', 'pipeline'));
  // Convolution over frequency: filters of 8 of the 40 bands, max-pooled over 5 offsets with stride 4.
  const convConfig = resolveConfig({ ...settings, conv: { bandPatch: 8, poolSize: 5, poolStride: 4 } });
  pipelines.conv = (await runAudioSelfTaught(data, s.params, convConfig, { pool: convConfig.pooling, baseline: false, log, conv: convSettings(convConfig, 40) })).pipeline;
  const speakerConfig = resolveConfig({ ...settings, softmax: { ...settings.softmax, standardise: 'speaker' } });
  pipelines.speaker = (await runAudioSelfTaught(data, s.params, speakerConfig, { pool: speakerConfig.pooling, baseline: false, log })).pipeline;
  samplesOf = (path) => decodeAt(path, s.params.sampleRate);
}, 300_000);

async function session(p: AudioClassifierPipeline, block?: number) {
  return createSession(ort!, pipelineToOnnx(p, { block }).model, 1);
}

const tensor = (x: Float32Array) => new ort!.Tensor('float32', x, [x.length]);

function worstDifference(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

describe.skipIf(!ort)('sfl export --onnx', () => {
  it('the exported file, given a recording\'s samples, gives sfl classify\'s probabilities within 1e-4', async () => {
    const exported = await runCliAsync(['export', join(dir, 'run'), '--onnx']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('pipeline.onnx');
    const names = pipelines.selfTaught.classifier.classNames;
    const classified = await runCliAsync(['classify', join(dir, 'run'), ...probe, '--json', '--top', String(names.length)]);
    expect(classified.code, classified.stderr).toBe(0);
    const lines = classified.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; top: { label: string; probability: number }[] });
    expect(lines.map((l) => l.file)).toEqual(probe);
    const s = await ort!.InferenceSession.create(join(dir, 'run', 'pipeline.onnx'));
    let worst = 0;
    for (const line of lines) {
      const got = (await s.run({ [INPUT]: tensor(await samplesOf(line.file)) }))[OUTPUT].data as Float32Array;
      const want = names.map((n) => line.top.find((t) => t.label === n)!.probability);
      worst = Math.max(worst, worstDifference(got, want));
    }
    expect(worst).toBeLessThan(1e-4); // measured 1.2e-7 to 8.9e-7 (default rescale01 normalisation, ZCA)
    await s.release();
  });

  it.skipIf(!hasPythonOrt)('the README\'s Python example (classify_onnx.py, as the README prints it) labels WAV files as the file does in onnxruntime-node', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const code = /```python\n(# classify_onnx\.py[\s\S]*?)```/.exec(readme)?.[1];
    expect(code, 'the README has a ```python block starting "# classify_onnx.py"').toBeDefined();
    const script = join(dir, 'classify_onnx.py');
    writeFileSync(script, code!);
    const model = join(dir, 'run', 'pipeline.onnx');
    if (!existsSync(model)) expect((await runCliAsync(['export', join(dir, 'run'), '--onnx'])).code).toBe(0);
    const { stdout } = await promisify(execFile)('python3', [script, model, ...probe]);
    const rows = stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).toEqual(probe);
    const names = pipelines.selfTaught.classifier.classNames;
    const s = await ort!.InferenceSession.create(model);
    for (const [path, label, probability] of rows) {
      const p = (await s.run({ [INPUT]: tensor(await samplesOf(path)) }))[OUTPUT].data as Float32Array;
      const best = p.indexOf(Math.max(...p));
      expect(label).toBe(names[best]);
      expect(Number(probability)).toBeCloseTo(p[best], 3);
    }
    await s.release();
  });

  it('short recordings too: fewer frames than a window, fewer windows than pooling segments', async () => {
    const p = pipelines.selfTaught;
    const s = await session(p);
    const x = await samplesOf(probe[0]);
    let worst = 0;
    for (const n of [256, 300, 700]) { // 1, 2 and 5 frames of 256 with hop 128: K = 4 frames, 3 segments
      const head = x.slice(0, n);
      const want = classifySpectra(p, [spectrogram(head, p.spectrum)]).probs.data;
      worst = Math.max(worst, worstDifference((await s.run({ [INPUT]: tensor(head) }))[OUTPUT].data as Float32Array, want));
    }
    expect(worst).toBeLessThan(1e-4);
    await s.release();
  });

  it('in blocks of 7 frames and 7 windows (several per recording, the last one partial), self-taught and convolution pipelines give the same probabilities', async () => {
    const x0 = await samplesOf(probe[0]);
    for (const p of [pipelines.selfTaught, pipelines.conv]) {
      const s = await session(p, 7);
      let worst = 0;
      for (const path of probe) {
        const x = await samplesOf(path);
        const want = classifySpectra(p, [spectrogram(x, p.spectrum)]).probs.data;
        worst = Math.max(worst, worstDifference((await s.run({ [INPUT]: tensor(x) }))[OUTPUT].data as Float32Array, want));
      }
      // 1 frame (1 window after padding), 9 frames (6 windows: one block of 6), 16 frames (13
      // windows: a block of 7 and one of 6, padded to 7 and cut; frames: 7, 7 and 2).
      for (const n of [256, 1300, 2200]) {
        const head = x0.slice(0, n);
        const want = classifySpectra(p, [spectrogram(head, p.spectrum)]).probs.data;
        worst = Math.max(worst, worstDifference((await s.run({ [INPUT]: tensor(head) }))[OUTPUT].data as Float32Array, want));
      }
      expect(worst).toBeLessThan(1e-4);
      await s.release();
    }
  });

  it('a convolution pipeline (filters sliding over frequency, pooled over offsets) exports too', async () => {
    const p = pipelines.conv;
    expect(p.conv?.bandPatch).toBe(8);
    const s = await session(p);
    let worst = 0;
    for (const path of probe) {
      const x = await samplesOf(path);
      const want = classifySpectra(p, [spectrogram(x, p.spectrum)]).probs.data;
      worst = Math.max(worst, worstDifference((await s.run({ [INPUT]: tensor(x) }))[OUTPUT].data as Float32Array, want));
    }
    expect(worst).toBeLessThan(1e-4);
    await s.release();
  });

  it('a per-speaker pipeline takes the speaker\'s statistics as inputs: two passes over the speaker\'s recordings give sfl\'s probabilities', async () => {
    const p = pipelines.speaker;
    const { description } = pipelineToOnnx(p);
    expect(description.inputs.map((i) => i.name)).toEqual([INPUT, SPEAKER_MEAN, SPEAKER_STD]);
    const s = await session(p);
    const width = p.classifier.softmax.inputSize;
    const paths = recs.filter((r) => r.speaker === 'nicolas').slice(0, 12).map((r) => r.path);
    const xs = await Promise.all(paths.map(samplesOf));
    // Pass 1: every recording's pooled features; their mean and population std (floored at 1e-6).
    const identity = { [SPEAKER_MEAN]: tensor(new Float32Array(width)), [SPEAKER_STD]: tensor(new Float32Array(width).fill(1)) };
    const F: Float32Array[] = [];
    for (const x of xs) F.push((await s.run({ [INPUT]: tensor(x), ...identity }))[FEATURES].data as Float32Array);
    const mean = new Float32Array(width), std = new Float32Array(width);
    for (let j = 0; j < width; j++) {
      let m = 0, v = 0;
      for (const f of F) m += f[j] / F.length;
      for (const f of F) v += (f[j] - m) ** 2 / F.length;
      mean[j] = m;
      std[j] = Math.max(Math.sqrt(v), 1e-6);
    }
    // Pass 2, against sfl classify's rule (all the recordings given taken as one speaker's).
    const want = classifySpectra(p, xs.map((x) => spectrogram(x, p.spectrum))).probs;
    let worst = 0;
    for (const [i, x] of xs.entries()) {
      const got = (await s.run({ [INPUT]: tensor(x), [SPEAKER_MEAN]: tensor(mean), [SPEAKER_STD]: tensor(std) }))[OUTPUT].data as Float32Array;
      worst = Math.max(worst, worstDifference(got, want.data.subarray(i * want.cols, (i + 1) * want.cols)));
    }
    expect(worst).toBeLessThan(1e-4);
    await s.release();
  });

  it('the JSON beside the file says the graph takes samples, at which rate, and names the classes', () => {
    expect(existsSync(join(dir, 'run', 'pipeline.onnx'))).toBe(true);
    const d = JSON.parse(readFileSync(join(dir, 'run', 'pipeline.onnx.json'), 'utf8'));
    expect(d).toMatchObject({ input: 'samples', sampleRate: 8000, windowFrames: 4, standardise: 'training', spectrum: { sampleRate: 8000, transform: 'mel' } });
    expect(d.inputs.map((i: { name: string }) => i.name)).toEqual([INPUT]);
    expect(d.inputs[0].description).toMatch(/8000 Hz/);
    expect(d.outputs.map((o: { name: string }) => o.name)).toEqual([OUTPUT, FEATURES]);
    expect(d.classNames).toEqual(pipelines.selfTaught.classifier.classNames);
  });

  it('without --onnx, or on a folder that is not a run, says so in a sentence', () => {
    const r = runCli(['export', join(dir, 'run')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--onnx/);
    const bad = runCli(['export', dir, '--onnx']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
