import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSpectrumParams } from '../../src/audio/spectrogram.ts';
import { Preprocessor } from '../../src/features/preprocess.ts';
import { initParams } from '../../src/models/sae/sparse-autoencoder.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { changedNote, writeReport } from '../../src/pipeline/report.ts';
import { RunDir } from '../../src/pipeline/run-dir.ts';
import { listRuns, runHeadline, readRun } from '../../src/pipeline/run-summary.ts';
import { INPUTS_FILE, PREDICTIONS_FILE } from '../../src/pipeline/run-records.ts';
import { ROOT } from '../cli/run-cli.ts';
import { saveSaeModel } from '../../src/models/sae/saved-model.ts';
import { finishRun } from '../../src/pipeline/run-finish.ts';
import { encodePng } from '../../src/viz/png.ts';
import { createImage } from '../../src/viz/raster.ts';

const K = 4, B = 6, HIDDEN = 5;

/** A run folder written as an audio experiment would, without training anything. */
async function fakeRun(root: string, name: string, metrics: Record<string, unknown>) {
  const config = resolveConfig({ experiment: 'self-taught', description: 'a test run', run: { name, outputs: root } });
  const run = await RunDir.create({ command: 'self-taught', root, name, config, seed: 1, backend: 'test', versions: { tfjs: '0', node: '0' } });
  const X = { data: Float32Array.from({ length: 20 * K * B }, (_, i) => (i % 7) / 7), rows: 20, cols: K * B };
  const preprocessor = new Preprocessor({ normalise: 'none', whitening: { kind: 'none', epsilon: 0.1, retainVariance: 1 } });
  preprocessor.fit(X);
  await saveSaeModel(run.path('model/sae'), {
    input: { kind: 'spectro-temporal', frames: K, bands: B, spectrum: { ...defaultSpectrumParams(8000), bands: B }, bandHz: [100, 300, 600, 1000, 1800, 3000] },
    preprocessor,
    hyper: { hidden: HIDDEN, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'sigmoid' },
    theta: Float64Array.from(initParams(K * B, HIDDEN, 1)),
  });
  await run.writeFile('filters.png', encodePng(createImage(30, 20)));
  await run.writeFile('confusion.png', encodePng(createImage(12, 12)));
  await run.writeJson('metrics.json', metrics);
  return run;
}

describe('writeReport', () => {
  it('builds the page from a staging folder, the audio filters captioned from the model', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sfl-report-'));
    const run = await fakeRun(root, 'st', { testAccuracy: 0.9125, finalCost: 0.25, history: [1, 2, 3], sae: { iterations: 7 } });
    const path = await writeReport(run.stagingPath);
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('<title>sfl run st</title>');
    expect(html).toContain('a test run');
    // Accuracy first and as a percentage; nested metrics flattened; histories left out.
    expect(html).toMatch(/<table class="metrics">\s*<tr><th scope="row" title="testAccuracy">Test accuracy<\/th><td>91.25%<\/td>/);
    expect(html).toContain('Sparse autoencoder: iterations');
    expect(html).not.toContain('>history<');
    // Filters first, then the rest.
    const titles = [...html.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]);
    expect(titles).toEqual(['Learned filters (filters.png)', 'Confusion matrix (confusion.png)']);
    expect(html).toMatch(/alt="one spectro-temporal patch per hidden unit, each row of tiles with a time \(ms\) axis across and a frequency \(Hz\) axis upwards/);
    expect(html).toContain('4 frames (16.0 ms apart) to the right, 6 bands upwards, low frequency at the bottom');
    expect(html).toMatch(/mean neighbour correlation -?\d\.\d\d for atoms, -?\d\.\d\d for filters/);
    // The report goes with the run when it is committed.
    const final = await run.commit(finishRun);
    expect(readFileSync(join(final, 'report.html'), 'utf8')).toBe(html);
  });

  it('lists a figure it cannot show instead of failing the run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sfl-report-'));
    const run = await fakeRun(root, 'damaged', {});
    await run.writeFile('broken.png', 'not an image');
    await run.writeFile('model/sae/weights.bin', new Uint8Array(3));
    const html = readFileSync(await writeReport(run.stagingPath), 'utf8');
    expect(html).toContain('<li>broken.png: not a PNG image</li>');
    expect(html).toMatch(/<li>could not read the autoencoder in model\/sae: [^<]*weights.bin/);
    expect(html).toContain('Learned filters (filters.png)');
    await run.abort();
  });

  it('says what is wrong with a folder that is not a run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfl-report-'));
    await expect(writeReport(dir)).rejects.toThrow(/not a run folder \(it has no run.json\)/);
  });
});

