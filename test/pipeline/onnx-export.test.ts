import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/compute/backend.ts';
import { matrix, type Matrix } from '../../src/compute/matrix.ts';
import { createSession, loadOnnxRuntime } from '../../src/compute/onnx/runtime.ts';
import { labelNames, scanLabeledSet } from '../../src/data/labeled-set.ts';
import { classifySpectra, loadAudioPipeline, runAudioSelfTaught, saveAudioPipeline, type AudioClassifierPipeline } from '../../src/pipeline/audio-classifier.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { INPUT, OUTPUT, pipelineToOnnx } from '../../src/pipeline/onnx-export.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { runCli, ROOT } from '../cli/run-cli.ts';

const ort = await loadOnnxRuntime();
if (!ort) console.warn('skipped: onnxruntime-node cannot load here, so the exported pipeline cannot be run');

// A small pipeline: one speaker, all ten digits; its accuracy does not matter here, only that the
// exported graph computes what sfl classify computes.
const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter((r) => r.speaker === 'jackson' && r.index! < 8);
const config = resolveConfig({
  windows: { frames: 4, count: 1500 },
  normalise: 'standardise',
  whitening: { kind: 'zca', epsilon: 0.1 },
  sae: { hidden: 12, maxIter: 10, decoder: 'linear' },
  softmax: { weightDecay: 1e-3, maxIter: 30 },
  pooling: { method: 'meanmax', segments: 3 },
});
const dir = mkdtempSync(join(tmpdir(), 'sfl-onnx-export-'));
let pipeline: AudioClassifierPipeline;
let spectra: Matrix[] = [];

beforeAll(async () => {
  await initBackend();
  const classNames = labelNames(recs);
  const s = await loadSpectra(recs.map((r) => r.path), config.spectrum, { cache: false });
  spectra = s.spectra;
  const y = Int32Array.from(recs.map((r) => classNames.indexOf(r.label)));
  const res = await runAudioSelfTaught({ train: spectra, trainY: y, test: spectra, testY: y, classNames }, s.params, config, { pool: config.pooling, baseline: false });
  await saveAudioPipeline(join(dir, 'run', 'pipeline'), res.pipeline);
  pipeline = await loadAudioPipeline(join(dir, 'run', 'pipeline'));
}, 300_000);

/** The first `frames` frames of a spectrogram (a recording shorter than a window, or than the segments). */
function head(S: Matrix, frames: number): Matrix {
  return matrix(frames, S.cols, S.data.slice(0, frames * S.cols));
}

describe.skipIf(!ort)('sfl export --onnx', () => {
  it('the exported graph gives sfl classify\'s probabilities within 1e-4, short recordings included', async () => {
    const { model, description } = pipelineToOnnx(pipeline);
    expect(description.classNames).toEqual(pipeline.classifier.classNames);
    const session = await createSession(ort!, model, 1);
    // whole recordings, one shorter than a window (2 frames < 4), one with fewer windows than segments (5 frames: 2 windows)
    const inputs = [...spectra.slice(0, 6), head(spectra[0], 2), head(spectra[1], 5), head(spectra[2], 1)];
    const want = classifySpectra(pipeline, inputs).probs;
    let worst = 0;
    for (let i = 0; i < inputs.length; i++) {
      const S = inputs[i];
      const r = await session.run({ [INPUT]: new ort!.Tensor('float32', S.data, [S.rows, S.cols]) });
      const got = r[OUTPUT].data as Float32Array;
      expect(got.length).toBe(want.cols);
      for (let c = 0; c < want.cols; c++) worst = Math.max(worst, Math.abs(got[c] - want.data[i * want.cols + c]));
    }
    expect(worst).toBeLessThan(1e-4); // measured 1.6e-5
    await session.release();
  });

  it('writes the .onnx file and its JSON description into the run, and says where', () => {
    const r = runCli(['export', join(dir, 'run'), '--onnx']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'run', 'pipeline.onnx'))).toBe(true);
    const d = JSON.parse(readFileSync(join(dir, 'run', 'pipeline.onnx.json'), 'utf8'));
    expect(d.inputs[0]).toMatchObject({ name: INPUT, shape: ['frames', (pipeline.sae.input as { bands: number }).bands] });
    expect(d.classNames).toEqual(pipeline.classifier.classNames);
    expect(r.stdout).toContain('pipeline.onnx');
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
