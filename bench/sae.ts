/**
 * Sparse autoencoder benchmark on the MNIST shape (first 10,000 training images, 784 -> 196,
 * weightDecay 3e-3, beta 3, rho 0.1): median seconds of one cost-and-gradient evaluation on the onnx
 * engine (one ONNX graph in ONNX Runtime, intra-op threads on every core) and on the wasm engine
 * (tfjs in this thread, and data-parallel across worker threads), against the numpy peer
 * (../shared/peers/sae_numpy.py, float32, measured in the same run, interleaved with ours, since
 * the machine is shared and timings drift). Targets: onnx / peer <= 0.8; wasm / peer <= 2.0.
 * Also times matMul(a, b, false, true) against an explicit transpose + plain matMul for
 * 10000x784 by 784x196, with the wasm backend's own BatchMatMul kernel ("before") and with the
 * project's override from src/compute/fast-matmul.ts ("after").
 *
 * MNIST: SFL_MNIST_DIR, else ../shared/data/mnist beside the repository.
 * Run alone: npx tsx bench/sae.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../src/compute/backend.ts';
import { fastMatMulInstalled } from '../src/compute/fast-matmul.ts';
import { onnxThreads, workerCount } from '../src/compute/engine.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { loadOnnxRuntime, onnxRuntimeFailure } from '../src/compute/onnx/runtime.ts';
import { sparseAutoencoderCostOnnx } from '../src/models/sae/onnx-cost.ts';
import type { CostFunction } from '../src/optim/types.ts';
import {
  initParams, sparseAutoencoderCost, sparseAutoencoderCostParallel, type SaeOptions,
} from '../src/models/sae/sparse-autoencoder.ts';

// The wasm backend's own BatchMatMul kernel, captured before initBackend can replace it.
const ORIGINAL_BATCH_MATMUL = fastMatMulInstalled() ? undefined : tf.getKernel('BatchMatMul', 'wasm');

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** The numpy peer: SFL_PEER, else ../shared/peers/sae_numpy.py beside the repository. */
const PEER = process.env.SFL_PEER || fileURLToPath(new URL('../../shared/peers/sae_numpy.py', import.meta.url));
const DEFAULT_MNIST = fileURLToPath(new URL('../../shared/data/mnist', import.meta.url));
/** Set on this machine for old-OpenBLAS safety; they slow current numpy, so the peer's child runs without them. */
const OPENBLAS_VARS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

const EVALS = 5;
const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Median wall seconds and mean CPU seconds of `evals` evaluations after one warm-up. CPU time is
 * the whole process's (worker threads included): on a shared machine it shows the work done, while
 * wall time also shows how much of the cores the other processes left us.
 */
async function timeEvals(f: CostFunction, theta: Float64Array, evals = EVALS): Promise<{ wall: number; cpu: number }> {
  await f(theta);
  const walls: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < evals; i++) {
    const t = performance.now();
    await f(theta);
    walls.push((performance.now() - t) / 1000);
  }
  const used = process.cpuUsage(cpu0);
  return { wall: median(walls), cpu: (used.user + used.system) / 1e6 / evals };
}

/** Median seconds of `fn` (synchronous tfjs work, result read back) over `reps` runs after a warm-up. */
function timeSync(fn: () => tf.Tensor, reps = 3): number {
  const run = (): number => {
    const t = performance.now();
    const r = tf.tidy(fn);
    r.dataSync();
    r.dispose();
    return (performance.now() - t) / 1000;
  };
  run();
  return median(Array.from({ length: reps }, run));
}

interface PeerRun {
  secondsPerEval?: number;
  costAtFixedPoint?: number;
  error?: string;
}

function hasNumpy(): boolean {
  const r = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  return r.status === 0;
}

