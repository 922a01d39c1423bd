/**
 * The two kinds of input a model learns from, and how to describe them so a saved model knows
 * what it was trained on (and a picture knows how to draw a filter):
 *  - 'image': MNIST digits, width x height pixels in [0, 1], row-major;
 *  - 'spectro-temporal': K consecutive spectral frames flattened time-major (features/sampler.ts).
 */
import type { SpectrumParams } from '../audio/spectrogram.ts';

export type InputDescription =
  | { kind: 'image'; width: number; height: number }
  | { kind: 'spectro-temporal'; frames: number; bands: number; spectrum: SpectrumParams; bandHz: number[] | null };

export function inputDim(d: InputDescription): number {
  return d.kind === 'image' ? d.width * d.height : d.frames * d.bands;
}
