import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Preprocessor } from '../../src/features/preprocess.ts';
import { initParams } from '../../src/models/sae/sparse-autoencoder.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { writeReport } from '../../src/pipeline/report.ts';
import { RunDir } from '../../src/pipeline/run-dir.ts';
import { listRuns, runHeadline, readRun } from '../../src/pipeline/run-summary.ts';
import { saveSaeModel } from '../../src/models/sae/saved-model.ts';
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
    input: { kind: 'spectro-temporal', frames: K, bands: B, spectrum: { transform: 'mel', sampleRate: 8000, frameSize: 256, hop: 128, window: 'hann', center: false, bands: B, fMin: 0, fMax: 4000, log: true, power: true, coefficients: 13 } as never, bandHz: [100, 300, 600, 1000, 1800, 3000] },
    preprocessor,
    hyper: { hidden: HIDDEN, lambda: 0, beta: 0, rho: 0.1, decoder: 'sigmoid' },
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
    expect(html).toMatch(/<table class="metrics">\s*<tr><th scope="row">testAccuracy<\/th><td>91.25%<\/td>/);
    expect(html).toContain('sae.iterations');
    expect(html).not.toContain('>history<');
    // Filters first, then the rest.
    const titles = [...html.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]);
    expect(titles).toEqual(['Learned filters (filters.png)', 'Confusion matrix (confusion.png)']);
    expect(html).toMatch(/alt="one spectro-temporal patch per hidden unit, each row of tiles with a time \(ms\) axis across and a frequency \(Hz\) axis upwards/);
    expect(html).toContain('4 frames (16.0 ms apart) to the right, 6 bands upwards, low frequency at the bottom');
    expect(html).toMatch(/mean neighbour correlation -?\d\.\d\d for atoms, -?\d\.\d\d for filters/);
    // The report goes with the run when it is committed.
    const final = await run.commit();
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

describe('listRuns', () => {
  it('lists finished runs newest first with their headline numbers, and skips other folders', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sfl-runs-'));
    await (await fakeRun(root, 'a', { finalCost: 2.5 })).commit();
    await new Promise((r) => setTimeout(r, 5));
    await (await fakeRun(root, 'b', { test: { accuracy: 0.5 }, cost: 1 })).commit();
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
