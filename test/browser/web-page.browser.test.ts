/**
 * The run's page (sfl export --web, served as sfl serve serves it) in Debian's chromium, driven by
 * playwright-core. A tiny self-taught run is trained on a few FSDD recordings; then
 *  - recordings dropped on the page (a WAV at the run's rate, a stereo FLAC and an Opus file that
 *    the page decodes and resamples, long enough to be labelled segment by segment) get the labels
 *    and probabilities `sfl classify` prints for the same files, within 1e-3, segments included;
 *  - a WAV played as a fake microphone is captured, resampled and cut into segments: each segment's
 *    probabilities are a distribution equal (1e-3) to Node's classification of the very samples
 *    the page captured, and those samples are the WAV's sound (correlation with the file > 0.9).
 * Skips, saying why, when /usr/bin/chromium is not installed (apt-get install -y chromium).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readAudio } from '../../src/audio/decode.ts';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';
import { encodeWavPcm16 } from '../../src/audio/wav-encode.ts';
import { serveFolder } from '../../src/cli/static-server.ts';
import { initBackend } from '../../src/compute/backend.ts';
import { loadTrainedRun, type TrainedRun } from '../../src/pipeline/trained-run.ts';
import { ROOT, runCliAsync } from '../cli/run-cli.ts';

const CHROMIUM = process.env.SFL_CHROMIUM || '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`browser tests skipped: no ${CHROMIUM} (install it with: apt-get install -y chromium)`);

const TOLERANCE = 1e-3;
const DROPPED = [join(ROOT, 'audio/fsdd/recordings/3_jackson_0.wav'), join(ROOT, 'test/fixtures/audio/speech-stereo.flac'), join(ROOT, 'test/fixtures/audio/speech.opus')];

interface Segment {
  start: number;
  end: number;
  label: string;
  probabilities: number[];
}
interface Top {
  label: string;
  probability: number;
}
const DIGITS = Array.from({ length: 10 }, (_, d) => String(d));
interface ClassifyLine extends Segment {
  file: string;
  seconds: number;
  segments: Segment[];
}

function expectClose(got: readonly number[], want: readonly number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
  expect(worst, `${what}: largest difference`).toBeLessThan(TOLERANCE);
}

/** Largest normalised correlation of `segment` with any stretch of `signal` (both centred). */
function bestCorrelation(segment: Float32Array, signal: Float32Array): number {
  const centre = (x: Float32Array) => {
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    return x.map((v) => v - m);
  };
  const a = centre(segment), b = centre(signal);
  const na = Math.sqrt(a.reduce((s, v) => s + v * v, 0));
  let best = 0;
  for (let lag = 0; lag + a.length <= b.length; lag++) {
    let dot = 0, nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i] * b[lag + i];
      nb += b[lag + i] * b[lag + i];
    }
    if (nb > 0) best = Math.max(best, dot / (na * Math.sqrt(nb)));
  }
  return best;
}

