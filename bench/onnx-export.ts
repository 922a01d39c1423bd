/**
 * The exported ONNX pipeline on a long recording: time and peak memory of one run, with the
 * spectrogram's frames and the windows in blocks (the default) and all at once (one block, as
 * before blocks), each in a child process of its own (bench/onnx-run-memory.ts).
 *
 * Trains a small self-taught pipeline on a few of the bundled FSDD recordings (8 kHz, mel 40, 4-frame
 * windows; its accuracy does not matter here), exports it both ways, and runs each on a synthetic
 * recording of SFL_BENCH_ONNX_MINUTES minutes (default 30). Prints the peak resident memory above
 * the loaded session (the recording's samples included in both), and how far the probabilities differ.
 * Run: npm run bench -- --only onnx-export
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/compute/backend.ts';
import { labelNames, scanLabeledSet } from '../src/data/labeled-set.ts';
import { runAudioSelfTaught } from '../src/pipeline/audio-classifier.ts';
import { resolveConfig } from '../src/pipeline/config.ts';
import { pipelineToOnnx } from '../src/pipeline/onnx-export.ts';
import { loadSpectra } from '../src/pipeline/spectra.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface ChildRun { seconds: number; rssBeforeMB: number; rssAfterMB: number; probabilities: number[] }

function runChild(model: string, minutes: number, rate: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/onnx-run-memory.ts'), model, String(minutes), String(rate)], { cwd: ROOT });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`onnx-run-memory exited ${code}: ${err.trim().split('\n').pop()}`))));
  });
}

export async function benchOnnxExport(): Promise<string[]> {
  const minutes = Number(process.env.SFL_BENCH_ONNX_MINUTES ?? 30);
  await initBackend();
  const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter((r) => (r.speaker === 'jackson' || r.speaker === 'nicolas') && r.index! < 4);
  const config = resolveConfig({
    windows: { frames: 4, count: 1500 }, whitening: { kind: 'zca', epsilon: 0.1 }, sae: { hidden: 12, maxIter: 10, decoder: 'linear' },
    softmax: { weightDecay: 1e-3, maxIter: 30 }, pooling: { method: 'meanmax', segments: 3 },
  });
  const classNames = labelNames(recs);
  const s = await loadSpectra(recs.map((r) => r.path), config.spectrum, { cache: false });
  const y = Int32Array.from(recs.map((r) => classNames.indexOf(r.label)));
  const data = { train: s.spectra, trainY: y, test: s.spectra, testY: y, classNames };
  const { pipeline } = await runAudioSelfTaught(data, s.params, config, { pool: config.pooling, baseline: false, log: () => undefined });
  const dir = mkdtempSync(join(tmpdir(), 'sfl-bench-onnx-'));
  try {
    const blocked = join(dir, 'blocks.onnx'), whole = join(dir, 'whole.onnx');
    writeFileSync(blocked, pipelineToOnnx(pipeline).model);
    writeFileSync(whole, pipelineToOnnx(pipeline, { block: Number.MAX_SAFE_INTEGER }).model);
    const rate = s.params.sampleRate;
    const b = await runChild(blocked, minutes, rate);
    const w = await runChild(whole, minutes, rate);
    let diff = 0;
    for (let i = 0; i < b.probabilities.length; i++) diff = Math.max(diff, Math.abs(b.probabilities[i] - w.probabilities[i]));
    const line = (what: string, r: ChildRun): string =>
      `${what} ${r.seconds.toFixed(1)} s, peak RSS ${(r.rssAfterMB - r.rssBeforeMB).toFixed(0)} MB above the loaded session (${r.rssAfterMB.toFixed(0)} MB in all)`;
    return [
      `onnx-export: one run of an exported pipeline (mel 40, 4 x 40 windows) on a ${minutes}-minute ${rate} Hz recording: ` +
        `${line('in blocks', b)}; ${line('all at once', w)}; probabilities differ by at most ${diff.toExponential(1)}`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
