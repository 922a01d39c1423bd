/**
 * The SdA's batch-1 SGD steps on the host (src/models/mnist-baselines/host-sgd.ts) with the
 * JavaScript row kernels against the WebAssembly SIMD ones, in the same process, interleaved
 * round by round (the machine is shared, so only the ratio within one run means much):
 *   - a dA step on the 1000 x 1000 dA of layers 2 and 3 (inputs: the codes of the fixture's
 *     MNIST images by an untrained 784-1000 sigmoid layer; corruption 0.2), and
 *   - a fine-tuning step on 784-1000-1000-1000-10 (inputs: the MNIST images of the test fixture).
 * Both copies start from the same weights and see the same inputs. After the first step their
 * weights differ by float32 rounding only, and that difference is printed as a check; later it
 * grows, for the JavaScript kernels against themselves too (a 1e-7 change of one weight of the
 * dA grows to 0.5 within 200 steps at this learning rate), so it is not compared at the end.
 *
 * Run alone: npx tsx bench/host-sgd.ts [--rounds 5] [--steps 40]
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HostKernelKind } from '../src/compute/row-kernels.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { daStep, fineTuneStep, hostDa, hostLayer, type HostDa, type HostNet } from '../src/models/mnist-baselines/host-sgd.ts';
import { mulberry32 } from '../src/util/random.ts';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/mnist', import.meta.url));
const KINDS: HostKernelKind[] = ['js', 'simd'];
const LR = 0.1;

/** The dA's initial weights: uniform in +-4 sqrt(6 / (nIn + nOut)). */
function initWeights(seed: number, nIn: number, nOut: number): Float32Array {
  const rng = mulberry32(seed);
  const r = 4 * Math.sqrt(6 / (nIn + nOut));
  return Float32Array.from({ length: nIn * nOut }, () => (2 * rng() - 1) * r);
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, k) => x.forEach((v, i) => (d = Math.max(d, Math.abs(v - b[k][i])))));
  return d;
}

interface Case {
  name: string;
  /** One step of the copy of `kind` on input number `t`. */
  step(kind: HostKernelKind, t: number): void;
  /** Every weight array of the copy of `kind`. */
  weights(kind: HostKernelKind): Float32Array[];
}

/** Codes of the first `count` fixture images by an untrained 784-n sigmoid layer. */
function codes(count: number, n: number): Float32Array[] {
  const { images } = loadMnist(FIXTURE, 'train', { limit: count });
  const W = initWeights(2, 784, n);
  return Array.from({ length: count }, (_, r) => {
    const x = images.data.subarray(r * 784, (r + 1) * 784);
    const h = new Float32Array(n);
    for (let i = 0; i < 784; i++) if (x[i] !== 0) for (let j = 0; j < n; j++) h[j] += x[i] * W[i * n + j];
    return h.map((z) => 1 / (1 + Math.exp(-z)));
  });
}

function daCase(): Case {
  const n = 1000;
  const W = initWeights(1, n, n);
  const das = new Map<HostKernelKind, HostDa>(KINDS.map((k) => [k, hostDa(hostLayer(W, new Float32Array(n), k), new Float32Array(n))]));
  const inputs = codes(100, n);
  // One mask generator per copy, seeded alike: both copies see the same masks.
  const masks = new Map(KINDS.map((k) => [k, mulberry32(3)] as const));
  return {
    name: `dA step, ${n} x ${n}, corruption 0.2`,
    step(kind, t) {
      const rng = masks.get(kind)!;
      daStep(das.get(kind)!, inputs[t % inputs.length], () => rng() >= 0.2, LR);
    },
    weights: (kind) => {
      const L = das.get(kind)!;
      return [L.W, L.b, L.bVisible];
    },
  };
}

function fineTuneCase(): Case {
  const sizes = [784, 1000, 1000, 1000];
  const { images, labels } = loadMnist(FIXTURE, 'train');
  const hidden = sizes.slice(1).map((h, i) => initWeights(10 + i, sizes[i], h));
  const nets = new Map<HostKernelKind, HostNet>(
    KINDS.map((k) => [
      k,
      {
        hidden: hidden.map((W, i) => hostLayer(W, new Float32Array(sizes[i + 1]), k)),
        out: hostLayer(new Float32Array(1000 * 10), new Float32Array(10), k),
        weightDecay: 0,
      },
    ]),
  );
  return {
    name: `fine-tuning step, ${[...sizes, 10].join('-')}, MNIST images`,
    step(kind, t) {
      const r = t % images.rows;
      fineTuneStep(nets.get(kind)!, images.data.subarray(r * 784, (r + 1) * 784), labels[r], LR);
    },
    weights: (kind) => [...nets.get(kind)!.hidden, nets.get(kind)!.out].flatMap((L) => [L.W, L.b]),
  };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function run(c: Case, rounds: number, steps: number): string[] {
  for (const k of KINDS) c.step(k, 0);
  const firstStep = maxDifference(c.weights('js'), c.weights('simd'));
  const t = new Map(KINDS.map((k) => [k, 1]));
  // Untimed steps first: the WebAssembly functions start in the baseline compiler and are
  // recompiled optimised once hot; the JavaScript loops likewise.
  for (const k of KINDS) for (let s = 0; s < 10; s++) c.step(k, t.get(k)!), t.set(k, t.get(k)! + 1);
  const ms = new Map<HostKernelKind, number[]>(KINDS.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so a slow stretch of the machine is shared.
    for (const k of r % 2 ? [...KINDS].reverse() : KINDS) {
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) c.step(k, t.get(k)! + s);
      ms.get(k)!.push((performance.now() - t0) / steps);
      t.set(k, t.get(k)! + steps);
    }
  }
  const [js, simd] = KINDS.map((k) => median(ms.get(k)!));
  const ratios = ms.get('js')!.map((v, i) => v / ms.get('simd')![i]);
  return [
    `host-sgd: ${c.name}: JS ${js.toFixed(2)} ms/step, SIMD ${simd.toFixed(2)} ms/step (medians of ${rounds} rounds of ${steps}), ` +
      `speed-up ${(js / simd).toFixed(2)}x (per round ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}); ` +
      `largest weight difference between the copies after one step ${firstStep.toExponential(1)}`,
  ];
}

export async function benchHostSgd(rounds = 5, steps = 40): Promise<string[]> {
  return [...run(daCase(), rounds, steps), ...run(fineTuneCase(), rounds, steps)];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string, d: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  for (const line of await benchHostSgd(arg('--rounds', 5), arg('--steps', 40))) console.log(line);
  process.exit(0);
}
