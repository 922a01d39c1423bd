/**
 * Large folders: does time grow linearly with the hours of audio, and memory not at all?
 *
 * Synthesises two sound folders of about 2 and 20 hours (16 kHz mono: many 10 s recordings, a few
 * of 20 minutes, and a tenth of the short ones as FLAC when sox is installed to encode them) and
 * runs, on each, as child processes of the real CLI with the spectra cache off:
 *   - `sfl features <folder> --out x.npy` (read, decode, mel, write), and
 *   - `sfl train-sae --audio <folder> --windows 100000 --iterations 20 --hidden 25`, and
 *   - `sfl self-taught --audio <folder>` with the same autoencoder settings and the labels from the
 *     sub-folders (short/, long/, flac/): the classification pipeline, whose every recording is
 *     encoded and pooled,
 * printing wall time, CPU time, real-time factor (hours of audio per hour of wall or CPU time)
 * and peak resident memory (the child's own maxRSS, written at exit by bench/rusage-preload.mjs),
 * and how each changes from 2 to 20 hours.
 *
 * Targets (issue 16): train-sae's peak RSS <= 1 GB at 20 h and within 10% of its 2 h figure;
 * features >= 1000x real time per CPU core on 16-bit WAV (CPU time: the machine is shared), so
 * `features` also runs on the WAV files alone (hard links beside the folder).
 *
 * Then ONE long recording (a single 16-bit WAV of 0.25 h and of 2.5 h; 0.25 h and 1 h in the quick
 * check; SFL_BENCH_LONG_HOURS=a,b to change, =none to skip): features and train-sae on it, and
 * self-taught on it among 16 labelled 10 s recordings (every window of it encoded and pooled), with
 * their peak RSS, which must not grow with the recording's length (nothing holds one recording's
 * spectrogram or windows), and that peak split into array buffers (decoded blocks, live or garbage
 * awaiting collection: bounded, but moving by tens of MB between runs, see benchLongRecording) and
 * the rest.
 * SFL_BENCH_CORPUS_HOURS=none skips the folders, for this case alone.
 *
 * Disk: about 2.4 GB (and 0.3 GB for the long recording) in $SFL_BENCH_DIR (default: the system temp folder), removed at the end.
 * Generation takes well under a minute: ten-second chunks of generated sound are made once and
 * written as many files. Run: npm run bench -- --only corpus (SFL_BENCH_CORPUS_HOURS=2,20 to change;
 * SFL_BENCH_CORPUS_QUICK=1 for a quick check at 0.2 and 2 hours).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wavHeaderPcm16 } from '../src/audio/wav-encode.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RATE = 16000;
const CHUNK_SECONDS = 10;
const LONG_SECONDS = 20 * 60;
const CHUNKS = 48;

/** A 16-bit mono WAV holding `samples`. */
function wav(samples: Int16Array): Buffer {
  const buf = Buffer.alloc(44 + samples.length * 2);
  buf.set(wavHeaderPcm16(samples.length, RATE));
  Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).copy(buf, 44);
  return buf;
}

/** Ten seconds of sound number k: a chirp, two partials and noise bursts, different for each k. */
function chunk(k: number): Int16Array {
  const n = CHUNK_SECONDS * RATE;
  const out = new Int16Array(n);
  let seed = k + 1;
  const f0 = 150 + 37 * k;
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    seed = (seed * 1103515245 + 12345) >>> 0;
    const burst = Math.floor(t * 3 + k) % 4 === 0 ? ((seed / 2 ** 32) * 2 - 1) * 0.15 : 0;
    const x = 0.3 * Math.sin(2 * Math.PI * (f0 + 40 * (t % 2)) * t) + 0.1 * Math.sin(2 * Math.PI * (3 * f0 + 500) * t) + burst;
    out[i] = Math.round(x * 32767);
  }
  return out;
}

