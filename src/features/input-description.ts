/**
 * The two kinds of input a model learns from, and how to describe them so a saved model knows
 * what it was trained on (and a picture knows how to draw a filter):
 *  - 'image': MNIST digits, width x height pixels in [0, 1], row-major;
 *  - 'spectro-temporal': K consecutive spectral frames flattened time-major (features/sampler.ts);
 *  - 'pooled-features': a recording's window features pooled over time, `blocks` blocks (segment x
 *    statistic, features/pooling.ts) of one value per window unit, block-major.
 */
import type { SpectrumParams } from '../audio/spectrogram.ts';

export type InputDescription =
  | { kind: 'image'; width: number; height: number }
  | { kind: 'spectro-temporal'; frames: number; bands: number; spectrum: SpectrumParams; bandHz: number[] | null }
  | { kind: 'pooled-features'; units: number; blocks: number };

export function inputDim(d: InputDescription): number {
  if (d.kind === 'image') return d.width * d.height;
  return d.kind === 'pooled-features' ? d.units * d.blocks : d.frames * d.bands;
}
