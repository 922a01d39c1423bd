import type { Matrix } from '../compute/matrix.ts';
import { dctRows } from './dct.ts';
import { logInPlace } from './scale.ts';

/**
 * MFCCs from mel band energies: orthonormal DCT-II of ln(mel + LOG_FLOOR) along the bands,
 * first `coefficients` kept (c0 included, no liftering). With mel energies from the power
 * spectrum this is torchaudio's MFCC(log_mels=True, norm='ortho') up to its log floor (1e-6
 * there; ours 1e-10, see scale.ts).
 *
 * Own implementation on purpose: meyda's MFCC uses its own mel filterbank and an unnormalised
 * DCT and follows no reference implementation, so it is not used.
 *
 * @param melEnergies (frames, bands) non-negative mel energies (NOT log). Overwritten with their log.
 * @param coefficients 1 .. bands.
 * @returns (frames, coefficients).
 */
export function mfccFromMel(melEnergies: Matrix, coefficients: number): Matrix {
  return dctRows(logInPlace(melEnergies), coefficients);
}
