/**
 * Resampler quality against speed, to choose libsamplerate's converter (src/audio/resample.ts):
 * for each sinc converter, the gain of a full-scale sine at 80, 90 and 95% of the output Nyquist
 * frequency (the pass band's edge, where the top mel bands sit), the residue of a sine at 110%
 * (what leaks through as aliasing), and the time to convert 60 s of 44.1 kHz noise (wall, and CPU
 * time of this single-threaded process, the steadier figure on a shared machine).
 * Conversions: 44.1 kHz -> 16 kHz and 44.1 kHz -> 8 kHz (the project's usual targets).
 *
 * Run alone: npx tsx bench/resample.ts
 */
import LibSampleRate from '@alexanderolsen/libsamplerate-js';
import { pathToFileURL } from 'node:url';

const TYPES = [
  ['SINC_BEST_QUALITY', LibSampleRate.ConverterType.SRC_SINC_BEST_QUALITY],
  ['SINC_MEDIUM_QUALITY', LibSampleRate.ConverterType.SRC_SINC_MEDIUM_QUALITY],
  ['SINC_FASTEST', LibSampleRate.ConverterType.SRC_SINC_FASTEST],
] as const;

async function convert(x: Float32Array, from: number, to: number, type: (typeof TYPES)[number][1]): Promise<Float32Array> {
  const c = await LibSampleRate.create(1, from, to, { converterType: type });
  const parts: Float32Array[] = [];
  const block = 1 << 17;
  for (let i = 0; i < x.length; i += block) parts.push(c.full(x.subarray(i, i + block)).slice());
  for (let k = 0; k < 8; k++) parts.push(c.full(new Float32Array(1024)).slice());
  c.destroy();
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** Gain in dB of a unit sine at `freq` through the converter (rms over the middle of the output). */
async function gainDb(freq: number, from: number, to: number, type: (typeof TYPES)[number][1]): Promise<number> {
  const n = from; // 1 s
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * freq * i) / from));
  const y = await convert(x, from, to, type);
  let s = 0, m = 0;
  for (let i = Math.floor(to * 0.2); i < Math.floor(to * 0.8); i++, m++) s += y[i] * y[i];
  return 20 * Math.log10(Math.sqrt(s / m) * Math.SQRT2);
}

export async function benchResample(): Promise<string[]> {
  const lines: string[] = [];
  const from = 44100;
  let seed = 3;
  const noise = Float32Array.from({ length: 60 * from }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
  for (const to of [16000, 8000]) {
    const nyq = to / 2;
    for (const [name, type] of TYPES) {
      const gains = [];
      for (const p of [0.8, 0.9, 0.95, 1.1]) gains.push((await gainDb(p * nyq, from, to, type)).toFixed(2));
      await convert(noise.subarray(0, from), from, to, type); // warm up
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await convert(noise, from, to, type);
      const used = process.cpuUsage(cpu0);
      const cpu = (used.user + used.system) / 1e6;
      const s = (performance.now() - t0) / 1000;
      lines.push(
        `resample ${from} -> ${to} Hz ${name.padEnd(19)}: gain at 80/90/95% of Nyquist ${gains.slice(0, 3).join(' / ')} dB, ` +
          `at 110% ${gains[3]} dB; 60 s of audio in ${s.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (${(60 / cpu).toFixed(0)}x real time)`,
      );
    }
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchResample()) console.log(line);
}
