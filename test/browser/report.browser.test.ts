/**
 * report.html in a real browser: Debian's chromium driven by playwright-core (no browser
 * download). Two tiny real runs, MNIST and audio, are made with `sfl run`; each page must load
 * from file:// with no console errors, fetch nothing but itself, and show every image. The audio
 * run classifies (a deliberately weak model, so some recordings are misclassified): its page must
 * also score each class, play each misclassified recording and show its spectrogram, and list the
 * data and the skipped file, and draw a timeline of the segment predictions of its two long
 * recordings.
 * Skips, saying why, when /usr/bin/chromium is not installed (apt-get install -y chromium).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT, runCli } from '../cli/run-cli.ts';
import { decodeWav } from '../../src/audio/wav.ts';
import { encodeWavPcm16 } from '../../src/audio/wav-encode.ts';

// Debian's chromium; SFL_CHROMIUM points elsewhere (or at nothing, to check the skip).
const CHROMIUM = process.env.SFL_CHROMIUM || '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`browser tests skipped: no ${CHROMIUM} (install it with: apt-get install -y chromium)`);

/** A recording said `times` times with half a second of silence after each: a long recording. */
function repeatWithPauses(path: string, times: number): Float32Array {
  const { samples } = decodeWav(readFileSync(path), path);
  const gap = 4000;
  const out = new Float32Array(times * (samples.length + gap));
  for (let i = 0; i < times; i++) out.set(samples, i * (samples.length + gap));
  return out;
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!HAVE_CHROMIUM)('report.html in chromium', () => {
  let tmp: string;
  let outputs: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sfl-browser-'));
    outputs = join(tmp, 'outputs');
    // A few recordings of every digit; indices 0-4 go to the official test split, the rest train.
    // And a file that is not audio, which the run must skip and the report must say so.
    const audio = join(tmp, 'audio');
    mkdirSync(audio);
    for (let d = 0; d < 10; d++) for (const i of [0, 1, 10, 11, 12]) copyFileSync(join(ROOT, `audio/fsdd/recordings/${d}_george_${i}.wav`), join(audio, `${d}_george_${i}.wav`));
    writeFileSync(join(audio, 'notes.txt'), 'not a recording');
    // Two long test recordings (index 2: test split), each a digit said five times with pauses:
    // the run classifies them segment by segment and the report draws a timeline for each.
    for (const d of [3, 7]) writeFileSync(join(audio, `${d}_george_2.wav`), encodeWavPcm16(repeatWithPauses(join(ROOT, `audio/fsdd/recordings/${d}_george_2.wav`), 5), 8000));
    const env = { SFL_CACHE_DIR: join(tmp, 'cache') };
    const mnist = runCli(
      ['run', 'configs/mnist-sae.json', '--set', `data.mnistDir=${join(ROOT, 'test/fixtures/mnist')}`, 'data.count=100', 'sae.hidden=16', 'sae.maxIter=5', '--outputs', outputs, '--name', 'mnist', '--quiet'],
      env,
    );
    expect(mnist.code, mnist.stderr).toBe(0);
    const sound = runCli(
      ['run', 'configs/fsdd-self-taught.json', '--set', `data.audioDir=${audio}`, 'windows.count=300', 'sae.hidden=4', 'sae.maxIter=3', 'softmax.maxIter=10', '--outputs', outputs, '--name', 'audio', '--quiet'],
      env,
    );
    expect(sound.code, sound.stderr).toBe(0);
    // A fresh profile each time, so nothing a previous run cached can hide a problem.
    browser = await chromium.launchPersistentContext(join(tmp, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens a run's report; returns the page and the problems seen while loading it. */
  async function open(run: string) {
    const page = await browser.newPage();
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!/^(file|data):/.test(r.url())) foreign.push(r.url());
    });
    await page.goto(pathToFileURL(join(outputs, run, 'report.html')).href, { waitUntil: 'load' });
    return { page, errors, foreign };
  }

  async function images(page: Awaited<ReturnType<typeof open>>['page']) {
    return page.$$eval('img', (imgs) =>
      imgs.map((i) => ({ src: i.src.slice(0, 22), alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth, shownWidth: i.getBoundingClientRect().width })),
    );
  }

  it('MNIST run: loads cleanly, shows the filters large, the cost curve and the metrics', async () => {
    const { page, errors, foreign } = await open('mnist');
    const imgs = await images(page);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    expect(imgs.length).toBeGreaterThanOrEqual(2);
    for (const i of imgs) {
      expect(i.src).toBe('data:image/png;base64,');
      expect(i.complete && i.naturalWidth > 0, i.alt).toBe(true);
    }
    // The filter grid is enlarged so 28 x 28 tiles can be read.
    const grid = imgs.find((i) => i.alt.startsWith('Learned filters'))!;
    expect(grid.shownWidth).toBeGreaterThan(2 * grid.naturalWidth);
    expect(await page.textContent('table.metrics')).toMatch(/Final cost/);
    expect(await page.textContent('body')).toMatch(/sae/);
    await page.close();
  });

  it('audio run: per-class scores, the misclassified recordings playable with their spectrograms, the data and what was skipped', async () => {
    const { page, errors } = await open('audio');
    expect(errors).toEqual([]);
    expect(await page.$$eval('table.classes tr', (rows) => rows.length)).toBe(11); // header + 10 digits
    const mistakes = await page.$$eval('table.mistakes tr', (rows) => rows.length - 1);
    expect(mistakes).toBeGreaterThan(0);
    // Every player can play its recording: the browser decodes the embedded WAV's header.
    const audio = await page.$$eval('table.mistakes audio', (els) =>
      Promise.all(
        (els as HTMLAudioElement[]).map(
          (a) =>
            new Promise<{ playable: string; duration: number; error: number | null }>((done) => {
              const report = () => done({ playable: a.canPlayType('audio/wav'), duration: a.duration, error: a.error?.code ?? null });
              if (a.readyState >= 1) report();
              else {
                a.addEventListener('loadedmetadata', report, { once: true });
                a.addEventListener('error', report, { once: true });
                a.load();
              }
            }),
        ),
      ),
    );
    expect(audio).toHaveLength(mistakes);
    for (const a of audio) {
      expect(a.error).toBeNull();
      expect(a.playable).not.toBe('');
      expect(a.duration).toBeGreaterThan(0.1);
    }
    const specs = await page.$$eval('table.mistakes img.spec', (imgs) => (imgs as HTMLImageElement[]).map((i) => i.complete && i.naturalWidth > 0));
    expect(specs).toEqual(Array(mistakes).fill(true));
    expect(await page.textContent('table.data')).toMatch(/all\s*30\s*22/);
    expect(await page.textContent('ul.skipped')).toMatch(/notes\.txt: not an audio file/);
    await page.close();
  });

  it('audio run: a timeline of segment predictions for each long recording, its image decoded', async () => {
    const { page, errors } = await open('audio');
    expect(errors).toEqual([]);
    const timelines = (await images(page)).filter((i) => i.alt.startsWith('timeline of segment predictions'));
    expect(timelines.map((i) => i.alt).sort()).toEqual(['timeline of segment predictions of 3_george_2.wav', 'timeline of segment predictions of 7_george_2.wav']);
    for (const t of timelines) {
      expect(t.complete && t.naturalWidth > 0, t.alt).toBe(true);
      expect(t.shownWidth).toBeGreaterThan(100);
    }
    await page.close();
  });

  it('audio run: the spectro-temporal filters have time and frequency axes', async () => {
    const { page, errors, foreign } = await open('audio');
    const imgs = await images(page);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    for (const i of imgs) expect(i.complete && i.naturalWidth > 0, i.alt).toBe(true);
    const axes = imgs.find((i) => /time \(ms\)/.test(i.alt) && /frequency \(Hz\)/.test(i.alt));
    expect(axes, JSON.stringify(imgs.map((i) => i.alt))).toBeDefined();
    const text = (await page.textContent('body')) ?? '';
    expect(text).toMatch(/frequency \(Hz\) and time \(ms\) axes/);
    // The config is there, folded away until opened.
    await page.click('summary');
    expect(await page.isVisible('pre.config')).toBe(true);
    await page.close();
  });
});
