import { beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/compute/backend.ts';
import { labelNames, scanLabeledSet } from '../../src/data/labeled-set.ts';
import { poolRecordings } from '../../src/features/pooling.ts';
import { allWindows } from '../../src/features/sampler.ts';
import { runAudioSelfTaught, saveAudioPipeline } from '../../src/pipeline/audio-classifier.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { exportTfjs } from '../../src/pipeline/tfjs-export.ts';
import { loadTrainedRun } from '../../src/pipeline/trained-run.ts';
import { ROOT } from '../cli/run-cli.ts';

const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter((r) => r.speaker === 'jackson' && r.index! < 12);
const config = resolveConfig({
  windows: { frames: 4, count: 2000 },
  normalise: 'standardise',
  whitening: { kind: 'zca', epsilon: 0.1 },
  sae: { hidden: 16, maxIter: 15, decoder: 'linear' },
  softmax: { lambda: 1e-3, maxIter: 60 },
  pooling: { method: 'meanmax', segments: 3 },
});
const root = mkdtempSync(join(tmpdir(), 'sfl-tfjs-'));
let server: Server;
let base = '';

beforeAll(async () => {
  await initBackend();
  const classNames = labelNames(recs);
  const s = await loadSpectra(recs.map((r) => r.path), config.spectrum, { cache: false });
  const y = Int32Array.from(recs.map((r) => classNames.indexOf(r.label)));
  const res = await runAudioSelfTaught({ train: s.spectra, trainY: y, test: s.spectra, testY: y, classNames }, s.params, config, { pool: config.pooling, baseline: false, log: () => undefined });
  await saveAudioPipeline(join(root, 'run', 'pipeline'), res.pipeline);
  // The exported files served as a web server would, on loopback.
  server = createServer((req, res) => {
    try {
      res.end(readFileSync(join(root, normalize(decodeURIComponent(req.url ?? '/')))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return () => server.close();
}, 300_000);

describe('TensorFlow.js export of a self-taught audio pipeline', () => {
  it('tf.loadLayersModel reads the encoder and classifier, which with frontend.json give the pipeline\'s probabilities', async () => {
    const run = await loadTrainedRun(join(root, 'run'));
    const files = await exportTfjs(run, join(root, 'tfjs'));
    expect(files.map((f) => f.slice(root.length))).toEqual(['/tfjs/encoder/model.json', '/tfjs/classifier/model.json', '/tfjs/frontend.json']);
    const frontend = JSON.parse(readFileSync(join(root, 'tfjs', 'frontend.json'), 'utf8'));
    expect(frontend).toMatchObject({ windows: { frames: 4, bands: 40 }, pooling: { method: 'meanmax', segments: 3 }, classNames: run.classNames });

    const encoder = await tf.loadLayersModel(`${base}/tfjs/encoder/model.json`);
    const classifier = await tf.loadLayersModel(`${base}/tfjs/classifier/model.json`);
    expect(encoder.layers.map((l) => l.name)).toEqual(['preprocess', 'features']);

    // The front end by hand, as frontend.json describes it, on recordings of another speaker.
    const other = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter((r) => r.speaker === 'george' && r.index! < 3).map((r) => r.path);
    const s = await loadSpectra(other, { ...frontend.spectrum }, { cache: false });
    const { windows, ranges } = allWindows(s.spectra, frontend.windows.frames);
    const H = tf.tidy(() => (encoder.predict(tf.tensor2d(windows.data, [windows.rows, windows.cols])) as tf.Tensor).dataSync() as Float32Array);
    const pooled = poolRecordings({ data: H, rows: windows.rows, cols: 16 }, ranges, frontend.pooling);
    const probs = tf.tidy(() => (classifier.predict(tf.tensor2d(pooled.data, [pooled.rows, pooled.cols])) as tf.Tensor).dataSync() as Float32Array);

    const want = run.classify(s.spectra).probs;
    expect(probs.length).toBe(want.data.length);
    let worst = 0;
    for (let i = 0; i < probs.length; i++) worst = Math.max(worst, Math.abs(probs[i] - want.data[i]));
    expect(worst).toBeLessThan(1e-4);
    encoder.dispose();
    classifier.dispose();
  });

  it('a run that is not a self-taught audio pipeline is refused with a sentence', async () => {
    const run = await loadTrainedRun(join(root, 'run'));
    await expect(exportTfjs({ ...run, audioPipeline: null, kind: 'conv-ae' }, join(root, 'x'))).rejects.toThrow(/TensorFlow.js export covers self-taught audio pipelines/);
  });
});
