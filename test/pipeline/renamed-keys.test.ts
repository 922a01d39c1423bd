/**
 * Config files written before weight decay had one name (sae.lambda, softmax.lambda,
 * softmax.chooseLambda, baselines.<model>.l2) still load, to the same config as the new names,
 * with a one-line note.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfigFile, parseOverride, resolveConfig } from '../../src/pipeline/config.ts';
import { upgradeRenamedKeys } from '../../src/pipeline/renamed-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'sfl-renamed-'));
function file(name: string, content: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('renamed config keys', () => {
  it('an old config file loads to the same config as the new names, with one note naming the file', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const old = file('old.json', {
      sae: { lambda: 0.01 },
      softmax: { lambda: 0.002, chooseLambda: [1e-5, 1e-4] },
      baselines: { mlp: { l2: 1e-4 }, sda: { l2: 0 } },
    });
    const renamed = file('new.json', {
      sae: { weightDecay: 0.01 },
      softmax: { weightDecay: 0.002, chooseWeightDecay: [1e-5, 1e-4] },
      baselines: { mlp: { weightDecay: 2e-4 }, sda: { weightDecay: 0 } },
    });
    const fromOld = await loadConfigFile(old);
    const notes = stderr.mock.calls.map((c) => String(c[0]));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(old);
    expect(notes[0]).toContain('sae.lambda -> sae.weightDecay');
    expect(notes[0]).toContain('baselines.mlp.l2 -> baselines.mlp.weightDecay (twice the old value)');
    expect(fromOld).toEqual(await loadConfigFile(renamed));
    expect(fromOld.sae.weightDecay).toBe(0.01);
    expect(stderr.mock.calls).toHaveLength(1);
  });

  it("the tutorial MLP's old l2 1e-4 is the same penalty as the default weightDecay 2e-4", () => {
    const upgraded = upgradeRenamedKeys({ baselines: { mlp: { l2: 1e-4 } } } as never, 'x.json', () => {});
    expect(resolveConfig(upgraded).baselines.mlp).toEqual(resolveConfig({}).baselines.mlp);
  });

  it('--set with an old key sets the new one', () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(parseOverride('sae.lambda=0.5')).toEqual({ sae: { weightDecay: 0.5 } });
  });

  it('a key given under both names is refused, naming the file', async () => {
    const both = file('both.json', { sae: { lambda: 0.01, weightDecay: 0.02 } });
    await expect(loadConfigFile(both)).rejects.toThrow(/sae\.lambda and sae\.weightDecay are one setting/);
    await expect(loadConfigFile(both)).rejects.toThrow(both);
  });

  it('a file with only current keys loads without a note', () => {
    const note = vi.fn();
    const partial = { sae: { weightDecay: 0.01 } };
    expect(upgradeRenamedKeys(partial as never, 'x.json', note)).toEqual(partial);
    expect(note).not.toHaveBeenCalled();
  });
});
