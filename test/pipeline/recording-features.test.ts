/**
 * Recordings are encoded and pooled group by group (memory: one group's windows, not the
 * corpus's): the pooled rows are those of each recording encoded on its own.
 */
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/compute/backend.ts';
import type { Matrix } from '../../src/compute/matrix.ts';
import { trainSae } from '../../src/models/sae/train.ts';
import { sampleWindows } from '../../src/features/sampler.ts';
import { convRecordingFeatures, convSettings, convWindowFeatures, windowFeatures, GROUP_FRAMES, pooledFeatureRows, recordingFeatures, recordingRowsStreamed } from '../../src/pipeline/recording-features.ts';
import { blocksOfMatrix } from '../../src/data/row-blocks.ts';
import { RunningStats } from '../../src/features/recording-stats.ts';
import { runningPooledWindows } from '../../src/features/window-chunks.ts';
import { recordingStats, recordingStatsWidth } from '../../src/features/recording-stats.ts';
import { spectrumListOf, type SpectrumList } from '../../src/features/spectrum-list.ts';
import { samplePatchesStreamed } from '../../src/features/streamed-patches.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { defaultSpectrumParams } from '../../src/audio/spectrogram.ts';
import { noise } from '../audio/signals.ts';

const BANDS = 8;

function spectrogramOf(rows: number, seed: number): Matrix {
  return { data: noise(rows * BANDS, seed), rows, cols: BANDS };
}

describe('recordingFeatures over many recordings', () => {
  it('pools each recording exactly as when it is encoded alone, across groups of recordings', async () => {
    await initBackend();
    // 40 recordings of up to 6000 frames: about 120 K frames, more than one group.
    const spectra = Array.from({ length: 40 }, (_, i) => spectrogramOf(i % 7 === 0 ? 2 : 500 + ((i * 977) % 5500), i + 1));
    const X = sampleWindows(spectra, { count: 300, frames: 3, seed: 1 });
    const input = { kind: 'spectro-temporal' as const, frames: 3, bands: BANDS, spectrum: defaultSpectrumParams(8000), bandHz: null };
    const { model } = await trainSae(X, input, {
      preprocess: { normalise: 'none', whitening: { kind: 'none', epsilon: 0.1, retainVariance: 1 } },
      hidden: 5, weightDecay: 1e-3, beta: 1, rho: 0.1, decoder: 'linear', maxIter: 3, seed: 1, workers: 1,
    });
    const pool = { method: 'meanmax' as const, segments: 2 };
    const together = recordingFeatures(model, spectra, pool);
    expect(together.rows).toBe(40);
    const config = resolveConfig({ conv: { bandPatch: null } });
    const conv = convSettings(config, BANDS);
    const convTogether = convRecordingFeatures(model, spectra, pool, conv);
    spectra.forEach((S, i) => {
      const alone = recordingFeatures(model, [S], pool);
      for (let j = 0; j < alone.cols; j++) expect(together.data[i * alone.cols + j]).toBeCloseTo(alone.data[j], 5);
      const convAlone = convRecordingFeatures(model, [S], pool, conv);
      for (let j = 0; j < convAlone.cols; j++) expect(convTogether.data[i * convAlone.cols + j]).toBeCloseTo(convAlone.data[j], 4);
    });
  });
});

/**
 * A list of `n` generated recordings of `frames` frames that remembers every spectrogram it
 * produced by a weak reference, so a test can count how many are still alive (not collected) at
 * any moment.
 */
function watchedList(n: number, frames: number): { list: SpectrumList; alive: () => number; loads: () => number } {
  const made: WeakRef<Matrix>[] = [];
  return {
    list: {
      length: n,
      bands: BANDS,
      frames: () => frames,
      load: async (i) => {
        const m = spectrogramOf(frames, i + 1);
        made.push(new WeakRef(m));
        return m;
      },
    },
    alive: () => made.filter((r) => r.deref() !== undefined).length,
    loads: () => made.length,
  };
}

