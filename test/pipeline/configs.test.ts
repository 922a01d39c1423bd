import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_NAMES, loadConfigFile, type ExperimentName } from '../../src/pipeline/config.ts';
import { experimentRunner } from '../../src/pipeline/experiments/index.ts';
import { ROOT } from '../cli/run-cli.ts';

const DIR = join(ROOT, 'configs');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('configs/', () => {
  it('ships a config for each pipeline', () => {
    for (const name of ['mnist-sae', 'mnist-self-taught', 'mnist-stacked', 'fsdd-sae', 'fsdd-self-taught', 'fsdd-stacked', 'fsdd-conv']) {
      expect(files).toContain(`${name}.json`);
    }
    expect(files.filter((f) => f.startsWith('mnist-') && !/sae|self-taught|stacked/.test(f)).length).toBeGreaterThan(0);
  });

  it.each(files)('%s validates, names a known experiment and says what it is for', async (file) => {
    const c = await loadConfigFile(join(DIR, file));
    expect(EXPERIMENT_NAMES).toContain(c.experiment);
    expect(c.description.length).toBeGreaterThan(20);
    expect(c.data.source).toBe(file.startsWith('mnist-') ? 'mnist' : 'audio');
    // MNIST pixels are already in [0, 1]: the exercises feed them as they are.
    if (c.data.source === 'mnist') expect(c.normalise).toBe('none');
  });

  it('mnist-sae is the UFLDL exercise', async () => {
    const c = await loadConfigFile(join(DIR, 'mnist-sae.json'));
    expect(c.data.count).toBe(10000);
    expect(c.sae).toMatchObject({ hidden: 196, weightDecay: 3e-3, beta: 3, rho: 0.1, maxIter: 400 });
  });

  it('fsdd-sae learns from 4-frame windows of 40 mel bands', async () => {
    const c = await loadConfigFile(join(DIR, 'fsdd-sae.json'));
    expect(c.experiment).toBe('sae');
    expect(c.spectrum).toMatchObject({ transform: 'mel', bands: 40 });
    expect(c.windows.frames).toBe(4);
    expect(c.data.audioDir).toBe('audio/fsdd/recordings');
  });
});

describe('experiment registry', () => {
  it('has a runner for every experiment a config can name, and refuses a name without code in one sentence', () => {
    for (const name of EXPERIMENT_NAMES) expect(typeof experimentRunner(name), name).toBe('function');
    expect(() => experimentRunner('later' as ExperimentName)).toThrow(/^experiment 'later' is not implemented yet/);
  });
});
