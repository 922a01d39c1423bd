/**
 * From spectrograms to one feature vector per recording with a learned autoencoder: every window
 * of K frames (sliding, hop 1) is preprocessed and encoded, then the hidden activations are pooled
 * over time (features/pooling.ts). Recordings shorter than K frames are padded at the end to K
 * frames (repeating the last frame) so that every recording gets a vector.
 *
 * Two ways to the same window features: recordingFeatures builds every window vector and encodes
 * it (a matMul); convRecordingFeatures convolves the filters, with the preprocessing folded in,
 * over whole spectrograms (models/conv/convolve.ts), which also lets filters narrower than the
 * spectrum slide over frequency, pooled over frequency offsets before the time pooling.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { allWindows } from '../features/sampler.ts';
import { padToFrames } from '../features/fixed-length.ts';
import { poolRecordings, pooledWidth, type PoolOptions, type RowRange } from '../features/pooling.ts';
import { convolveSpectrograms, foldFilters, pooledSide } from '../models/conv/convolve.ts';
import { saeFeatures, type SaeModel } from '../models/sae/saved-model.ts';
import { SflError } from '../util/errors.ts';
import type { Config } from './config.ts';
import type { SpectrumList } from '../features/spectrum-list.ts';
import { runningPooledWindows, type RunningRow } from '../features/window-chunks.ts';
import { progress } from '../util/progress.ts';

/**
 * Frames of the recordings encoded together before their window features are pooled and dropped:
 * the windows (K x bands values each) and their features of a whole corpus would be many times
 * its spectra, so memory is bounded by one group's instead (about 64 K frames; a longer recording
 * is a group of its own).
 */
export const GROUP_FRAMES = 1 << 16;

/** The groups of recordings encoded together, [first, last) each, from their frame counts (see GROUP_FRAMES). */
function frameGroups(count: number, frames: (i: number) => number): [number, number][] {
  const groups: [number, number][] = [];
  for (let first = 0; first < count; ) {
    let last = first + 1;
    for (let n = frames(first); last < count && n + frames(last) <= GROUP_FRAMES; last++) n += frames(last);
    groups.push([first, last]);
    first = last;
  }
  return groups;
}

/** Pooled features of every recording, computed group by group (see GROUP_FRAMES); rows in the order of `spectra`. */
function pooledByGroups(spectra: readonly Matrix[], width: number, features: (group: readonly Matrix[]) => Matrix): Matrix {
  if (spectra.length === 0) return features(spectra);
  const out = matrix(spectra.length, width);
  for (const [first, last] of frameGroups(spectra.length, (i) => spectra[i].rows)) {
    const pooled = features(spectra.slice(first, last));
    if (pooled.cols !== width) throw new Error(`pooledByGroups: ${pooled.cols} columns, expected ${width}`);
    out.data.set(pooled.data, first * width);
  }
  return out;
}

/** One row per recording, from a group of recordings' spectrograms at once (features pooled, statistics...). */
export interface RecordingRows {
  width: number;
  rows(group: readonly Matrix[]): Matrix;
  /**
   * The same row of ONE recording of `frames` frames x `bands` columns, fed its spectrogram block by block (memory: a
   * block, whatever the recording's length): how a recording longer than a group is done.
   */
  running?(frames: number, bands: number): RunningRow;
}

/**
 * Several kinds of rows of every recording of `list` in ONE pass: each group of recordings (the
 * groups pooledByGroups makes, so the results are the same) is produced, turned into rows, and
 * dropped. Memory: one group's spectrograms and windows, plus the rows.
 */
export async function recordingRowsStreamed(list: SpectrumList, kinds: readonly RecordingRows[], stage?: string): Promise<Matrix[]> {
  const outs = kinds.map((k) => matrix(list.length, k.width));
  const put = (j: number, rows: Float32Array | Matrix, first: number, count: number) => {
    const data = rows instanceof Float32Array ? rows : rows.data;
    const shape = rows instanceof Float32Array ? [1, rows.length] : [rows.rows, rows.cols];
    if (shape[1] !== kinds[j].width || shape[0] !== count) throw new Error(`recordingRowsStreamed: ${shape[0]} x ${shape[1]} rows, expected ${count} x ${kinds[j].width}`);
    outs[j].data.set(data, first * kinds[j].width);
  };
  // Progress in frames, so that it moves within a long recording too.
  let total = 0;
  for (let i = 0; i < list.length; i++) total += list.frames(i);
  const bar = stage ? progress({ stage: `${stage} (frames)`, total }) : null;
  let done = 0;
  try {
    for (const [first, last] of frameGroups(list.length, (i) => list.frames(i))) {
      if (last === first + 1 && list.frames(first) > GROUP_FRAMES && list.blocks && kinds.every((k) => k.running)) {
        // A recording longer than a group: block by block, never whole.
        const running = kinds.map((k) => k.running!(list.frames(first), list.bands));
        for await (const b of await list.blocks(first)) {
          for (const r of running) r.add(b);
          bar?.update((done += b.rows));
        }
        running.forEach((r, j) => put(j, r.finish(), first, 1));
        continue;
      }
      const group: Matrix[] = [];
      for (let i = first; i < last; i++) group.push(await list.load(i));
      kinds.forEach((k, j) => put(j, k.rows(group), first, group.length));
      for (const S of group) done += S.rows;
      bar?.update(done);
    }
  } finally {
    bar?.stop();
  }
  return outs;
}