/** One 16-bit WAV of `seconds` (ten-second chunks end to end), written a chunk at a time. */
function writeLongWav(path: string, seconds: number, chunks: Int16Array[]): void {
  const count = Math.round(seconds / CHUNK_SECONDS);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, wavHeaderPcm16(count * chunks[0].length, RATE));
    for (let c = 0; c < count; c++) {
      const x = chunks[(c * 11) % chunks.length];
      writeSync(fd, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    }
  } finally {
    closeSync(fd);
  }
}

/** features and train-sae on one long recording of each length in `hours`: is their memory flat? */
function benchLongRecording(parent: string, hours: number[], chunks: Int16Array[]): string[] {
  const lines: string[] = [];
  const results = hours.map((h) => {
    const dir = join(parent, `long-${h}h`);
    mkdirSync(dir);
    const seconds = Math.round((h * 3600) / CHUNK_SECONDS) * CHUNK_SECONDS;
    writeLongWav(join(dir, 'field-recording.wav'), seconds, chunks);
    const scratch = join(parent, `long-out-${h}`);
    mkdirSync(scratch);
    const features = runCli(['features', dir, '--out', join(scratch, 'x.npy')], scratch);
    rmSync(join(scratch, 'x.npy'), { force: true });
    const train = runCli(['train-sae', '--audio', dir, '--windows', '100000', '--iterations', '20', '--hidden', '25', '--outputs', scratch, '--quiet'], scratch);
    // self-taught with the long recording among short labelled ones, as a training recording (speaker
    // 'train' in FSDD-style names; a held-out one would also be classified segment by segment for
    // the run's predictions, which decodes it whole): its windows are drawn and every window of it
    // (hop 1) is encoded, block by block. Few training windows, so that the encoding shows.
    for (const label of ['a', 'b']) {
      mkdirSync(join(dir, label));
      for (let k = 0; k < 8; k++) writeFileSync(join(dir, label, `${label}_${k < 6 ? 'train' : 'test'}_${k}.wav`), wav(chunks[(k * 3 + (label === 'a' ? 0 : 1)) % chunks.length]));
    }
    renameSync(join(dir, 'field-recording.wav'), join(dir, 'a', 'a_train_99.wav'));
    const selfTaught = runCli(['self-taught', '--audio', dir, '--labels', 'folders', '--split', 'speakers', '--test-speakers', 'test', '--windows', '10000', '--iterations', '20', '--hidden', '25', '--outputs', scratch, '--quiet'], scratch);
    rmSync(dir, { recursive: true, force: true });
    const label = `one ${h} h recording`;
    lines.push(`corpus ${label}  features:  ${fmt(features, seconds)}`);
    lines.push(`corpus ${label}  train-sae (100,000 windows, 20 L-BFGS iterations, 25 hidden): ${fmt(train, seconds)}`);
    lines.push(`corpus ${label}  self-taught (it and 16 labelled 10 s recordings; 10,000 windows, 20 iterations, 25 hidden; every window encoded): ${fmt(selfTaught, seconds + 160)}`);
    return { h, features, train, selfTaught };
  });
  if (results.length >= 2) {
    const [a, b] = [results[0], results[results.length - 1]];
    const flat = (x: number, y: number) => y <= 1.1 * x;
    const mb = (x: number) => Math.round(x);
    lines.push(
      `corpus: one recording of ${a.h} h -> ${b.h} h (${ratio(a.h, b.h)} the length): peak RSS of features ${mb(a.features.rssMb)} -> ${mb(b.features.rssMb)} MB (${ratio(a.features.rssMb, b.features.rssMb)}), ` +
        `of train-sae ${mb(a.train.rssMb)} -> ${mb(b.train.rssMb)} MB (${ratio(a.train.rssMb, b.train.rssMb)}), ` +
        `of self-taught ${mb(a.selfTaught.rssMb)} -> ${mb(b.selfTaught.rssMb)} MB (${ratio(a.selfTaught.rssMb, b.selfTaught.rssMb)}): ` +
        `${flat(a.features.rssMb, b.features.rssMb) && flat(a.train.rssMb, b.train.rssMb) && flat(a.selfTaught.rssMb, b.selfTaught.rssMb) ? 'flat (within 10%)' : 'NOT flat'}`,
    );
    // What moves the peak between runs: the decoded blocks (2 MB of samples each, the bytes read
    // and their frames) become garbage as fast as they are read, outside V8's heap, and V8 collects
    // them once about 64 MB have piled up since the last collection; where in that sawtooth the
    // peak falls differs from run to run (a short recording may end before its first collection).
    // So the array buffers' peak is bounded, not growing with the length, and what the process
    // holds besides them is the steadier test of flatness.
    lines.push(
      `corpus: the same, split (sampled every 25 ms): array buffers (typed arrays outside V8's heap: decoded blocks, live or garbage awaiting collection, and train-sae's windows) peak features ${mb(a.features.arrayBuffersMb)} -> ${mb(b.features.arrayBuffersMb)} MB, ` +
        `train-sae ${mb(a.train.arrayBuffersMb)} -> ${mb(b.train.arrayBuffersMb)} MB, self-taught ${mb(a.selfTaught.arrayBuffersMb)} -> ${mb(b.selfTaught.arrayBuffersMb)} MB (garbage blocks are collected once about 64 MB have piled up, so this peak moves by tens of MB from run to run, whatever the length); ` +
        `resident memory besides them: features ${mb(a.features.rssBesidesMb)} -> ${mb(b.features.rssBesidesMb)} MB, train-sae ${mb(a.train.rssBesidesMb)} -> ${mb(b.train.rssBesidesMb)} MB, ` +
        `self-taught ${mb(a.selfTaught.rssBesidesMb)} -> ${mb(b.selfTaught.rssBesidesMb)} MB: ` +
        `${flat(a.features.rssBesidesMb, b.features.rssBesidesMb) && flat(a.train.rssBesidesMb, b.train.rssBesidesMb) && flat(a.selfTaught.rssBesidesMb, b.selfTaught.rssBesidesMb) ? 'flat (within 10%)' : 'NOT flat'}`,
    );
  }
  return lines;
}

