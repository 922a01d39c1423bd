/**
 * Child process of bench/onnx-export.ts: runs one exported pipeline (.onnx) once on a synthetic
 * recording of the given length, and prints one JSON line: seconds, this process's peak resident
 * memory before and after the run, and the probabilities. Its own process, so that the peak is
 * this run's alone.
 *
 * Usage: npx tsx bench/onnx-run-memory.ts <model.onnx> <minutes> <sampleRate>
 */
import { createSession, loadOnnxRuntime } from '../src/compute/onnx/runtime.ts';
import { INPUT, OUTPUT } from '../src/pipeline/onnx-export.ts';

const [model, minutes, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const ort = await loadOnnxRuntime();
if (!ort) throw new Error('onnxruntime-node cannot load');
const session = await createSession(ort, new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(model))), 1);
const n = Math.round(minutes * 60 * rate);
// A gliding tone with a little noise: frames of every loudness, nothing the graph could skip.
const x = new Float32Array(n);
let seed = 1;
for (let i = 0; i < n; i++) {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  x[i] = 0.3 * Math.sin(i * 0.05 * (1 + (i % rate) / rate)) + 0.05 * (seed / 0x7fffffff - 0.5);
}
const before = process.resourceUsage().maxRSS;
const t = performance.now();
const r = await session.run({ [INPUT]: new ort.Tensor('float32', x, [n]) });
const seconds = (performance.now() - t) / 1000;
console.log(JSON.stringify({ seconds, rssBeforeMB: before / 1024, rssAfterMB: process.resourceUsage().maxRSS / 1024, probabilities: Array.from(r[OUTPUT].data as Float32Array) }));