/** A model's window features (or, with `conv`, its convolution features) pooled over each recording, as RecordingRows. */
export function pooledFeatureRows(model: SaeModel, pool: PoolOptions, conv?: ConvSettings): RecordingRows {
  return {
    width: conv ? convFeatureWidth(model, pool, conv) : pooledWidth(model.hyper.hidden, pool),
    rows: (group) => {
      const { H, ranges } = conv ? convWindowFeatures(model, group, conv) : windowFeatures(model, group);
      return poolRecordings(H, ranges, pool);
    },
    running: (frames, bands) =>
      runningPooledWindows(checkAudioModel(model).K, bands, frames, pool, (chunk) => (conv ? convWindowFeatures(model, [chunk], conv) : windowFeatures(model, [chunk])).H),
  };
}

export function recordingFeatures(model: SaeModel, spectra: readonly Matrix[], pool: PoolOptions): Matrix {
  const f = pooledFeatureRows(model, pool);
  return pooledByGroups(spectra, f.width, f.rows);
}

/** The features of every window (hop 1) of every recording, before pooling: ranges[i] are recording i's rows of H. */
export function windowFeatures(model: SaeModel, spectra: readonly Matrix[]): { H: Matrix; ranges: RowRange[] } {
  const { K, P } = checkAudioModel(model);
  const bands = spectra[0]?.cols;
  if (bands !== undefined && bands !== P) {
    throw new SflError(
      P < bands
        ? `the autoencoder's filters span ${P} of the ${bands} bands: its features come from convolution over frequency (sfl conv), not from whole windows`
        : `the autoencoder was trained on spectrograms of ${P} bands, these have ${bands}`,
    );
  }
  const padded = spectra.map((S) => padToFrames(S, K));
  const { windows, ranges } = allWindows(padded, K);
  return { H: saeFeatures(model, windows), ranges };
}

/** How convolution features are made (config.conv for audio). */
export interface ConvSettings {
  /** Bands a filter spans; null: all (the filter slides in time only). */
  bandPatch: number | null;
  /** Columns of the spectrograms the filters slide over (bands or coefficients). */
  inputBands: number;
  /** Pooling over frequency offsets (used with band patches): region size, stride, and the statistic. */
  frequencyPool: { size: number; stride: number; kind: 'mean' | 'max' };
}

function checkAudioModel(model: SaeModel): { K: number; P: number } {
  if (model.input.kind !== 'spectro-temporal') throw new SflError('this model was trained on images, not on spectral windows');
  return { K: model.input.frames, P: model.input.bands };
}

/** Feature maps of every recording (filters convolved over time, and over frequency for band patches), pooled over time. */
export function convRecordingFeatures(model: SaeModel, spectra: readonly Matrix[], pool: PoolOptions, conv: ConvSettings): Matrix {
  const f = pooledFeatureRows(model, pool, conv);
  return pooledByGroups(spectra, f.width, f.rows);
}

/** convRecordingFeatures before the time pooling: one row per time offset, ranges[i] are recording i's rows. */
export function convWindowFeatures(model: SaeModel, spectra: readonly Matrix[], conv: ConvSettings): { H: Matrix; ranges: RowRange[] } {
  const { K, P } = checkAudioModel(model);
  const bands = spectra[0]?.cols;
  if (bands !== conv.inputBands) throw new SflError(`the convolution features were made for spectrograms of ${conv.inputBands} bands, these have ${bands}`);
  const filters = foldFilters(model.preprocessor, model.theta, K, P);
  const padded = spectra.map((S) => padToFrames(S, K));
  return convolveSpectrograms(padded, filters, { frequencyPool: conv.frequencyPool });
}

/** Length of convRecordingFeatures' vectors for spectrograms of `bands` bands. */
export function convFeatureWidth(model: SaeModel, pool: PoolOptions, conv: ConvSettings): number {
  const { P } = checkAudioModel(model);
  const offsets = conv.inputBands - P + 1;
  const regions = offsets === 1 ? 1 : pooledSide(offsets, conv.frequencyPool.size, conv.frequencyPool.stride);
  return pooledWidth(model.hyper.hidden * regions, pool);
}

/** The convolution settings a config names, for spectrograms of `inputBands` columns. */
export function convSettings(config: Config, inputBands: number): ConvSettings {
  const c = config.conv;
  const bandPatch = c.bandPatch !== null && c.bandPatch < inputBands ? c.bandPatch : null;
  return {
    bandPatch,
    inputBands,
    // Max over frequency offsets (a detector that fires at some pitch or formant position) unless
    // the pooling is plain mean.
    frequencyPool: { size: c.poolSize, stride: c.poolStride ?? c.poolSize, kind: config.pooling.method === 'mean' ? 'mean' : 'max' },
  };
}