interface Corpus {
  dir: string;
  seconds: number;
  files: number;
  flac: number;
  /** The same WAV files without the FLAC ones (hard links), for the 16-bit WAV target. */
  wavDir: string;
  wavSeconds: number;
}

/** A folder of about `hours` of audio, labels short/, long/ and flac/ (as train-sae wants them). */
function makeCorpus(parent: string, hours: number, chunks: Int16Array[], flacTemplates: string[]): Corpus {
  const dir = join(parent, `corpus-${hours}h`);
  const total = hours * 3600;
  const longCount = Math.floor((total * 0.17) / LONG_SECONDS);
  const flacCount = flacTemplates.length ? Math.round((total * 0.08) / CHUNK_SECONDS) : 0;
  const shortCount = Math.max(0, Math.round((total - longCount * LONG_SECONDS - flacCount * CHUNK_SECONDS) / CHUNK_SECONDS));
  for (const label of ['short', 'long', 'flac']) mkdirSync(join(dir, label), { recursive: true });
  for (let i = 0; i < shortCount; i++) writeFileSync(join(dir, 'short', `s${i}.wav`), wav(chunks[i % chunks.length]));
  const perLong = LONG_SECONDS / CHUNK_SECONDS;
  for (let i = 0; i < longCount; i++) {
    const samples = new Int16Array(perLong * chunks[0].length);
    for (let c = 0; c < perLong; c++) samples.set(chunks[(i * 7 + c) % chunks.length], c * chunks[0].length);
    writeFileSync(join(dir, 'long', `l${i}.wav`), wav(samples));
  }
  for (let i = 0; i < flacCount; i++) copyFileSync(flacTemplates[i % flacTemplates.length], join(dir, 'flac', `f${i}.flac`));
  const seconds = (shortCount + flacCount) * CHUNK_SECONDS + longCount * LONG_SECONDS;
  const wavDir = `${dir}-wav`;
  for (const label of ['short', 'long']) {
    mkdirSync(join(wavDir, label), { recursive: true });
    for (const f of readdirSync(join(dir, label))) linkSync(join(dir, label, f), join(wavDir, label, f));
  }
  return { dir, seconds, files: shortCount + longCount + flacCount, flac: flacCount, wavDir, wavSeconds: seconds - flacCount * CHUNK_SECONDS };
}

