/** Inputs of the experiments: MNIST images, and spectra and windows of audio files. */
import type { Matrix } from '../compute/matrix.ts';
import { columnFrequencies } from '../audio/axis.ts';
import { loadMnist } from '../data/mnist.ts';
import { repeatedWindowsNote, sampleWindows, WindowReservoir, type SamplingPolicy } from '../features/sampler.ts';
import type { SpectrumParams } from '../audio/spectrogram.ts';
import { SflError } from '../util/errors.ts';
import type { SpectraResult } from './spectra.ts';
import type { InputDescription } from '../features/input-description.ts';
import type { RowBlocks } from '../data/row-blocks.ts';

/** MNIST images of the chosen digits (in file order), the first `count` of them. */
export function mnistImages(dir: string, opts: { split?: 'train' | 'test'; digits?: number[]; count?: number | null } = {}) {
  const set = loadMnist(dir, opts.split ?? 'train');
  const digits = new Set(opts.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const want = opts.count ?? Infinity;
  const rows: number[] = [];
  for (let i = 0; i < set.labels.length && rows.length < want; i++) if (digits.has(set.labels[i])) rows.push(i);
  if (rows.length === 0) throw new SflError(`no MNIST ${opts.split ?? 'train'} images of digits ${[...digits].join(',')}`);
  const d = set.images.cols;
  const data = new Float32Array(rows.length * d);
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    data.set(set.images.data.subarray(r * d, (r + 1) * d), i * d);
    labels[i] = set.labels[r];
  });
  const X: Matrix = { data, rows: rows.length, cols: d };
  const input: InputDescription = { kind: 'image', width: set.cols, height: set.rows };
  return { X, labels, input };
}

/** Random spectro-temporal windows (count x K*bands) from spectrograms, for unsupervised learning. */
export function audioWindows(res: Pick<SpectraResult, 'spectra' | 'params'>, opts: { frames: number; count: number; seed: number }) {
  const X = sampleWindows(res.spectra, { count: opts.count, frames: opts.frames, seed: opts.seed });
  const bands = res.spectra[0].cols;
  const input: InputDescription = {
    kind: 'spectro-temporal',
    frames: opts.frames,
    bands,
    spectrum: res.params,
    bandHz: columnFrequencies(res.params),
  };
  return { X, input };
}

/**
 * Training windows drawn in ONE pass from spectrograms offered one at a time (see
 * WindowReservoir): memory is the windows kept, whatever the total duration. Created at the first
 * spectrogram (which gives the bands); `describe` names a recording that gives more than half of
 * the windows and says what the windows are.
 */
export class StreamedWindows {
  private reservoir: WindowReservoir | null = null;
  private readonly names: string[] = [];

  constructor(readonly opts: { frames: number; count: number; seed: number; sampling: SamplingPolicy }) {}

  offer(name: string, spectrum: Matrix): void {
    this.reservoirFor(spectrum.cols).offer(spectrum);
    this.names.push(name);
  }

  /**
   * Offers a recording block by block (memory: a block and K - 1 frames, not the recording; the
   * windows are the ones offer() of the whole spectrogram would draw). If the blocks throw (a bad
   * file), the recording is withdrawn and the error passed on.
   */
  async offerBlocks(name: string, blocks: RowBlocks): Promise<void> {
    const draw = this.reservoirFor(blocks.cols).begin(blocks.rows, blocks.cols);
    try {
      for await (const b of blocks) draw.add(b);
      draw.commit();
    } catch (e) {
      draw.abort();
      throw e;
    }
    this.names.push(name);
  }

  private reservoirFor(bands: number): WindowReservoir {
    const o = this.opts;
    return (this.reservoir ??= new WindowReservoir({ count: o.count, frames: o.frames, bands, policy: o.sampling, seed: o.seed }));
  }

  get recordings(): number {
    return this.names.length;
  }

  /** The windows and their description; logs a warning when one recording dominates. */
  result(params: SpectrumParams, log: (line: string) => void): { X: Matrix; input: InputDescription } {
    if (!this.reservoir) throw new SflError('no recording could be used to draw training windows from');
    const X = this.reservoir.result();
    const top = this.reservoir.dominant();
    if (top) {
      const o = this.opts;
      const advice = o.sampling === 'duration' ? '; --sampling balanced gives every recording an equal share' : '';
      log(`warning: ${Math.round(100 * top.share)}% of the ${o.count} training windows come from one recording, ${this.names[top.index]} (sampling: ${o.sampling})${advice}`);
    }
    const note = repeatedWindowsNote(this.opts.count, this.reservoir.windowsAvailable, `windows of ${this.opts.frames} frames`);
    if (note) log(note);
    const input: InputDescription = { kind: 'spectro-temporal', frames: this.opts.frames, bands: X.cols / this.opts.frames, spectrum: params, bandHz: columnFrequencies(params) };
    return { X, input };
  }
}
