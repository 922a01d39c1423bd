/**
 * What each column of a spectrogram means in Hz, for axis labels on pictures.
 */
import { binFrequency } from './fft.ts';
import { barkFilterbank } from './bark.ts';
import { hzToMel, melToHz } from './mel.ts';
import { spectrumBins, type SpectrumParams } from './spectrogram.ts';

/**
 * Centre frequency (Hz) of each output column: fft bins at k * sampleRate / frameSize (those kept,
 * fMin..fMax); mel bands
 * at their triangle peaks; Bark bands at the middle of their Bark interval. null for mfcc and
 * cepstrum, whose columns are quefrencies / coefficients, not frequencies.
 */
export function columnFrequencies(p: SpectrumParams): number[] | null {
  switch (p.transform) {
    case 'fft': {
      const { first, last } = spectrumBins(p);
      return Array.from({ length: last - first + 1 }, (_, i) => binFrequency(first + i, p.sampleRate, p.frameSize));
    }
    case 'mel': {
      const m0 = hzToMel(p.fMin), m1 = hzToMel(p.fMax);
      return Array.from({ length: p.bands }, (_, b) => melToHz(m0 + ((m1 - m0) * (b + 1)) / (p.bands + 1)));
    }
    case 'bark': {
      // Centroid of each rectangular band's bins (bark.ts assigns every bin to exactly one band).
      const fb = barkFilterbank({ sampleRate: p.sampleRate, frameSize: p.frameSize, bands: p.bands, fMin: p.fMin, fMax: p.fMax });
      return fb.weights.map((w, b) => {
        if (w.length === 0) return NaN;
        let s = 0;
        for (let i = 0; i < w.length; i++) s += binFrequency(fb.start[b] + i, p.sampleRate, p.frameSize);
        return s / w.length;
      });
    }
    default:
      return null;
  }
}