describe.skipIf(!HAVE_CHROMIUM)('the run\'s page in chromium', () => {
  let tmp: string;
  let runDir: string;
  let run: TrainedRun;
  let server: Server;
  let url: string;
  let browser: Browser;
  let micWav: string;
  const reference = new Map<string, ClassifyLine>();

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sfl-web-'));
    const audio = join(tmp, 'audio');
    mkdirSync(audio);
    for (let d = 0; d < 10; d++) for (const i of [0, 1, 10, 11, 12, 13]) copyFileSync(join(ROOT, `audio/fsdd/recordings/${d}_george_${i}.wav`), join(audio, `${d}_george_${i}.wav`));
    const outputs = join(tmp, 'outputs');
    const env = { SFL_CACHE_DIR: join(tmp, 'cache') };
    const trained = await runCliAsync(
      ['run', 'configs/fsdd-self-taught.json', '--set', `data.audioDir=${audio}`, 'windows.count=500', 'sae.hidden=16', 'sae.maxIter=20', 'softmax.maxIter=50', '--outputs', outputs, '--name', 'web', '--quiet'],
      env,
    );
    expect(trained.code, trained.stderr).toBe(0);
    runDir = join(outputs, 'web');
    const site = join(tmp, 'site');
    const exported = await runCliAsync(['export', runDir, '--web', site], env);
    expect(exported.code, exported.stderr).toBe(0);
    // Every class's probability (--top 10 of the 10 digits), put back in class order.
    const classified = await runCliAsync(['classify', runDir, ...DROPPED, '--json', '--top', '10'], env);
    expect(classified.code, classified.stderr).toBe(0);
    const inOrder = (top: Top[]) => DIGITS.map((d) => top.find((t) => t.label === d)!.probability);
    for (const line of classified.stdout.trim().split('\n')) {
      const j = JSON.parse(line) as Omit<ClassifyLine, 'probabilities' | 'segments'> & { top: Top[]; segments: (Omit<Segment, 'probabilities'> & { top: Top[] })[] };
      reference.set(basename(j.file), { ...j, probabilities: inOrder(j.top), segments: j.segments.map((s) => ({ ...s, probabilities: inOrder(s.top) })) });
    }
    expect(reference.size).toBe(DROPPED.length);

    // The fake microphone: a spoken digit and half a second of silence, looped by chromium.
    const digit = (await readAudio(join(ROOT, 'audio/fsdd/recordings/7_jackson_3.wav'))).samples;
    const mic = new Float32Array(digit.length + 4000);
    mic.set(digit);
    micWav = join(tmp, 'mic.wav');
    writeFileSync(micWav, encodeWavPcm16(mic, 8000));

    await initBackend();
    run = await loadTrainedRun(runDir);
    ({ server, url } = await serveFolder(site, 0));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${micWav}`],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => window.sfl?.ready || (window.sfl?.errors.length ?? 0) > 0);
    expect(await page.evaluate(() => window.sfl.errors)).toEqual([]);
    // The networks run on TensorFlow.js's WebAssembly backend, its binaries served beside the page.
    expect(await page.evaluate(() => window.sfl.backend)).toBe('wasm');
    // index.html announces what the page fetches before it is interactive (pipeline/web-site.ts),
    // so it all loads at once: each announced file was fetched exactly once, i.e. the page used
    // the preloaded response (one announced with other request settings is fetched twice).
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    const announced = await page.evaluate(() => [...document.querySelectorAll<HTMLLinkElement>('link[rel=preload], link[rel=modulepreload]')].map((l) => new URL(l.href).pathname));
    expect(announced).toEqual(expect.arrayContaining(['/tfjs-wasm/tfjs-backend-wasm-simd.wasm', '/model/frontend.json', '/model/encoder/weights.bin', '/model/classifier/weights.bin']));
    for (const path of announced) expect(fetched.filter((f) => f === path), `${path} fetched once`).toHaveLength(1);
    return { page, errors };
  }

  it('labels dropped files as sfl classify does, segments over time included', async () => {
    const { page, errors } = await open();
    // A real drop: the files' bytes in a DataTransfer, dropped on the drop zone.
    const files = DROPPED.map((p) => ({ name: basename(p), bytes: [...readFileSync(p)] }));
    await page.evaluate((fs) => {
      const dt = new DataTransfer();
      for (const f of fs) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
    await page.waitForFunction((n) => window.sfl.files.filter((f) => f.label !== undefined || f.error !== undefined).length === n, DROPPED.length);
    const got = await page.evaluate(() => window.sfl.files);
    expect(got.map((f) => f.error)).toEqual(DROPPED.map(() => undefined));
    let segmented = 0;
    for (const f of got) {
      const want = reference.get(f.file)!;
      expect(f.label, f.file).toBe(want.label);
      expectClose(f.probabilities!, want.probabilities, f.file);
      expect(f.seconds).toBeCloseTo(want.seconds, 6);
      expect(f.segments!.length, `${f.file}: segments`).toBe(want.segments.length);
      f.segments!.forEach((s, i) => {
        expect([s.start, s.end, s.label]).toEqual([want.segments[i].start, want.segments[i].end, want.segments[i].label]);
        expectClose(s.probabilities, want.segments[i].probabilities, `${f.file} segment ${i}`);
      });
      if (f.segments!.length > 1) segmented++;
    }
    // The FLAC is long enough to be labelled over time, and the page drew that.
    expect(segmented).toBeGreaterThan(0);
    expect(await page.locator('#results canvas').count()).toBe(DROPPED.length + segmented);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('classifies the microphone segment by segment, as Node classifies the captured samples', async () => {
    const { page, errors } = await open();
    await page.click('#mic');
    await page.waitForFunction(() => window.sfl.live.length >= 3 || window.sfl.errors.length > 0, undefined, { timeout: 60_000 });
    const live = await page.evaluate(() => window.sfl.live.slice(0, 3));
    expect(await page.evaluate(() => window.sfl.errors)).toEqual([]);
    const file = (await readAudio(micWav)).samples;
    const looped = new Float32Array(file.length * 4);
    for (let k = 0; k < 4; k++) looped.set(file, k * file.length);
    const params = run.input.kind === 'audio' ? run.input.spectrum : null;
    expect(params).not.toBeNull();
    live.forEach((s, i) => {
      const samples = Float32Array.from(s.samples);
      expect(samples.length).toBe(params!.sampleRate); // one second at the run's rate
      expect(s.start).toBeCloseTo(i * 0.5, 9);
      const sum = s.probabilities.reduce((a, p) => a + p, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      expect(s.probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
      const node = run.classify([spectrogram(samples, params!)]);
      expect(s.label).toBe(run.classNames![node.labels[0]]);
      expectClose(s.probabilities, Array.from(node.probs.data), `live segment ${i}`);
      // What was classified is the WAV played as the microphone, through the browser's capture and our resampler.
      // (The second half of each segment: the first can begin before the fake device starts playing.)
      expect(bestCorrelation(samples.subarray(samples.length / 2), looped)).toBeGreaterThan(0.9);
    });
    expect(errors).toEqual([]);
    await page.close();
  });
});