/** The collector, reachable without starting Node with --expose-gc. */
function collector(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

describe('the labelled experiments\' two passes over recordings produced on demand', () => {
  it('give exactly the rows of the in-memory path: pooled features, convolution features, baseline statistics, training windows', async () => {
    await initBackend();
    const spectra = Array.from({ length: 40 }, (_, i) => spectrogramOf(i % 7 === 0 ? 2 : 500 + ((i * 977) % 5500), i + 1));
    const model = await smallModel(spectra);
    const pool = { method: 'meanmax' as const, segments: 2 };
    const conv = convSettings(resolveConfig({ conv: { bandPatch: null } }), BANDS);
    const list = spectrumListOf(spectra);
    const [features, convFeatures, stats] = await recordingRowsStreamed(list, [
      pooledFeatureRows(model, pool),
      pooledFeatureRows(model, pool, conv),
      { width: recordingStatsWidth(BANDS), rows: (g) => recordingStats(g) },
    ]);
    expect(Array.from(features.data)).toEqual(Array.from(recordingFeatures(model, spectra, pool).data));
    expect(Array.from(convFeatures.data)).toEqual(Array.from(convRecordingFeatures(model, spectra, pool, conv).data));
    expect(Array.from(stats.data)).toEqual(Array.from(recordingStats(spectra).data));
    const windows = (await samplePatchesStreamed(list, { count: 300, height: 3, width: BANDS, seed: 1 })).X;
    expect(Array.from(windows.data)).toEqual(Array.from(sampleWindows(spectra, { count: 300, frames: 3, seed: 1 }).data));
  });

  it('hold a bounded number of spectrograms, whatever the number of recordings', async () => {
    const gc = collector();
    if (!gc) {
      console.warn('skipped: the garbage collector cannot be reached here, so live spectrograms cannot be counted');
      return;
    }
    await initBackend();
    const model = await smallModel(Array.from({ length: 4 }, (_, i) => spectrogramOf(200, i + 1)));
    // Recordings of 33 K frames: more than half a group, so each is encoded on its own.
    const peak = async (n: number) => {
      const w = watchedList(n, 33_000);
      let most = 0;
      const list: SpectrumList = {
        ...w.list,
        load: async (i) => {
          // After a turn of the event loop: a weak reference keeps its target during the job that made it.
          await new Promise((r) => setImmediate(r));
          gc();
          most = Math.max(most, w.alive());
          return w.list.load(i);
        },
      };
      await samplePatchesStreamed(list, { count: 2000, height: 3, width: BANDS, seed: 1 });
      const [rows] = await recordingRowsStreamed(list, [pooledFeatureRows(model, { method: 'mean', segments: 1 })]);
      expect(rows.rows).toBe(n);
      return { most, loads: w.loads() };
    };
    const few = await peak(3), many = await peak(10);
    // Every recording was produced (once to draw windows from, once to encode), yet at most the
    // one being worked on is alive when the next is asked for: the in-memory path held all 10.
    expect(many.loads).toBe(20);
    expect(few.most).toBeLessThanOrEqual(1);
    expect(many.most).toBeLessThanOrEqual(1);
    // The count sees spectrograms that are held: all of them, when they are kept in an array.
    const held = watchedList(10, 100);
    const kept = await Promise.all(Array.from({ length: 10 }, (_, i) => held.list.load(i)));
    await new Promise((r) => setImmediate(r));
    gc();
    expect(held.alive()).toBe(kept.length);
  });
});

describe('one recording longer than a group, encoded block by block', () => {
  it('gives the rows of the whole-recording computation, for blocks and chunks that split windows and segments', async () => {
    await initBackend();
    const model = await smallModel(Array.from({ length: 4 }, (_, i) => spectrogramOf(200, i + 1)));
    const conv = convSettings(resolveConfig({ conv: { bandPatch: null } }), BANDS);
    const S = spectrogramOf(1000, 5);
    for (const pool of [{ method: 'meanmax' as const, segments: 3 }, { method: 'mean' as const, segments: 7 }]) {
      const whole = recordingFeatures(model, [S], pool).data;
      const convWhole = convRecordingFeatures(model, [S], pool, conv).data;
      // Chunks of 1 window (each chunk 3 frames), 2 (shorter than a window), 333 (segments split
      // mid-chunk), more than the recording; blocks of 1, 2, 7 frames (windows split across blocks).
      for (const chunk of [1, 2, 333, 5000]) {
        for (const block of [1, 2, 7, 1000]) {
          const rf = runningPooledWindows(3, BANDS, S.rows, pool, (c) => windowFeatures(model, [c]).H, chunk);
          const rc = runningPooledWindows(3, BANDS, S.rows, pool, (c) => convWindowFeatures(model, [c], conv).H, chunk);
          for await (const b of blocksOfMatrix(S, block)) {
            rf.add(b);
            rc.add(b);
          }
          expectClose(rf.finish(), whole, 6);
          expectClose(rc.finish(), convWhole, 5);
        }
      }
      // As the pipeline builds it (its own chunk size), and a recording shorter than a window (padded).
      for (const R of [S, spectrogramOf(2, 4)]) {
        for (const c of [undefined, conv]) {
          const r = pooledFeatureRows(model, pool, c).running!(R.rows, BANDS);
          for await (const b of blocksOfMatrix(R, 7)) r.add(b);
          expectClose(r.finish(), (c ? convRecordingFeatures(model, [R], pool, c) : recordingFeatures(model, [R], pool)).data, 5);
        }
      }
    }
  });

  it('is the path recordingRowsStreamed takes for such a recording: the spectrogram is never loaded whole', async () => {
    await initBackend();
    const model = await smallModel(Array.from({ length: 4 }, (_, i) => spectrogramOf(200, i + 1)));
    const pool = { method: 'meanmax' as const, segments: 3 };
    const long = spectrogramOf(GROUP_FRAMES + 1234, 9), short = spectrogramOf(300, 3);
    const spectra = [short, long, short];
    const list: SpectrumList = {
      ...spectrumListOf(spectra),
      load: async (i) => {
        if (i === 1) throw new Error('the long recording was loaded whole');
        return spectra[i];
      },
      blocks: async (i) => blocksOfMatrix(spectra[i], 4000),
    };
    const stats = { width: recordingStatsWidth(BANDS), rows: (g: readonly Matrix[]) => recordingStats(g), running: (frames: number) => new RunningStats(BANDS, frames) };
    const [features, statRows] = await recordingRowsStreamed(list, [pooledFeatureRows(model, pool), stats]);
    expectClose(features.data, recordingFeatures(model, spectra, pool).data, 6);
    expect(Array.from(statRows.data)).toEqual(Array.from(recordingStats(spectra).data));
  });
});

function expectClose(got: Float32Array, want: Float32Array, digits: number): void {
  expect(got.length).toBe(want.length);
  for (let j = 0; j < want.length; j++) expect(got[j]).toBeCloseTo(want[j], digits);
}

async function smallModel(spectra: Matrix[]) {
  const X = sampleWindows(spectra, { count: 300, frames: 3, seed: 1 });
  const input = { kind: 'spectro-temporal' as const, frames: 3, bands: BANDS, spectrum: defaultSpectrumParams(8000), bandHz: null };
  const { model } = await trainSae(X, input, {
    preprocess: { normalise: 'none', whitening: { kind: 'none', epsilon: 0.1, retainVariance: 1 } },
    hidden: 5, weightDecay: 1e-3, beta: 1, rho: 0.1, decoder: 'linear', maxIter: 3, seed: 1, workers: 1,
  });
  return model;
}
