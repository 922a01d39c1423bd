/**
 * Random patches of spectrograms produced one at a time, holding only the `count` patches drawn,
 * never the spectrograms they come from, under either sampling policy (sampler.ts):
 *  - 'duration': samplePatches' windows exactly (the same random numbers in the same order): a
 *    window index uniformly over every window of every recording;
 *  - 'balanced': a recording uniformly among those with a window, then a window of it uniformly.
 *
 * Both need only each recording's number of frames, so the draws are made first (a recording and
 * a start frame per slot, then the band offsets), and each recording that gave a slot is then
 * produced once, its windows copied, and dropped. Memory: count x height*width float32 plus three
 * int32 per slot, whatever the number and length of the recordings.
 */
import { matrix, type Matrix } from '../compute/matrix.ts';
import { SflError } from '../util/errors.ts';
import { mulberry32, type Rng } from '../util/random.ts';
import { progress } from '../util/progress.ts';
import { concatRows } from '../audio/spectrogram-stream.ts';
import type { RowBlocks } from '../data/row-blocks.ts';
import { checkWindowMemory, WindowPicker, type PatchOptions, type SamplingPolicy, type WindowDraws } from './sampler.ts';
import { BLOCKWISE_FRAMES, type SpectrumList } from './spectrum-list.ts';

/** Where each slot's patch comes from: recording, start frame, first band. */
interface PatchPlan extends WindowDraws {
  band: Int32Array;
}

export interface StreamedPatchOptions extends PatchOptions {
  /** Default 'duration' (samplePatches' draws). */
  policy?: SamplingPolicy;
  /** Shows a progress bar of the frames read, under this name. */
  stage?: string;
}

export interface StreamedPatches {
  /** count x (height * width), each patch row-major as samplePatches gives them. */
  X: Matrix;
  /** Patches drawn from each recording of the list. */
  perRecording: Int32Array;
}

export async function samplePatchesStreamed(list: SpectrumList, opts: StreamedPatchOptions): Promise<StreamedPatches> {
  const what = 'samplePatches';
  const { count, height: K, width, seed = 0, policy = 'duration' } = opts;
  const cols = list.bands;
  if (list.length === 0) throw new SflError(`${what}: no spectrograms were given`);
  if (!Number.isInteger(K) || K < 1) throw new SflError(`${what}: frames per window must be a positive integer, got ${K}`);
  if (!Number.isInteger(width) || width < 1 || width > cols) {
    throw new SflError(`${what}: patch width must be an integer from 1 to ${cols} (the columns of the input), got ${width}`);
  }
  if (!Number.isInteger(count) || count < 0) throw new SflError(`${what}: count must be a non-negative integer, got ${count}`);
  // The same estimate sampleWindows makes before allocating its windows (and their two later copies).
  checkWindowMemory(count, K, cols);
  const plan = planPatches(list, count, K, width, policy, typeof seed === 'function' ? seed : mulberry32(seed));

  // Slots grouped by recording (a counting sort), so each recording is produced once.
  const first = new Int32Array(list.length + 1);
  for (let r = 0; r < count; r++) first[plan.recording[r] + 1]++;
  for (let i = 0; i < list.length; i++) first[i + 1] += first[i];
  const slots = new Int32Array(count);
  const next = first.slice(0, list.length);
  for (let r = 0; r < count; r++) slots[next[plan.recording[r]]++] = r;

  const perRecording = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) perRecording[i] = first[i + 1] - first[i];
  const out = matrix(count, K * width);
  const copy = (S: Matrix, from: number, r: number) => {
    for (let y = 0; y < K; y++) {
      const src = (plan.start[r] - from + y) * cols + plan.band[r];
      out.data.set(S.data.subarray(src, src + width), (r * K + y) * width);
    }
  };
  // Progress in frames, so that it moves within a long recording too.
  let total = 0;
  for (let i = 0; i < list.length; i++) if (first[i] < first[i + 1]) total += list.frames(i);
  const bar = opts.stage ? progress({ stage: `${opts.stage} (frames)`, total }) : null;
  let done = 0;
  try {
    for (let i = 0; i < list.length; i++) {
      if (first[i] === first[i + 1]) continue;
      const mine = slots.subarray(first[i], first[i + 1]);
      if (list.blocks && list.frames(i) > BLOCKWISE_FRAMES) {
        // Each window copied from the blocks as they pass (one spanning two blocks completed from the K - 1 frames kept).
        await copyFromBlocks(await list.blocks(i), mine, plan.start, K, copy, (n) => bar?.update((done += n)));
        continue;
      }
      const S = await list.load(i);
      for (const r of mine) copy(S, 0, r);
      bar?.update((done += S.rows));
    }
  } finally {
    bar?.stop();
  }
  return { X: out, perRecording };
}

/** Copies the windows starting at start[r] (r in `slots`) from the blocks as they pass; `copy(S, from, r)`: S's row 0 is frame `from`. */
async function copyFromBlocks(blocks: RowBlocks, slots: Int32Array, start: Int32Array, K: number, copy: (S: Matrix, from: number, r: number) => void, read: (rows: number) => void): Promise<void> {
  const order = Array.from(slots).sort((a, b) => start[a] - start[b]);
  const cols = blocks.cols;
  let next = 0;
  // The frames held: the last K - 1 of what passed, then the block.
  let held: Matrix = matrix(0, cols);
  let from = 0;
  for await (const b of blocks) {
    const joined = held.rows === 0 ? b : concatRows([held, b], cols);
    while (next < order.length && start[order[next]] + K <= from + joined.rows) copy(joined, from, order[next++]);
    const keep = Math.min(K - 1, joined.rows);
    held = { data: joined.data.slice((joined.rows - keep) * cols, joined.rows * cols), rows: keep, cols };
    from += joined.rows - keep;
    read(b.rows);
  }
  if (next !== order.length) throw new Error(`samplePatchesStreamed: ${order.length - next} windows lie beyond the spectrogram's ${from + held.rows} frames`);
}

/**
 * Every slot's window (WindowPicker, as sampleWindows draws them under 'duration'), then every
 * band offset, as samplePatches draws them.
 */
function planPatches(list: SpectrumList, count: number, K: number, width: number, policy: SamplingPolicy, rng: Rng): PatchPlan {
  const frames = Array.from({ length: list.length }, (_, i) => list.frames(i));
  const plan: PatchPlan = { ...new WindowPicker(frames, K, 'sampleWindows').draw(count, rng, policy), band: new Int32Array(count) };
  const offsets = list.bands - width + 1;
  if (offsets > 1) for (let r = 0; r < count; r++) plan.band[r] = Math.min(offsets - 1, Math.floor(rng() * offsets));
  return plan;
}
