/**
 * A small labeled folder of sounds whose structure is known exactly, to check that the pictures
 * of learned filters show what is in the data: steady tones at a few known frequencies, rising and
 * falling exponential sweeps (a straight line on a log-frequency axis, so a known slope), and click
 * trains (broadband, short). Deterministic for a seed; no external tool involved.
 *
 * Layout: <dir>/<class>/<name>.wav with class tone | rising | falling | clicks (labels from
 * sub-folders), mono 16-bit PCM. Every recording has a faint white-noise floor so that the log
 * spectrum of its quiet bands is a steady level rather than digital silence.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWavPcm16 } from '../audio/wav-encode.ts';
import { mulberry32, normal, uniform, type Rng } from '../util/random.ts';

const SYNTHETIC_CLASSES = ['tone', 'rising', 'falling', 'clicks'] as const;
export type SyntheticClass = (typeof SYNTHETIC_CLASSES)[number];

export interface SyntheticOptions {
  /** Recordings per class. Default 12. */
  perClass?: number;
  /** Sample rate in Hz. Default 8000 (as the spoken digits). */
  sampleRate?: number;
  /** Length of each recording in seconds. Default 0.6. */
  seconds?: number;
  /** Frequencies of the steady tones, Hz; tone recording i plays tones[i % tones.length]. Default 500, 1200, 2500. */
  tones?: number[];
  /** Sweep range in Hz: rising goes low -> high over the whole recording, falling high -> low. Default 300 -> 3000. */
  sweepHz?: [number, number];
  /** Clicks per second in a click train. Default 12. */
  clickRate?: number;
  seed?: number;
}

export const SYNTHETIC_DEFAULTS: Required<SyntheticOptions> = {
  perClass: 12,
  sampleRate: 8000,
  seconds: 0.6,
  tones: [500, 1200, 2500],
  sweepHz: [300, 3000],
  clickRate: 12,
  seed: 1,
};

export interface SyntheticRecording {
  label: SyntheticClass;
  /** File name without folder, e.g. "tone-1200hz-04.wav". */
  name: string;
  samples: Float32Array;
}

const NOISE = 0.003; // about -50 dB below the 0.4 tone amplitude
const FADE_SECONDS = 0.01;

/** Steady sine at `hz`, a sweep from f0 to f1 (exponential: a constant number of octaves per second), or clicks. */
function render(kind: SyntheticClass, n: number, sr: number, o: Required<SyntheticOptions>, rng: Rng, toneHz: number): Float32Array {
  const x = new Float32Array(n);
  const amp = uniform(rng, 0.3, 0.5);
  if (kind === 'tone') {
    const phase = uniform(rng, 0, 2 * Math.PI);
    for (let i = 0; i < n; i++) x[i] = amp * Math.sin(phase + (2 * Math.PI * toneHz * i) / sr);
  } else if (kind === 'rising' || kind === 'falling') {
    const [lo, hi] = o.sweepHz;
    const [f0, f1] = kind === 'rising' ? [lo, hi] : [hi, lo];
    const T = n / sr;
    const k = Math.log(f1 / f0) / T; // f(t) = f0 e^(k t)
    let phase = uniform(rng, 0, 2 * Math.PI);
    for (let i = 0; i < n; i++) {
      x[i] = amp * Math.sin(phase);
      phase += (2 * Math.PI * f0 * Math.exp((k * i) / sr)) / sr;
    }
  } else {
    // A click: a 3 ms burst of noise decaying with a 0.5 ms time constant, at jittered intervals.
    const period = sr / o.clickRate;
    for (let start = uniform(rng, 0, period); start < n; start += period * uniform(rng, 0.8, 1.2)) {
      const s0 = Math.floor(start);
      for (let j = 0; j < Math.round(0.003 * sr) && s0 + j < n; j++) x[s0 + j] += amp * 2 * normal(rng) * Math.exp(-j / (0.0005 * sr));
    }
  }
  const fade = Math.round(FADE_SECONDS * sr);
  for (let i = 0; i < fade && i < n; i++) {
    x[i] *= i / fade;
    x[n - 1 - i] *= i / fade;
  }
  for (let i = 0; i < n; i++) x[i] += NOISE * normal(rng);
  return x;
}

export function syntheticRecordings(opts: SyntheticOptions = {}): SyntheticRecording[] {
  const o = { ...SYNTHETIC_DEFAULTS, ...opts };
  const n = Math.round(o.seconds * o.sampleRate);
  const rng = mulberry32(o.seed);
  const out: SyntheticRecording[] = [];
  for (const label of SYNTHETIC_CLASSES) {
    for (let i = 0; i < o.perClass; i++) {
      const toneHz = o.tones[i % o.tones.length];
      const index = String(i + 1).padStart(2, '0');
      const name = label === 'tone' ? `tone-${toneHz}hz-${index}.wav` : `${label}-${index}.wav`;
      out.push({ label, name, samples: render(label, n, o.sampleRate, o, rng, toneHz) });
    }
  }
  return out;
}

/** Writes the folder (creating it) and returns the file paths, in class order. */
export function writeSyntheticFolder(dir: string, opts: SyntheticOptions = {}): string[] {
  const o = { ...SYNTHETIC_DEFAULTS, ...opts };
  return syntheticRecordings(o).map((r) => {
    mkdirSync(join(dir, r.label), { recursive: true });
    const path = join(dir, r.label, r.name);
    writeFileSync(path, encodeWavPcm16(r.samples, o.sampleRate));
    return path;
  });
}