interface Measured {
  wall: number;
  cpu: number;
  rssMb: number;
  /** Sampled peak of the array buffers (live and garbage), and of the resident memory besides them. */
  arrayBuffersMb: number;
  rssBesidesMb: number;
}

/** Runs the CLI in a child process and returns its wall time, CPU time and peak RSS. */
function runCli(args: string[], scratch: string): Measured {
  const usage = join(scratch, 'rusage.json');
  rmSync(usage, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'bench/rusage-preload.mjs'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, SFL_CACHE_MAX: '0', SFL_BENCH_RUSAGE: usage },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sfl ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const u = JSON.parse(readFileSync(usage, 'utf8')) as { maxRssKb: number; cpuUs: number; arrayBuffersKb: number; rssBesidesKb: number };
  return { wall, cpu: u.cpuUs / 1e6, rssMb: u.maxRssKb / 1024, arrayBuffersMb: u.arrayBuffersKb / 1024, rssBesidesMb: u.rssBesidesKb / 1024 };
}

function hasSox(): boolean {
  return spawnSync('sox', ['--version']).status === 0;
}

const fmt = (m: Measured, seconds: number) =>
  `${m.wall.toFixed(1)} s wall (${Math.round(seconds / m.wall)}x real time), ${m.cpu.toFixed(1)} s CPU (${Math.round(seconds / m.cpu)}x per core), peak RSS ${Math.round(m.rssMb)} MB`;
