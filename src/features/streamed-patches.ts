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
import { checkWindowMemory, WindowPicker, type PatchOptions, type SamplingPolicy, type WindowDraws } from './sampler.ts';
import type { SpectrumList } from './spectrum-list.ts';

/** Where each slot's patch comes from: recording, start frame, first band. */
interface PatchPlan extends WindowDraws {
  band: Int32Array;
}

export interface StreamedPatchOptions extends PatchOptions {
  /** Default 'duration' (samplePatches' draws). */
  policy?: SamplingPolicy;
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
  for (let i = 0; i < list.length; i++) {
    if (first[i] === first[i + 1]) continue;
    const S = await list.load(i);
    for (let k = first[i]; k < first[i + 1]; k++) {
      const r = slots[k];
      for (let y = 0; y < K; y++) {
        const src = (plan.start[r] + y) * cols + plan.band[r];
        out.data.set(S.data.subarray(src, src + width), (r * K + y) * width);
      }
    }
  }
  return { X: out, perRecording };
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