describe('writeReport: what a user asks of a classification run', () => {
  it('names metrics in words, scores each class, lists the mistakes with a player and a spectrogram, and summarises the data', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sfl-report-'));
    const run = await fakeRun(root, 'cls', { testAccuracy: 0.5, beforeFineTune: { train: { accuracy: 0.75 } } });
    const wav = (n: string) => join(ROOT, 'audio/fsdd/recordings', n);
    const test = [
      { path: wav('0_george_0.wav'), label: '0', predicted: '0', confidence: 0.9 },
      { path: wav('1_george_0.wav'), label: '1', predicted: '0', confidence: 0.6 },
      { path: wav('1_george_1.wav'), label: '1', predicted: '0', confidence: 0.8 },
      { path: wav('0_george_1.wav'), label: '0', predicted: '0', confidence: 0.7 },
    ];
    await run.writeJson(PREDICTIONS_FILE, { split: 'official', classNames: ['0', '1'], test });
    await run.writeJson(INPUTS_FILE, {
      dir: join(ROOT, 'audio/fsdd/recordings'),
      notes: [],
      used: [],
      skipped: [{ path: 'x/notes.txt', reason: 'not a .wav file' }],
      hidden: 0,
      splits: [{ name: 'official', train: 90, test: 10, classes: [{ label: '0', train: 45, test: 5 }, { label: '1', train: 45, test: 5 }] }],
    });
    const html = readFileSync(await writeReport(run.stagingPath), 'utf8');
    expect(html).toContain('<th scope="row" title="beforeFineTune.train.accuracy">Before fine-tuning: training accuracy</th><td>75.00%</td>');
    // Class 0: 2 of 4 predictions right (precision 50%), both found (recall 100%); class 1 never predicted.
    expect(html).toMatch(/<tr><th scope="row">0<\/th><td>50.0%<\/td><td>100.0%<\/td><td>66.7%<\/td><td>2<\/td><\/tr>/);
    expect(html).toMatch(/<tr><th scope="row">1<\/th><td>-<\/td><td>0.0%<\/td><td>-<\/td><td>2<\/td><\/tr>/);
    // The two mistakes, most confident first, each with its sound and a spectrogram.
    expect(html).toContain('2 of 4 test recordings (official) were misclassified.');
    const rows = [...html.matchAll(/<tr><td class="file">([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => m.slice(1));
    expect(rows).toEqual([['1_george_1.wav', '1', '0', '80.0%'], ['1_george_0.wav', '1', '0', '60.0%']]);
    expect(html.match(/<audio controls preload="metadata" src="data:audio\/wav;base64,UklGR/g)).toHaveLength(2);
    expect(html.match(/<img class="spec" src="data:image\/png;base64,/g)).toHaveLength(2);
    // The data: files per class and split, and what was skipped and why.
    expect(html).toContain('90 training and 10 test recordings');
    expect(html).toContain('<li><code>x/notes.txt</code>: not a .wav file</li>');
  });

  it('draws a timeline for a recording classified segment by segment', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sfl-report-'));
    const run = await fakeRun(root, 'long', {});
    const segments = [0, 1, 2].map((i) => ({ start: i, end: i + 1, predicted: i === 1 ? 'b' : 'a', confidence: 0.9 }));
    await run.writeJson(PREDICTIONS_FILE, { split: 'official', classNames: ['a', 'b'], test: [{ path: '/nowhere/long.wav', label: 'a', predicted: 'a', confidence: 0.9, segments }] });
    const html = readFileSync(await writeReport(run.stagingPath), 'utf8');
    expect(html).toContain('<h3>Segment predictions (long.wav)</h3>');
    expect(html).toContain('None: all 1 test recordings');
  });
});

describe('listRuns', () => {
  it('lists finished runs newest first with their headline numbers, and skips other folders', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sfl-runs-'));
    await (await fakeRun(root, 'a', { finalCost: 2.5 })).commit(finishRun);
    await new Promise((r) => setTimeout(r, 5));
    await (await fakeRun(root, 'b', { test: { accuracy: 0.5 }, cost: 1 })).commit(finishRun);
    writeFileSync(join(root, 'notes.txt'), 'x');
    await fakeRun(root, 'unfinished', {}); // still staging: not listed
    const runs = listRuns(root);
    expect(runs.map((r) => r.name)).toEqual(['b', 'a']);
    expect(runs[0]).toMatchObject({ experiment: 'self-taught', command: 'self-taught', accuracy: 0.5, finalCost: 1 });
    expect(runs[1]).toMatchObject({ finalCost: 2.5, accuracy: null });
    expect(runs[1].seconds).toBeGreaterThanOrEqual(0);
    expect(runHeadline(readRun(join(root, 'a'))).name).toBe('a');
  });
});

describe("report.html's description of a run whose command line changed the config", () => {
  it('lists the changes, and nothing for flags that only name or place the run', () => {
    expect(changedNote(['run', 'configs/fsdd-conv-ae.json', '--set', 'data.audioDir=/x', 'convAe.pretrainEpochs=3', '--outputs', '/o', '--name', 'r', '--overwrite', '--quiet'])).toBe(
      " (Written for the config's own settings; this run changed: data.audioDir=/x convAe.pretrainEpochs=3.)",
    );
    expect(changedNote(['start', '--audio', '/my/sounds', '--quiet'])).toBe(" (Written for the config's own settings; this run changed: --audio /my/sounds.)");
    expect(changedNote(['start', '--quiet', '--name', 'start-now', '--overwrite'])).toBe('');
    expect(changedNote(['run', 'configs/fsdd-self-taught.json', '--name=x'])).toBe('');
  });
});
