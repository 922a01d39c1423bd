/**
 * Spectrograms of many recordings, known by their lengths and produced one at a time on demand:
 * what the labelled experiments read, so that memory holds the recordings being worked on, not
 * the corpus. The frame counts are known before any spectrogram is produced (the loader measured
 * them), which lets a pass plan its work (which windows to draw, which recordings to encode
 * together) before reading.
 */
import type { Matrix } from '../compute/matrix.ts';

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
