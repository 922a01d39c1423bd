/**
 * The classification pipelines' autoencoder windows follow windows.sampling, like train-sae's,
 * and a recording that would give most of them is named.
 */
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/compute/backend.ts';
import { defaultSpectrumParams } from '../../src/audio/spectrogram.ts';
import type { SpectrumList } from '../../src/features/spectrum-list.ts';
import { learnAudioFeatures } from '../../src/pipeline/audio-classifier.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { noise } from '../audio/signals.ts';

/** Nine recordings of 20 frames and one of 2,000: by duration the long one gives ~92% of the windows. */
const lengths = [20, 20, 20, 2000, 20, 20, 20, 20, 20, 20];
const list: SpectrumList = {
  length: lengths.length,
  bands: 5,
  frames: (i) => lengths[i],
  load: async (i) => ({ data: noise(lengths[i] * 5, i + 1), rows: lengths[i], cols: 5 }),
  name: (i) => `rec${i}.wav`,
};

async function warnings(sampling: 'balanced' | 'duration'): Promise<string[]> {
  const config = resolveConfig({
    windows: { frames: 3, count: 400, sampling },
    normalise: 'none',
    whitening: { kind: 'none' },
    sae: { hidden: 3, maxIter: 1, decoder: 'linear' },
  });
  const lines: string[] = [];
  await learnAudioFeatures(list, defaultSpectrumParams(8000), config, undefined, null, (l) => lines.push(l));
  return lines.filter((l) => l.startsWith('warning'));
}

describe('learnAudioFeatures: the sampling policy', () => {
  it('by duration one long recording dominates and is named; balanced shares the windows', async () => {
    await initBackend();
    const byDuration = await warnings('duration');
    expect(byDuration).toHaveLength(1);
    expect(byDuration[0]).toMatch(/^warning: 9\d% of the 400 training windows come from one recording, rec3\.wav \(sampling: duration\); --sampling balanced gives every recording an equal share$/);
    expect(await warnings('balanced')).toEqual([]);
  });
});

describe('learnAudioFeatures: windows asked for against windows there are', () => {
  it('notes when the draw repeats the distinct windows (full band) or patches (band patches) many times', async () => {
    await initBackend();
    // 2,180 frames in all: 18 windows of 3 frames in each short recording, 1,998 in the long one.
    const run = async (count: number, bandPatch: number | null) => {
      const config = resolveConfig({ windows: { frames: 3, count, sampling: 'balanced' }, normalise: 'none', whitening: { kind: 'none' }, sae: { hidden: 3, maxIter: 1, decoder: 'linear' } });
      const lines: string[] = [];
      await learnAudioFeatures(list, defaultSpectrumParams(8000), config, undefined, bandPatch, (l) => lines.push(l));
      return lines.filter((l) => l.startsWith('note'));
    };
    expect(await run(20000, null)).toEqual([
      'note: the recordings hold 2160 distinct windows of 3 frames, so the 20000 drawn repeat each 9 times on average; --windows 2160 trains on nearly the same data in a fraction of the time',
    ]);
    // 2-band patches slide over 4 offsets of the 5 bands: 4 times as many distinct patches.
    expect((await run(50000, 2))[0]).toMatch(/^note: the recordings hold 8640 distinct 3-frame x 2-band patches, so the 50000 drawn repeat each 6 times/);
  });

  it('says nothing when the windows asked for are fewer than five times those there are', async () => {
    await initBackend();
    const config = resolveConfig({ windows: { frames: 3, count: 10000, sampling: 'balanced' }, normalise: 'none', whitening: { kind: 'none' }, sae: { hidden: 3, maxIter: 1, decoder: 'linear' } });
    const lines: string[] = [];
    await learnAudioFeatures(list, defaultSpectrumParams(8000), config, undefined, null, (l) => lines.push(l));
    expect(lines.filter((l) => l.startsWith('note'))).toEqual([]);
  });
});
