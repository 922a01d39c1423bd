import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfigFile, parseOverride, resolveConfig, type PartialConfig } from '../../src/pipeline/config.ts';
import { CONFIG_SCHEMA, type Rule } from '../../src/pipeline/config-schema.ts';

/** Input as it may arrive from a JSON file: not type-checked. */
const raw = (x: unknown) => x as PartialConfig;

/** Key paths of an object (arrays are leaves). */
function keyPaths(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}
function schemaPaths(r: Rule, prefix = ''): string[] {
  return r.type === 'object' ? Object.entries(r.fields).flatMap(([k, v]) => schemaPaths(v, prefix ? `${prefix}.${k}` : k)) : [prefix];
}

describe('config', () => {
  it('defaults are complete, valid and described by the schema key for key', () => {
    expect(keyPaths(DEFAULT_CONFIG).sort()).toEqual(schemaPaths(CONFIG_SCHEMA).sort());
    const c = resolveConfig({});
    expect(c.sae).toEqual({ hidden: 196, weightDecay: 3e-3, beta: 3, rho: 0.1, decoder: 'auto', maxIter: 400 });
    expect([c.spectrum.frameSize, c.spectrum.hop]).toEqual(['32ms', 'half']);
    expect(c.spectrum.fMax).toBeNull();
    // Derived seeds are filled from run.seed so run.json records them.
    expect(c.windows.seed).toBe(c.run.seed);
    expect(c.split.seed).toBe(c.run.seed);
  });

  it('deep-merges a partial config without touching the defaults', () => {
    const c = resolveConfig({ sae: { weightDecay: 1e-4 }, spectrum: { transform: 'mfcc', fMax: 4000 }, stacked: { layers: [50] }, run: { seed: 7 } });
    expect(c.sae.weightDecay).toBe(1e-4);
    expect(c.sae.hidden).toBe(196);
    expect(c.spectrum.transform).toBe('mfcc');
    expect(c.spectrum.fMax).toBe(4000);
    expect(c.stacked.layers).toEqual([50]); // arrays replace, not merge
    expect(c.windows.seed).toBe(7);
    expect(DEFAULT_CONFIG.sae.weightDecay).toBe(3e-3);
    expect(DEFAULT_CONFIG.stacked.layers).toEqual([200, 200]);
    // An explicit base: CLI overrides on top of a file's config.
    const d = resolveConfig(parseOverride('sae.hidden=64'), '--set', c);
    expect(d.sae).toMatchObject({ hidden: 64, weightDecay: 1e-4 });
    expect(parseOverride('spectrum.transform=bark')).toEqual({ spectrum: { transform: 'bark' } });
  });

  it('a wrong type names the key, the value and the source', () => {
    expect(() => resolveConfig(raw({ sae: { weightDecay: 'abc' } }), 'configs/x.json')).toThrow(
      'configs/x.json: sae.weightDecay must be a number >= 0 (got "abc")',
    );
    expect(() => resolveConfig(raw({ spectrum: { transform: 'wavelet' } }))).toThrow(/spectrum\.transform must be one of "fft", "mel"/);
    expect(() => resolveConfig({ sae: { hidden: 1.5 } })).toThrow('sae.hidden must be an integer >= 1 (got 1.5)');
    expect(() => resolveConfig(raw({ sae: 3 }))).toThrow('sae must be an object (got 3)');
    expect(() => resolveConfig({ data: { digits: [1, 12] } })).toThrow('data.digits[1] must be an integer >= 0 and <= 9 (got 12)');
    expect(() => resolveConfig({ spectrum: { frameSize: 256, hop: 512 } })).toThrow(/spectrum\.hop \(512\) must not exceed spectrum\.frameSize/);
    // Durations: compared as durations, or as samples once the rate is fixed; without a rate a
    // duration beside samples is checked when the files' rate is known (resolveSpectrumParams).
    expect(() => resolveConfig({ spectrum: { hop: '40ms' } })).toThrow(/spectrum\.hop \(40ms\) must not exceed spectrum\.frameSize \(32ms\)/);
    expect(() => resolveConfig({ spectrum: { hop: 300, sampleRate: 8000 } })).toThrow(/spectrum\.hop \(300\) must not exceed spectrum\.frameSize \(32ms\)/);
    expect(resolveConfig({ spectrum: { hop: 300 } }).spectrum.hop).toBe(300);
    expect(() => resolveConfig(raw({ spectrum: { frameSize: '32 ms please' } }))).toThrow('spectrum.frameSize must be a duration > 0 like "32ms" or "0.032s" (got "32 ms please")');
    expect(() => resolveConfig(raw({ spectrum: { frameSize: 4 } }))).toThrow('spectrum.frameSize must be a whole number of samples >= 8 (got 4)');
    expect(() => resolveConfig({ spectrum: { transform: 'cepstrum', coefficients: 300, sampleRate: 8000 } })).toThrow(/coefficients \(300\) must not exceed spectrum\.frameSize \/ 2 \+ 1 \(129\)/);
  });

  it('unknown keys are errors with a suggestion', () => {
    expect(() => resolveConfig(raw({ sae: { weightDecy: 1 } }), 'configs/x.json')).toThrow(
      'configs/x.json: unknown key sae.weightDecy (did you mean sae.weightDecay?)',
    );
    expect(() => resolveConfig(raw({ zzz: 1 }))).toThrow(/unknown key zzz \(known: experiment, description, spectrum, [a-z, ]*windows/);
    expect(() => resolveConfig(raw({ sae: { weightDecy: 1, beta: -1 } }))).toThrow(/^2 problems: unknown key sae.weightDecy .*; sae.beta must be/);
  });

  it('file errors name the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfl-config-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ sae: { hidden: 25 } }));
    expect((await loadConfigFile(good)).sae.hidden).toBe(25);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"sae": {');
    await expect(loadConfigFile(broken)).rejects.toThrow(`${broken}: not valid JSON`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ whitening: { kind: 'pca', epsilon: -1 } }));
    await expect(loadConfigFile(bad)).rejects.toThrow(`${bad}: whitening.epsilon must be a number >= 0 (got -1)`);
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toThrow(`${join(dir, 'missing.json')}: config file not found`);
    const list = join(dir, 'list.json');
    writeFileSync(list, '[1]');
    await expect(loadConfigFile(list)).rejects.toThrow(`${list}: a config file must hold one JSON object`);
    rmSync(dir, { recursive: true, force: true });
  });
});