function runPeer(mnistDir: string): PeerRun {
  const env = { ...process.env };
  for (const k of OPENBLAS_VARS) delete env[k];
  const r = spawnSync('python3', [PEER, '--mnist', mnistDir, '--iters', '0', '--evals', String(EVALS), '--float32'], {
    env, encoding: 'utf8', cwd: REPO, timeout: 300_000,
  });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop() };
  const num = (key: string): number | undefined => {
    const m = new RegExp(`^${key}\\s+(\\S+)`, 'm').exec(r.stdout);
    return m ? Number(m[1]) : undefined;
  };
  return { secondsPerEval: num('seconds_per_eval'), costAtFixedPoint: num('cost_at_fixed_point') };
}

/** matMul(a, b, false, true) vs transpose + plain matMul, with whichever BatchMatMul kernel is registered now. */
function matMulPair(a: tf.Tensor2D, b: tf.Tensor2D): { flag: number; explicit: number } {
  return {
    flag: timeSync(() => tf.matMul(a, b, false, true)),
    explicit: timeSync(() => tf.matMul(a, tf.transpose(b))),
  };
}

function matMulLines(): string[] {
  const a = tf.randomUniform([10000, 784]) as tf.Tensor2D;
  const b = tf.randomUniform([196, 784]) as tf.Tensor2D;
  const lines: string[] = [];
  try {
    const fmt = (x: number): string => `${x.toFixed(3)} s`;
    if (tf.getBackend() === 'wasm' && ORIGINAL_BATCH_MATMUL && fastMatMulInstalled()) {
      const override = tf.getKernel('BatchMatMul', 'wasm')!;
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel(ORIGINAL_BATCH_MATMUL);
      let before: { flag: number; explicit: number };
      try {
        before = matMulPair(a, b);
      } finally {
        tf.unregisterKernel('BatchMatMul', 'wasm');
        tf.registerKernel(override);
      }
      const after = matMulPair(a, b);
      lines.push(
        `sae: matMul 10000x784 by (196x784)': transposeB flag ${fmt(before.flag)} before the override, ${fmt(after.flag)} after; ` +
          `explicit transpose + plain matMul ${fmt(after.explicit)}`,
      );
    } else {
      const now = matMulPair(a, b);
      lines.push(
        `sae: matMul 10000x784 by (196x784)' on ${tf.getBackend()} (override ${fastMatMulInstalled() ? 'installed' : 'not installed'}, no before/after): ` +
          `transposeB flag ${fmt(now.flag)}, explicit transpose + plain matMul ${fmt(now.explicit)}`,
      );
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  return lines;
}

/**
 * @returns printable lines: per-evaluation seconds (single, parallel, peer), ratios, the matMul comparison.
 * The three are measured in ROUNDS interleaved rounds (peer, this thread, workers), and the ratio
 * ours/peer is taken per round, from measurements seconds apart, then the median over rounds: on a
 * shared machine the load changes within a minute, and comparing across rounds would mostly
 * measure that.
 */
export async function benchSae(): Promise<string[]> {
  const loadStart = loadavg()[0];
  const backend = await initBackend();
  const lines: string[] = [];
  const mnistDir = process.env.SFL_MNIST_DIR ?? DEFAULT_MNIST;
  if (!existsSync(mnistDir)) {
    return [`sae: skipped, no MNIST at ${mnistDir} (set SFL_MNIST_DIR)`, ...matMulLines()];
  }
  const { images } = loadMnist(mnistDir, 'train', { limit: 10000 });
  const v = 784, h = 196;
  const opts: SaeOptions = { visible: v, hidden: h, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'sigmoid' };
  const theta = initParams(v, h, 0);
  lines.push(`sae: MNIST ${images.rows} x ${v} -> ${h}, backend ${backend}; each figure is the median of ${EVALS} evaluations, in ${ROUNDS} interleaved rounds`);

  const peerAvailable = existsSync(PEER) && hasNumpy();
  const unset = OPENBLAS_VARS.filter((k) => process.env[k] !== undefined);
  const workers = workerCount();
  const single = sparseAutoencoderCost(images, opts);
  const t0 = performance.now();
  const par = await sparseAutoencoderCostParallel(images, opts, { workers });
  const startup = (performance.now() - t0) / 1000;
  const ort = await loadOnnxRuntime();
  const t1 = performance.now();
  const onnx = ort ? await sparseAutoencoderCostOnnx(images, opts) : undefined;
  const onnxStartup = (performance.now() - t1) / 1000;
  type Timing = { wall: number; cpu: number };
  const rounds: { peer?: PeerRun; single: Timing; par: Timing; onnx?: Timing }[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const peer = peerAvailable ? runPeer(mnistDir) : undefined;
      const o = onnx ? await timeEvals(onnx, theta) : undefined;
      rounds.push({ peer, onnx: o, single: await timeEvals(single, theta), par: await timeEvals(par, theta) });
    }
  } finally {
    single.dispose();
    await par.dispose();
    await onnx?.dispose();
  }
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(3)).join(', ');
  const ow = rounds.map((r) => r.onnx?.wall ?? NaN);
  lines.push(
    onnx
      ? `sae: one cost+gradient, onnx engine (ONNX Runtime, ${onnxThreads()} intra-op threads): median ${median(ow).toFixed(3)} s wall (rounds: ${fmt(ow)}; ` +
          `${median(rounds.map((r) => r.onnx!.cpu)).toFixed(3)} s CPU; session built in ${onnxStartup.toFixed(2)} s)`
      : `sae: onnx engine not measured: onnxruntime-node cannot load (${onnxRuntimeFailure()})`,
  );
  const sw = rounds.map((r) => r.single.wall), pw = rounds.map((r) => r.par.wall);
  lines.push(
    `sae: one cost+gradient, this thread: median ${median(sw).toFixed(3)} s wall (rounds: ${fmt(sw)}; ` +
      `${median(rounds.map((r) => r.single.cpu)).toFixed(3)} s CPU)`,
  );
  lines.push(
    `sae: one cost+gradient, ${workers} worker threads: median ${median(pw).toFixed(3)} s wall (rounds: ${fmt(pw)}; ` +
      `${median(rounds.map((r) => r.par.cpu)).toFixed(3)} s CPU, all threads; workers started in ${startup.toFixed(2)} s)`,
  );

  if (!peerAvailable) {
    lines.push('sae: numpy peer not measured (python3 with numpy, or the peer script, is missing)');
  } else {
    const failed = rounds.find((r) => r.peer?.error || r.peer?.secondsPerEval === undefined);
    if (failed) {
      lines.push(`sae: numpy peer failed: ${failed.peer?.error ?? 'no seconds_per_eval in its output'}`);
    } else {
      const ps = rounds.map((r) => r.peer!.secondsPerEval!);
      lines.push(
        `sae: numpy peer --float32 seconds_per_eval: median ${median(ps).toFixed(3)} s (rounds: ${fmt(ps)}); ` +
          `cost_at_fixed_point ${rounds[0].peer!.costAtFixedPoint}; ` +
          `${unset.length ? `unset ${unset.join(', ')} in its environment` : 'no OPENBLAS_* variables were set, none unset'}`,
      );
      const rs = rounds.map((r) => r.single.wall / r.peer!.secondsPerEval!);
      const rp = rounds.map((r) => r.par.wall / r.peer!.secondsPerEval!);
      if (onnx) {
        const ro = rounds.map((r) => r.onnx!.wall / r.peer!.secondsPerEval!);
        lines.push(
          `sae: ratio onnx/peer (per round, then median): ${median(ro).toFixed(2)} (${fmt(ro)}); target <= 0.8: ${median(ro) <= 0.8 ? 'met' : 'NOT met'}` +
            ` (load average ${loadStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end: on ${cpus().length} cores, above about 1 the figures are loaded)`,
        );
      }
      lines.push(
        `sae: ratio wasm/peer (per round, then median): this thread ${median(rs).toFixed(2)} (${fmt(rs)}), ` +
          `${workers} workers ${median(rp).toFixed(2)} (${fmt(rp)}); target <= 2.0: ${Math.min(median(rs), median(rp)) <= 2 ? 'met' : 'NOT met'}`,
      );
    }
  }
  lines.push(...matMulLines());
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchSae()) console.log(line);
}
