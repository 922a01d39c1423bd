/**
 * The MLP's SGD step (784-500-10, tanh, weight decay 2e-4) on the host (src/models/mnist-baselines/
 * host-mlp.ts, with the kernels SFL_HOST_KERNELS picks) against the device step (mlp.ts's
 * hand-derived gradient on tfjs), at several minibatch sizes, interleaved round by round in the
 * same process. The crossover decides MLP_HOST_MAX_BATCH. Inputs: the test fixture's MNIST images.
 *
 * Run alone: npx tsx bench/host-mlp.ts [--rounds 5] [--steps 20]
 */
import * as tf from '@tensorflow/tfjs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '../src/compute/backend.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { mlp, MLP_HOST_MAX_BATCH } from '../src/models/mnist-baselines/mlp.ts';
import { mulberry32 } from '../src/util/random.ts';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/mnist', import.meta.url));
const BATCHES = [20, 100, 500];
const LR = 0.01;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function benchHostMlp(rounds = 5, steps = 20): Promise<string[]> {
  await initBackend();
  const { images, labels } = loadMnist(FIXTURE, 'train');
  const lines: string[] = [];
  for (const B of BATCHES) {
    const count = Math.floor(images.rows / B);
    if (count < 1) continue;
    const x = (b: number) => images.data.subarray((b % count) * B * 784, ((b % count) + 1) * B * 784);
    const y = (b: number) => labels.subarray((b % count) * B, ((b % count) + 1) * B);
    const dev = mlp(mulberry32(1), 784, [500], 10, 2e-4);
    const host = mlp(mulberry32(1), 784, [500], 10, 2e-4).host!;
    host.pull();
    const xs = Array.from({ length: count }, (_, b) => tf.tensor2d(x(b), [B, 784]));
    const ys = Array.from({ length: count }, (_, b) => tf.oneHot(tf.tensor1d(Int32Array.from(y(b)), 'int32'), 10).toFloat() as tf.Tensor2D);
    const run = { device: (s: number) => dev.sgdStep!(xs[s % count], ys[s % count], LR).dispose(), host: (s: number) => void host.step(x(s), y(s), LR) };
    for (let s = 0; s < 5; s++) (run.device(s), run.host(s));
    const ms = { device: [] as number[], host: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      for (const k of r % 2 ? (['host', 'device'] as const) : (['device', 'host'] as const)) {
        const t0 = performance.now();
        for (let s = 0; s < steps; s++) run[k](s);
        if (k === 'device') await dev.params[0].data();
        ms[k].push((performance.now() - t0) / steps);
      }
    }
    const [d, h] = [median(ms.device), median(ms.host)];
    lines.push(
      `host-mlp: 784-500-10, minibatch ${B}${B <= MLP_HOST_MAX_BATCH ? ' (trained on the host)' : ''}: device ${d.toFixed(2)} ms/step, host ${h.toFixed(2)} ms/step, host speed-up ${(d / h).toFixed(2)}x (medians of ${rounds} rounds of ${steps})`,
    );
    tf.dispose([...xs, ...ys, ...dev.params]);
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string, d: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  for (const line of await benchHostMlp(arg('--rounds', 5), arg('--steps', 20))) console.log(line);
  process.exit(0);
}
