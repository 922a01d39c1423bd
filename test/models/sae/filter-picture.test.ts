/**
 * The filter picture shows what is in the data: trained on the synthetic folder (steady tones at
 * known frequencies, rising and falling exponential sweeps, clicks), units appear at the tones'
 * frequencies and along the sweeps' slopes. Asserted on the measures of the very patches the
 * picture draws (filterPicture returns them), and checked to FAIL on the untrained model, so the
 * criteria are not met by any smooth random pattern.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/compute/backend.ts';
import { SYNTHETIC_DEFAULTS, writeSyntheticFolder } from '../../../src/data/synthetic-sounds.ts';
import { initParams } from '../../../src/models/sae/sparse-autoencoder.ts';
import { filterPicture, type FilterPicture } from '../../../src/models/sae/filter-picture.ts';
import { audioWindows } from '../../../src/pipeline/inputs.ts';
import { loadSpectra } from '../../../src/pipeline/spectra.ts';
import { trainSae } from '../../../src/models/sae/train.ts';

const dir = mkdtempSync(join(tmpdir(), 'sfl-synthetic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HIDDEN = 24;
const [lo, hi] = SYNTHETIC_DEFAULTS.sweepHz;
const SWEEP_OCTAVES_PER_SECOND = Math.log2(hi / lo) / SYNTHETIC_DEFAULTS.seconds; // 5.5

/** Units whose patch is one steady line at `hz`: most positive mass on the ridge, flat, at the tone's band. */
function toneUnits(p: FilterPicture, bandHz: number[], hz: number): number[] {
  return p.units!.filter((u) => {
    const m = p.measures![u];
    return m.ridgeShare >= 0.6 && Math.abs(m.octavesPerSecond) < 3 && Math.abs(Math.log2(bandHz[m.peakBand] / hz)) < 0.2;
  });
}

/** Units whose ridge runs at the sweep's rate (within a factor of 2), rising (sign 1) or falling (-1). */
function sweepUnits(p: FilterPicture, sign: 1 | -1): number[] {
  return p.units!.filter((u) => {
    const m = p.measures![u];
    const rate = sign * m.octavesPerSecond;
    return m.ridgeShare >= 0.45 && rate >= SWEEP_OCTAVES_PER_SECOND / 2 && rate <= 2 * SWEEP_OCTAVES_PER_SECOND;
  });
}

describe('filter pictures on known structure', () => {
  it('recover the tones and the sweep slopes of the synthetic folder', async () => {
    await initBackend();
    const paths = writeSyntheticFolder(dir, { perClass: 8 });
    const spectra = await loadSpectra(paths, { transform: 'mel', bands: 40, frameSize: 256, hop: 128 }, { cache: false });
    const { X, input } = audioWindows(spectra, { frames: 6, count: 5000, seed: 1 });
    const res = await trainSae(X, input, {
      preprocess: { normalise: 'standardise', whitening: { kind: 'zca', epsilon: 1, retainVariance: 1 } },
      hidden: HIDDEN, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'linear', maxIter: 150, seed: 1, workers: 1,
    });
    const bandHz = input.bandHz!;
    const trained = filterPicture(res.model);
    expect(trained.units).toHaveLength(HIDDEN);
    for (const hz of SYNTHETIC_DEFAULTS.tones) expect(toneUnits(trained, bandHz, hz), `a unit for the ${hz} Hz tone`).not.toHaveLength(0);
    expect(sweepUnits(trained, 1), 'units along the rising sweeps').not.toHaveLength(0);
    expect(sweepUnits(trained, -1), 'units along the falling sweeps').not.toHaveLength(0);
    // Sorted by peak frequency as the caption says.
    const peaks = trained.units!.map((u) => trained.measures![u].peakBand);
    expect(peaks).toEqual([...peaks].sort((a, b) => a - b));

    // The same criteria on the untrained model (same preprocessing, initial weights) find nothing.
    const untrained = filterPicture({ ...res.model, theta: initParams(res.model.preprocessor.outputDim, HIDDEN, 1) });
    const found = SYNTHETIC_DEFAULTS.tones.flatMap((hz) => toneUnits(untrained, bandHz, hz)).length + sweepUnits(untrained, 1).length + sweepUnits(untrained, -1).length;
    expect(found).toBe(0);
  }, 120_000);
});
