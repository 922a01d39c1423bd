/**
 * The run's page (sfl export --web, served as sfl serve serves it) in Debian's chromium, driven by
 * playwright-core. A tiny self-taught run is trained on a few FSDD recordings; then
 *  - recordings dropped on the page (a WAV at the run's rate, a stereo FLAC and an Opus file that
 *    the page decodes and resamples, long enough to be labelled segment by segment) get the labels
 *    and probabilities `sfl classify` prints for the same files, within 1e-3, segments included;
 *  - a long recording is shown as a figure on one time axis (spectrogram across the width, a label
 *    strip in the classes' colours, ticks in seconds) with a table of runs of one label, every
 *    segment's detail folded away, and times that never print alike (a 2.48 s file's last segment starts at 1.48 s, beside one at 1.50 s);
 *    zoomed in, the figure scrolls sideways and a run clicked in the table is scrolled into view;
 *    the filters' picture is shown unshrunk, scrolling sideways when wider than the page;
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
import { classColor } from '../../src/viz/timeline.ts';
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
    expect(await page.locator('#results canvas.figure').count()).toBe(DROPPED.length);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a long recording as a timeline: a label strip and time axis under the spectrogram, a table of runs, distinct times', async () => {
    const { page, errors } = await open();
    // Two digits, each padded to exactly one hop (0.5 s) and looped: every segment wholly inside a
    // part hears the same sound, so it gets the same label whatever the model (few runs, many
    // segments). And a 2.48 s file: segments at 0, 0.5 and 1 s, and the 0.48 s tail covered by a
    // last full segment at 1.48 s, which one decimal would print like the one at 1.5 s.
    const rate = 8000;
    const padded = async (name: string, n: number) => {
      const out = new Float32Array(n);
      const s = (await readAudio(join(ROOT, 'audio/fsdd/recordings', name))).samples;
      out.set(s.subarray(0, n));
      return out;
    };
    const a = await padded('3_jackson_0.wav', rate / 2), b = await padded('7_jackson_3.wav', rate / 2);
    const long = new Float32Array(20 * (rate / 2));
    for (let i = 0; i < 20; i++) long.set(i < 10 ? a : b, i * (rate / 2));
    const files = [
      { name: 'looped.wav', bytes: [...encodeWavPcm16(long, rate)] },
      { name: 'uneven.wav', bytes: [...encodeWavPcm16(await padded('5_jackson_1.wav', Math.round(2.48 * rate)), rate)] },
    ];
    // A page narrower than the filters' picture.
    await page.setViewportSize({ width: 640, height: 800 });
    await page.evaluate((fs) => {
      const dt = new DataTransfer();
      for (const f of fs) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
    await page.waitForFunction(() => window.sfl.files.length === 2 && window.sfl.files.every((f) => f.drawMs !== undefined || f.error !== undefined));
    const got = await page.evaluate(() => window.sfl.files);
    expect(got.map((f) => f.error)).toEqual([undefined, undefined]);
    const cards = page.locator('#results article');

    for (const [i, f] of got.entries()) {
      const card = cards.nth(got.length - 1 - i); // the newest card is on top
      const segs = f.segments!, runs = f.runs!, fig = f.figure!;
      expect(segs.length, f.file).toBe(f.file === 'looped.wav' ? 19 : 4);
      // Runs: consecutive segments with one label merged, tiling the recording.
      expect(runs.reduce((n, r) => n + r.count, 0)).toBe(segs.length);
      runs.forEach((r, k) => {
        expect(segs.slice(r.first, r.first + r.count).every((s) => s.label === r.label)).toBe(true);
        if (k > 0) expect(r.label).not.toBe(runs[k - 1].label);
        expect(r.start).toBe(k === 0 ? 0 : runs[k - 1].end);
      });
      expect(runs[runs.length - 1].end).toBeCloseTo(f.seconds!, 9);
      if (f.file === 'looped.wav') expect(runs.length).toBeLessThanOrEqual(3);
      const runRows = await card.locator('table.runs tr:has(td)').allInnerTexts();
      expect(runRows).toHaveLength(runs.length);
      runRows.forEach((text, k) => expect(text).toContain(runs[k].label));
      // Every segment: folded away, one row each once opened, no two printed alike.
      const detail = card.locator('details.segment-detail');
      expect(await detail.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      await detail.locator('summary').click();
      await detail.locator('table.segments').waitFor();
      const times = await detail.locator('table.segments tr:has(td) td:first-child').allInnerTexts();
      expect(times).toHaveLength(segs.length);
      expect(new Set(times).size, `${f.file}: ${times.join(', ')}`).toBe(segs.length);
      if (f.file === 'uneven.wav') expect(times).toEqual(['0.00–1.00', '0.50–1.50', '1.00–2.00', '1.48–2.48']);

      // The figure, read back from its pixels.
      const pixel = (x: number, y: number) =>
        card.locator('canvas.figure').evaluate((c, [x, y]) => [...(c as HTMLCanvasElement).getContext('2d')!.getImageData(Math.round(x * devicePixelRatio), Math.round(y * devicePixelRatio), 1, 1).data.slice(0, 3)], [x, y]);
      const white = (p: number[]) => p.every((v) => v > 245);
      // The spectrogram spans the whole time axis, first frame to last.
      const mid = fig.spectrogram.top + fig.spectrogram.height / 2;
      expect(white(await pixel(fig.left + 1, mid))).toBe(false);
      expect(white(await pixel(fig.left + fig.width - 1, mid))).toBe(false);
      expect(white(await pixel(fig.left + fig.width + 3, mid))).toBe(true);
      // The label strip: each run's middle in its class's colour, paler when less sure.
      for (const r of runs) {
        const t = (r.start + r.end) / 2;
        const seg = [...segs].reverse().find((s) => s.start <= t)!; // the strip shows the latest segment begun by then
        const p = seg.probabilities[DIGITS.indexOf(seg.label)];
        const want = classColor(DIGITS, seg.label).map((c) => 255 + (c - 255) * (0.25 + 0.75 * p));
        const x = fig.left + (fig.width * t) / f.seconds!;
        const at = await pixel(x, fig.strip!.top + fig.strip!.height / 2);
        at.forEach((v, k) => expect(Math.abs(v - want[k]), `${f.file} run ${r.label} at ${t} s`).toBeLessThanOrEqual(3));
      }
      // The time axis: ticks from 0 to the end in round steps of seconds, each drawn.
      const ticks = fig.axis.ticks;
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks[0]).toMatchObject({ seconds: 0 });
      expect(ticks[ticks.length - 1].seconds).toBeGreaterThan(f.seconds! * 0.8);
      expect(new Set(ticks.map((t) => t.label)).size).toBe(ticks.length);
      for (const t of ticks) expect(Math.max(...(await pixel(t.x, fig.axis.top + 3))), `tick ${t.label}`).toBeLessThan(120);
      // Between two ticks the tick row is blank.
      expect(white(await pixel((ticks[0].x + ticks[1].x) / 2, fig.axis.top + 3))).toBe(true);
    }

    // Zoomed in, the long recording's figure is drawn at that many pixels a second and scrolls
    // sideways; a click on a run of the table brings it into view.
    const looped = cards.filter({ hasText: 'looped.wav' });
    await looped.locator('.zoom button', { hasText: '100 px/s' }).click();
    const zoomed = await page.evaluate(() => window.sfl.files[0].figure!);
    expect(zoomed.width).toBe(100 * got[0].seconds!);
    const box = looped.locator('.figure-box');
    expect(await box.evaluate((b) => b.scrollWidth > b.clientWidth)).toBe(true);
    const lastRun = got[0].runs![got[0].runs!.length - 1];
    await looped.locator('table.runs tr:has(td)').last().click();
    const view = await box.evaluate((b) => ({ scroll: b.scrollLeft, width: b.clientWidth }));
    const runX = zoomed.left + 100 * lastRun.start;
    expect(runX).toBeGreaterThanOrEqual(view.scroll + zoomed.left);
    expect(runX).toBeLessThan(view.scroll + view.width);

    // The filters' picture at whole pixels, not shrunk to the page; the page scrolls it sideways.
    const img = page.locator('#filters img');
    const size = await img.evaluate((i) => ({ natural: (i as HTMLImageElement).naturalWidth, shown: i.getBoundingClientRect().width, box: i.parentElement!.clientWidth, scroll: i.parentElement!.scrollWidth }));
    expect(size.natural).toBeGreaterThan(size.box);
    expect(size.shown).toBeGreaterThanOrEqual(size.natural);
    expect(size.scroll).toBeGreaterThan(size.box);
    await page.click('#filters .zoom button:has-text("fit")');
    expect(await img.evaluate((i) => i.getBoundingClientRect().width <= i.parentElement!.clientWidth)).toBe(true);
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
