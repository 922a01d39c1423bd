/**
 * The MNIST sparse-autoencoder training run of the UFLDL exercise, ours against the numpy peer in
 * the same run: first 10,000 training images, 784 -> 196, weightDecay 3e-3, beta 3, rho 0.1, 400 L-BFGS
 * iterations. Prints both wall times and final costs, and which engine ran ours (onnx or wasm,
 * src/compute/engine.ts; SFL_ENGINE forces one). Targets: our final cost within 1% of the peer's,
 * and ours at least 2x faster than the peer (numpy + scipy's L-BFGS-B, float64). The peer needs
 * python3 with numpy and scipy (Debian: python3-numpy python3-scipy); without them its line says so
 * and the ratio is skipped. Takes a few minutes.
 *
 * MNIST: SFL_MNIST_DIR, else ../shared/data/mnist beside the repository.
 * Run alone: npx tsx bench/train.ts [--iters 400]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '../src/compute/backend.ts';
import { engine } from '../src/compute/engine.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { trainSae } from '../src/models/sae/train.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** The numpy peer: SFL_PEER, else ../shared/peers/sae_numpy.py beside the repository. */
const PEER = process.env.SFL_PEER || fileURLToPath(new URL('../../shared/peers/sae_numpy.py', import.meta.url));
const DEFAULT_MNIST = fileURLToPath(new URL('../../shared/data/mnist', import.meta.url));

export async function benchTrain(iters = 400): Promise<string[]> {
  const dir = process.env.SFL_MNIST_DIR || DEFAULT_MNIST;
  if (!existsSync(dir)) return [`train: skipped, no MNIST at ${dir} (set SFL_MNIST_DIR)`];
  const backend = await initBackend();
  const eng = await engine();
  const { images } = loadMnist(dir, 'train', { limit: 10000 });
  const t0 = performance.now();
  const ours = await trainSae(images, { kind: 'image', width: 28, height: 28 }, {
    preprocess: { normalise: 'none', whitening: { kind: 'none', epsilon: 0, retainVariance: 1 } },
    hidden: 196, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'sigmoid', maxIter: iters, seed: 0, stage: `train bench (${eng})`,
  });
  const oursSeconds = (performance.now() - t0) / 1000;
  const lines = [
    `train: ours (engine ${eng}${eng === 'wasm' ? `, backend ${backend}` : ''}) ${iters} L-BFGS iterations on 10000 x 784 -> 196: ${oursSeconds.toFixed(1)} s, final cost ${ours.lbfgs.cost.toFixed(6)} ` +
      `(${ours.lbfgs.funEvals} evaluations, stop: ${ours.lbfgs.stopReason})`,
  ];
  const scipy = spawnSync('python3', ['-c', 'import numpy, scipy'], { stdio: 'ignore' });
  if (scipy.status !== 0) {
    lines.push('train: numpy peer skipped: it needs python3 with numpy and scipy (Debian: apt-get install python3-numpy python3-scipy)');
    return lines;
  }
  const env = { ...process.env };
  for (const k of ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE']) delete env[k];
  const r = spawnSync('python3', [PEER, '--mnist', dir, '--iters', String(iters), '--evals', '1'], { env, encoding: 'utf8', cwd: REPO });
  const num = (key: string) => Number(new RegExp(`^${key}\\s+(\\S+)`, 'm').exec(r.stdout ?? '')?.[1]);
  if (r.status !== 0 || !Number.isFinite(num('train_seconds'))) {
    const why = r.signal ? `stopped by ${r.signal} before it finished` : (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop();
    lines.push(`train: numpy peer not measured (${why})`);
    return lines;
  }
  const peerSeconds = num('train_seconds'), peerCost = num('final_cost');
  const rel = Math.abs(ours.lbfgs.cost - peerCost) / peerCost;
  lines.push(`train: numpy peer (float64, scipy L-BFGS-B) ${iters} iterations: ${peerSeconds.toFixed(1)} s, final cost ${peerCost.toFixed(6)}`);
  const speedup = peerSeconds / oursSeconds;
  lines.push(
    `train: final cost ours/peer ${(ours.lbfgs.cost / peerCost).toFixed(4)} (target within 1%: ${rel <= 0.01 ? 'met' : 'NOT met'}); ` +
      `speed-up peer/ours ${speedup.toFixed(2)}x (target >= 2x: ${speedup >= 2 ? 'met' : 'NOT met'})`,
  );
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--iters');
  for (const line of await benchTrain(i > 0 ? Number(process.argv[i + 1]) : 400)) console.log(line);
  process.exit(0);
}
