/**
 * The page in the browser (`npm run bench -- --only web`), in headless chromium (Debian's, driven
 * by playwright-core), on a run of the default pipeline's size (200 features of 4 x 40-band mel
 * windows, meanmax pooling over 3 segments; trained for a few iterations only: the speed does not
 * depend on how well it was trained):
 *  - time until the page is interactive when served locally (sfl serve's server on 127.0.0.1):
 *    from navigation start to the model loaded and the drop zone live; median of 5 fresh loads.
 *    Target < 2 s.
 *  - classification speed for 8 kHz speech: a 60 s recording (FSDD digits end to end) dropped on
 *    the page, decoded, classified whole and in 1 s segments every 0.5 s as `sfl classify` does;
 *    seconds of audio per second of wall time, median of 3. Target >= 50x real time. The peer: the same work in
 *    Node (decode, classifyRecordings) in the same run, after the same warm-up file as the page.
 *
 * Run alone: npx tsx bench/web.ts
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { readAudio } from '../src/audio/decode.ts';
import { encodeWavPcm16 } from '../src/audio/wav-encode.ts';
import { serveFolder } from '../src/cli/static-server.ts';
import { initBackend } from '../src/compute/backend.ts';
import { classifyRecordings } from '../src/pipeline/classify-recordings.ts';
import { loadTrainedRun } from '../src/pipeline/trained-run.ts';
import { writeWebSite } from '../src/pipeline/web-site.ts';
import { setQuiet } from '../src/util/progress.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.SFL_CHROMIUM || '/usr/bin/chromium';
const SECONDS = 60;
/** Timed classifications of the 60 s recording, page and Node each: the median is printed (the machine's load varies between runs). */
const TIMED = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchWeb(): Promise<string[]> {
  if (!existsSync(CHROMIUM)) return [`web: skipped, no ${CHROMIUM} (apt-get install -y chromium)`];
  const tmp = mkdtempSync(join(tmpdir(), 'sfl-bench-web-'));
  try {
    // A run of the default pipeline's size, trained briefly on 100 recordings.
    const audio = join(tmp, 'audio');
    mkdirSync(audio);
    const all = readdirSync(join(ROOT, 'audio/fsdd/recordings')).filter((n) => n.endsWith('.wav')).sort();
    for (const n of all.filter((_, i) => i % 25 === 0)) copyFileSync(join(ROOT, 'audio/fsdd/recordings', n), join(audio, n));
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', join(ROOT, 'configs/fsdd-self-taught.json'), '--set', `data.audioDir=${audio}`, 'windows.count=5000', 'sae.maxIter=5', 'softmax.maxIter=20', '--outputs', join(tmp, 'outputs'), '--name', 'bench', '--quiet'], { cwd: ROOT, env: { ...process.env, SFL_CACHE_DIR: join(tmp, 'cache') } });
    await initBackend();
    setQuiet(true);
    const run = await loadTrainedRun(join(tmp, 'outputs', 'bench'));
    const site = join(tmp, 'site');
    await writeWebSite(run, site);

    // 60 s of 8 kHz speech: the recordings end to end, as many times as it takes.
    const pieces: Float32Array[] = [];
    let length = 0;
    for (let i = 0; length < SECONDS * 8000; i++) {
      const s = (await readAudio(join(ROOT, 'audio/fsdd/recordings', all[(i * 37) % all.length]))).samples;
      pieces.push(s);
      length += s.length;
    }
    const long = new Float32Array(SECONDS * 8000);
    let at = 0;
    for (const p of pieces) {
      long.set(p.subarray(0, Math.min(p.length, long.length - at)), at);
      at += p.length;
      if (at >= long.length) break;
    }
    const wav = join(tmp, 'speech-60s.wav');
    writeFileSync(wav, encodeWavPcm16(long, 8000));

    const { server, url } = await serveFolder(site, 0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const ready: number[] = [];
      let speed = 0;
      let backend = '';
      for (let i = 0; i < 5; i++) {
        const context = await browser.newContext(); // nothing cached from the last load
        const page = await context.newPage();
        await page.goto(url);
        await page.waitForFunction(() => window.sfl?.ready || (window.sfl?.errors.length ?? 0) > 0, undefined, { timeout: 60_000 });
        const errors = await page.evaluate(() => window.sfl.errors);
        if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);
        ready.push((await page.evaluate(() => window.sfl.readyAfterMs))!);
        if (i === 4) {
          // A warm-up file, then the timed one TIMED times (the page's own clock: decode, whole file and segments).
          const files = [join(ROOT, 'audio/fsdd/recordings', all[0]), ...Array<string>(TIMED).fill(wav)];
          for (let n = 1; n <= files.length; n++) {
            await page.setInputFiles('#files', files[n - 1]);
            await page.waitForFunction((n) => window.sfl.files.length === n && (window.sfl.files[n - 1].label ?? window.sfl.files[n - 1].error) !== undefined, n, { timeout: 300_000 });
          }
          const timed = (await page.evaluate(() => window.sfl.files.slice(1)))!;
          for (const t of timed) if (t.error) throw new Error(t.error);
          speed = median(timed.map((t) => t.seconds! / (t.classifyMs! / 1000)));
          backend = await page.evaluate(() => window.sfl.backend);
        }
        await context.close();
      }
      // Node warmed up on the same file as the page first (its first call pays for compiling and setting up the kernels).
      await classifyRecordings(run, [join(ROOT, 'audio/fsdd/recordings', all[0])]);
      const nodeSpeeds: number[] = [];
      for (let i = 0; i < TIMED; i++) {
        const t0 = performance.now();
        await classifyRecordings(run, [wav]);
        nodeSpeeds.push(SECONDS / ((performance.now() - t0) / 1000));
      }
      const nodeSpeed = median(nodeSpeeds);
      const readyMs = median(ready);
      return [
        `web: page interactive ${readyMs.toFixed(0)} ms after navigation, served on 127.0.0.1 (median of 5 fresh loads; target < 2000 ms: ${readyMs < 2000 ? 'met' : 'NOT met'})`,
        `web: classifying a ${SECONDS} s 8 kHz speech recording in the page (decode, whole file, 1 s segments every 0.5 s; tfjs ${backend} backend; median of ${TIMED}): ${speed.toFixed(0)}x real time (target >= 50x: ${speed >= 50 ? 'met' : 'NOT met'}); peer, the same in Node (sfl classify's classifyRecordings): ${nodeSpeed.toFixed(0)}x, page/Node ${(speed / nodeSpeed).toFixed(2)}`,
      ];
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchWeb()) console.log(line);
  process.exit(0);
}
