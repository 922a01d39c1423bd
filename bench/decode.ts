/**
 * Decode throughput: seconds of audio decoded per second of wall-clock and of CPU time, for each
 * format the project reads, through the one entry point (src/audio/decode.ts: probe, decode,
 * checks, mono mix-down; no resampling unless said). The peer, in the same run, is ffmpeg decoding
 * the same file to float32 PCM (a native decoder; its time includes process start-up, ~30 ms).
 *
 * The audio is generated: 60 s of 22050 Hz stereo (a chirp, tones, and noise bursts), written as
 * 16-bit WAV and encoded to MP3, FLAC, Ogg Vorbis and Opus with ffmpeg when it is installed.
 * Without ffmpeg only the WAV line (and the committed 2 s fixtures, decoded 30 times each) run.
 *
 * Run alone: npx tsx bench/decode.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeAudio } from '../src/audio/decode.ts';
import { wavHeaderPcm16 } from '../src/audio/wav-encode.ts';

const SECONDS = 60;
const RATE = 22050;
const FIXTURES = fileURLToPath(new URL('../test/fixtures/audio/', import.meta.url));

/** 16-bit stereo WAV of generated sound. */
function generatedWav(): Uint8Array {
  const n = SECONDS * RATE;
  const buf = Buffer.alloc(44 + n * 4);
  buf.set(wavHeaderPcm16(n, RATE, 2));
  let seed = 1;
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    seed = (seed * 1103515245 + 12345) >>> 0;
    const burst = Math.floor(t * 2) % 3 === 0 ? ((seed / 2 ** 32) * 2 - 1) * 0.2 : 0;
    const l = 0.3 * Math.sin(2 * Math.PI * (200 + 50 * (t % 10)) * t) + burst;
    const r = 0.2 * Math.sin(2 * Math.PI * 1000 * t) + 0.1 * Math.sin(2 * Math.PI * 3100 * t) + burst;
    buf.writeInt16LE(Math.round(l * 32767), 44 + i * 4);
    buf.writeInt16LE(Math.round(r * 32767), 46 + i * 4);
  }
  return buf;
}

function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version']).status === 0;
}

interface Timing {
  wall: number;
  cpu: number;
}

async function timeDecode(bytes: Uint8Array, name: string, repeats: number, sampleRate?: number): Promise<Timing & { audio: number }> {
  await decodeAudio(bytes, name, { sampleRate }); // warm up: wasm instantiation, converter
  let audio = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < repeats; r++) audio += (await decodeAudio(bytes, name, { sampleRate })).durationSeconds;
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  return { wall, cpu: (used.user + used.system) / 1e6, audio };
}

function timeFfmpeg(path: string, repeats: number): number {
  const t0 = performance.now();
  for (let r = 0; r < repeats; r++) execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', '-ac', '1', '-'], { maxBuffer: 1 << 30 });
  return (performance.now() - t0) / 1000;
}

/** @returns printable lines, one per format. */
export async function benchDecode(): Promise<string[]> {
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sfl-bench-decode-'));
  try {
    const wavPath = join(dir, 'gen.wav');
    writeFileSync(wavPath, generatedWav());
    const files: [string, string][] = [['16-bit WAV', wavPath]];
    const ffmpeg = hasFfmpeg();
    if (ffmpeg) {
      const encode = (ext: string, args: string[]) => {
        const p = join(dir, `gen.${ext}`);
        execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', wavPath, ...args, p]);
        return p;
      };
      files.push(
        ['MP3 (VBR q4)', encode('mp3', ['-c:a', 'libmp3lame', '-q:a', '4'])],
        ['FLAC', encode('flac', ['-c:a', 'flac'])],
        ['Ogg Vorbis (q3)', encode('ogg', ['-c:a', 'libvorbis', '-q:a', '3'])],
        ['Opus (64 kbit/s)', encode('opus', ['-c:a', 'libopus', '-b:a', '64k'])],
      );
      lines.push(`decode: ${SECONDS} s of generated 22050 Hz stereo per file; peer: ffmpeg decoding the same file to f32le mono`);
    } else {
      lines.push('decode: ffmpeg is not installed: generated WAV only, plus the committed 2 s fixtures (no peer)');
      for (const f of ['speech.mp3', 'speech.flac', 'speech.ogg', 'speech.opus']) files.push([`fixture ${f}`, join(FIXTURES, f)]);
    }
    for (const [label, path] of files) {
      const bytes = readFileSync(path);
      const repeats = path.startsWith(FIXTURES) ? 30 : label.includes('WAV') ? 5 : 2;
      const t = await timeDecode(bytes, path, repeats);
      let peer = '';
      if (ffmpeg) {
        const f = timeFfmpeg(path, repeats);
        peer = `; ffmpeg ${(t.audio / f).toFixed(0)} s/s, ratio ours/ffmpeg ${(t.audio / t.wall / (t.audio / f)).toFixed(2)}`;
      }
      lines.push(`decode: ${label}: ${(t.audio / t.wall).toFixed(0)} s of audio per s wall, ${(t.audio / t.cpu).toFixed(0)} per s CPU${peer}`);
    }
    // The usual pipeline step: an MP3 decoded and resampled to 16 kHz.
    const mp3 = files.find(([l]) => l.startsWith('MP3'));
    if (mp3) {
      const t = await timeDecode(readFileSync(mp3[1]), mp3[1], 2, 16000);
      lines.push(`decode: MP3 -> 16 kHz (decode + resample): ${(t.audio / t.wall).toFixed(0)} s of audio per s wall, ${(t.audio / t.cpu).toFixed(0)} per s CPU`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchDecode()) console.log(line);
}
