/**
 * samplePatchesStreamed draws the windows samplePatches draws (same random numbers, same order)
 * from spectrograms produced one at a time, producing each recording at most once.
 */
import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/compute/matrix.ts';
import { samplePatches } from '../../src/features/sampler.ts';
import { spectrumListOf, type SpectrumList } from '../../src/features/spectrum-list.ts';
import { samplePatchesStreamed } from '../../src/features/streamed-patches.ts';
import { noise } from '../audio/signals.ts';
import { blocksOfMatrix } from '../../src/data/row-blocks.ts';

const BANDS = 6;
/** Ragged lengths, some shorter than a window. */
const spectra: Matrix[] = Array.from({ length: 30 }, (_, i) => ({ data: noise((i % 5 === 0 ? 2 : 10 + ((i * 37) % 90)) * BANDS, i + 1), rows: i % 5 === 0 ? 2 : 10 + ((i * 37) % 90), cols: BANDS }));

/** The list of `spectra`, counting how often each is produced. */
function counted(): { list: SpectrumList; loads: number[] } {
  const loads = spectra.map(() => 0);
  const inner = spectrumListOf(spectra);
  return { list: { ...inner, load: async (i) => { loads[i]++; return inner.load(i); } }, loads };
}

describe('samplePatchesStreamed', () => {
  it('copies the windows of a recording longer than a group from its blocks as they pass (windows across blocks), never loading it whole', async () => {
    const long: Matrix = { data: noise(70_000 * BANDS, 99), rows: 70_000, cols: BANDS };
    const all = [spectra[1], long, spectra[2]];
    for (const [width, block] of [[BANDS, 1000], [3, 7], [BANDS, 70_000]] as const) {
      const want = samplePatches(all, { count: 3000, height: 4, width, seed: 5 });
      const list: SpectrumList = {
        ...spectrumListOf(all),
        load: async (i) => {
          if (i === 1) throw new Error('the long recording was loaded whole');
          return all[i];
        },
        blocks: async (i) => blocksOfMatrix(all[i], block),
      };
      const got = (await samplePatchesStreamed(list, { count: 3000, height: 4, width, seed: 5 })).X;
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
    }
  });

  it('gives exactly samplePatches\' windows, whole-band and band patches, producing each recording at most once', async () => {
    for (const [width, seed] of [[BANDS, 1], [3, 7], [1, 2]] as const) {
      const want = samplePatches(spectra, { count: 500, height: 4, width, seed });
      const { list, loads } = counted();
      const got = (await samplePatchesStreamed(list, { count: 500, height: 4, width, seed })).X;
      expect([got.rows, got.cols]).toEqual([want.rows, want.cols]);
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
      expect(Math.max(...loads)).toBe(1);
      // Recordings shorter than a window give none and are never produced.
      expect(loads.filter((_, i) => i % 5 === 0).every((n) => n === 0)).toBe(true);
    }
  });

  it('balanced: every recording long enough gets an equal share, each patch a real window of its recording', async () => {
    const { list, loads } = counted();
    const { X, perRecording } = await samplePatchesStreamed(list, { count: 6000, height: 4, width: 3, seed: 3, policy: 'balanced' });
    const usable = spectra.map((_, i) => i).filter((i) => i % 5 !== 0);
    expect(Array.from(perRecording).filter((_, i) => i % 5 === 0)).toEqual([0, 0, 0, 0, 0, 0]);
    // 6000 / 24 = 250 each; binomial sd about 15.
    for (const i of usable) expect(Math.abs(perRecording[i] - 250)).toBeLessThan(80);
    expect(Math.max(...loads)).toBe(1);
    // Each patch is some window (4 frames x 3 bands at some offset) of some usable recording.
    const windowsOf = new Set<string>();
    for (const i of usable) {
      const S = spectra[i];
      for (let t = 0; t + 4 <= S.rows; t++) for (let b = 0; b + 3 <= BANDS; b++) {
        const v: number[] = [];
        for (let y = 0; y < 4; y++) for (let x = 0; x < 3; x++) v.push(S.data[(t + y) * BANDS + b + x]);
        windowsOf.add(v.join(','));
      }
    }
    for (let r = 0; r < X.rows; r += 97) expect(windowsOf.has(Array.from(X.data.subarray(r * 12, (r + 1) * 12)).join(','))).toBe(true);
    // 'duration' instead: in proportion to length (the longest recording gives the most).
    const byLength = (await samplePatchesStreamed(list, { count: 6000, height: 4, width: 3, seed: 3 })).perRecording;
    const longest = usable.reduce((a, i) => (spectra[i].rows > spectra[a].rows ? i : a), usable[0]);
    expect(Math.max(...byLength)).toBe(byLength[longest]);
  });

  it('draws the same patches for a seed as it always has, under either policy', async () => {
    // Value rec * 10000 + frame * 10 + band; windows of 4 frames per recording: 3, 6, none, 1.
    const coded = [6, 9, 2, 4].map((frames, rec) => ({ data: Float32Array.from({ length: frames * 3 }, (_, k) => rec * 10000 + Math.floor(k / 3) * 10 + (k % 3)), rows: frames, cols: 3 }));
    const firstValues = async (policy: 'duration' | 'balanced') => {
      const { X } = await samplePatchesStreamed(spectrumListOf(coded), { count: 8, height: 4, width: 2, seed: 5, policy });
      return Array.from({ length: 8 }, (_, r) => X.data[r * 8]);
    };
    expect(await firstValues('duration')).toEqual([10031, 10040, 21, 10031, 1, 10020, 10040, 10010]);
    expect(await firstValues('balanced')).toEqual([30001, 10, 11, 30001, 30000, 30000, 10001, 10010]);
  });

  it('refuses as samplePatches does when no recording is long enough', async () => {
    const list = spectrumListOf([spectra[0], spectra[5]]);
    await expect(samplePatchesStreamed(list, { count: 5, height: 3, width: BANDS })).rejects.toThrow('no recording has 3 frames (the longest has 2)');
    await expect(samplePatchesStreamed(spectrumListOf(spectra), { count: 5, height: 3, width: BANDS + 1 })).rejects.toThrow('patch width must be an integer from 1 to 6');
  });
});