const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}x`;

export async function benchCorpus(): Promise<string[]> {
  const quick = process.env.SFL_BENCH_CORPUS_QUICK === '1';
  const list = (v: string) => (v === 'none' ? [] : v.split(',').map(Number));
  const hours = list(process.env.SFL_BENCH_CORPUS_HOURS ?? (quick ? '0.2,2' : '2,20'));
  const longHours = list(process.env.SFL_BENCH_LONG_HOURS ?? (quick ? '0.25,1' : '0.25,2.5'));
  const parent = mkdtempSync(join(process.env.SFL_BENCH_DIR ?? tmpdir(), 'sfl-bench-corpus-'));
  const lines: string[] = [];
  try {
    const t0 = performance.now();
    const chunks = Array.from({ length: CHUNKS }, (_, k) => chunk(k));
    const flacTemplates: string[] = [];
    if (hasSox()) {
      for (let k = 0; k < 16; k++) {
        const src = join(parent, `t${k}.wav`);
        writeFileSync(src, wav(chunks[(k * 5) % CHUNKS]));
        const dst = join(parent, `t${k}.flac`);
        if (spawnSync('sox', [src, dst]).status === 0) flacTemplates.push(dst);
      }
    }
    lines.push(...benchLongRecording(parent, longHours, chunks));
    const corpora = hours.map((h) => makeCorpus(parent, h, chunks, flacTemplates));
    if (corpora.length) lines.push(
      `corpus: generated ${corpora.map((c) => `${(c.seconds / 3600).toFixed(1)} h (${c.files} files, ${c.flac} FLAC${flacTemplates.length ? '' : ': sox not installed'})`).join(' and ')} of 16 kHz mono in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    const results = corpora.map((c) => {
      const scratch = join(parent, `out-${c.seconds}`);
      mkdirSync(scratch);
      const features = runCli(['features', c.dir, '--out', join(scratch, 'x.npy')], scratch);
      rmSync(join(scratch, 'x.npy'), { force: true });
      const featuresWav = runCli(['features', c.wavDir, '--out', join(scratch, 'x.npy')], scratch);
      rmSync(join(scratch, 'x.npy'), { force: true });
      const sae = ['--windows', '100000', '--iterations', '20', '--hidden', '25', '--outputs', scratch, '--quiet'];
      const train = runCli(['train-sae', '--audio', c.dir, ...sae], scratch);
      const h = (c.seconds / 3600).toFixed(1);
      lines.push(`corpus ${h} h  features:  ${fmt(features, c.seconds)}`);
      lines.push(`corpus ${h} h  features, the 16-bit WAV files alone (${(c.wavSeconds / 3600).toFixed(1)} h):  ${fmt(featuresWav, c.wavSeconds)}`);
      lines.push(`corpus ${h} h  train-sae (100,000 windows, 20 L-BFGS iterations, 25 hidden): ${fmt(train, c.seconds)}`);
      const classify = runCli(['self-taught', '--audio', c.dir, '--labels', 'folders', '--split', 'random', ...sae], scratch);
      lines.push(`corpus ${h} h  self-taught (same autoencoder; every recording encoded, pooled, softmax): ${fmt(classify, c.seconds)}`);
      return { c, features, featuresWav, train, classify };
    });
    if (results.length >= 2) {
      const [a, b] = [results[0], results[results.length - 1]];
      const dur = ratio(a.c.seconds, b.c.seconds);
      lines.push(
        `corpus ${(a.c.seconds / 3600).toFixed(1)} h -> ${(b.c.seconds / 3600).toFixed(1)} h (${dur} the audio): features wall ${ratio(a.features.wall, b.features.wall)}, ` +
          `CPU ${ratio(a.features.cpu, b.features.cpu)}, peak RSS ${ratio(a.features.rssMb, b.features.rssMb)}; train-sae wall ${ratio(a.train.wall, b.train.wall)}, ` +
          `CPU ${ratio(a.train.cpu, b.train.cpu)}, peak RSS ${ratio(a.train.rssMb, b.train.rssMb)}` +
          `; self-taught wall ${ratio(a.classify.wall, b.classify.wall)}, peak RSS ${ratio(a.classify.rssMb, b.classify.rssMb)}`,
      );
      const rssOk = b.train.rssMb <= 1024 && b.train.rssMb <= 1.1 * a.train.rssMb;
      lines.push(
        `corpus: self-taught peak RSS ${Math.round(a.classify.rssMb)} MB at ${(a.c.seconds / 3600).toFixed(1)} h, ${Math.round(b.classify.rssMb)} MB at ${(b.c.seconds / 3600).toFixed(1)} h ` +
          `(${((b.classify.rssMb / a.classify.rssMb - 1) * 100).toFixed(1)}%; no target: it holds the training windows, the spectrograms up to the audio set's 256 MB, one group of recordings being encoded and one vector per recording)`,
      );
      lines.push(
        `corpus target: train-sae peak RSS <= 1 GB at 20 h and within 10% of 2 h (here ${(b.c.seconds / 3600).toFixed(1)} h against ${(a.c.seconds / 3600).toFixed(1)} h): ${Math.round(b.train.rssMb)} MB vs ${Math.round(a.train.rssMb)} MB (${((b.train.rssMb / a.train.rssMb - 1) * 100).toFixed(1)}%): ${rssOk ? 'met' : 'NOT met'}`,
      );
    }
    for (const r of results) {
      const perCore = r.c.wavSeconds / r.featuresWav.cpu;
      lines.push(
        `corpus target: features >= 1000x real time per core on 16-bit WAV (${(r.c.wavSeconds / 3600).toFixed(1)} h, CLI start-up included): ${Math.round(perCore)}x: ${perCore >= 1000 ? 'met' : 'NOT met'}` +
          ` (with ${Math.round((100 * r.c.flac * CHUNK_SECONDS) / r.c.seconds)}% FLAC: ${Math.round(r.c.seconds / r.features.cpu)}x)`,
      );
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchCorpus()) console.log(line);
