/**
 * Spectrograms of many recordings, known by their lengths and produced one at a time on demand:
 * what the labelled experiments read, so that memory holds the recordings being worked on, not
 * the corpus. The frame counts are known before any spectrogram is produced (the loader measured
 * them), which lets a pass plan its work (which windows to draw, which recordings to encode
 * together) before reading.
 */
import type { Matrix } from '../compute/matrix.ts';
import type { RowBlocks } from '../data/row-blocks.ts';

export interface SpectrumList {
  /** Number of recordings. */
  readonly length: number;
  /** Columns (bands or coefficients) of every spectrogram. */
  readonly bands: number;
  /** Frames of spectrogram i, known without producing it. */
  frames(i: number): number;
  /**
   * Spectrogram i (frames(i) x bands): produced now, or one the list keeps in memory (the audio
   * set's budget), so a caller never modifies it.
   */
  load(i: number): Promise<Matrix>;
  /**
   * Spectrogram i as blocks of frames (frames(i) x bands in all), read once, never whole: for a
   * recording too long to hold (absent: load() only).
   */
  blocks?(i: number): Promise<RowBlocks>;
  /** What to call recording i in a message (its file), when known. */
  name?(i: number): string;
}

/** Spectrograms already in memory as a list (small sets, tests, `sfl classify`'s few files). */
export function spectrumListOf(spectra: readonly Matrix[]): SpectrumList {
  return {
    length: spectra.length,
    bands: spectra[0]?.cols ?? 0,
    frames: (i) => spectra[i].rows,
    load: async (i) => spectra[i],
  };
}

/** A list as it is, or the in-memory list of an array of spectrograms. */
export function asSpectrumList(x: readonly Matrix[] | SpectrumList): SpectrumList {
  return Array.isArray(x) ? spectrumListOf(x as readonly Matrix[]) : (x as SpectrumList);
}

/**
 * Frames above which a pass reads a recording block by block (SpectrumList.blocks) rather than
 * whole: about 17 minutes at 16 kHz with a 256-sample hop. Shorter recordings are loaded whole,
 * which is cheaper per recording (one read, one call of the encoder over many at once).
 */
export const BLOCKWISE_FRAMES = 1 << 16;

/** Spectrogram i of `list` as blocks of frames: its blocks when it is long and the list has them, else the whole matrix as one block. */
export async function blocksOf(list: SpectrumList, i: number): Promise<AsyncIterable<Matrix>> {
  if (list.blocks && list.frames(i) > BLOCKWISE_FRAMES) return list.blocks(i);
  const whole = await list.load(i);
  return (async function* () {
    yield whole;
  })();
}
