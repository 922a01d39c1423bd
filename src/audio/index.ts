/** Public API of the audio front end: WAV decoding, resampling, framing and spectral transforms. */
export { decodeWav, readWav, type DecodedWav } from './wav.ts';
export { resample } from './resample.ts';
export { frameSignal, frameCount, type FrameOptions } from './frames.ts';
export { getWindow, WINDOW_TYPES, type WindowType } from './window.ts';
export { spectrum, binCount, binFrequency } from './fft.ts';
export { melFilterbank, hzToMel, melToHz, type MelOptions } from './mel.ts';
export { barkFilterbank, hzToBark, specificLoudnessInPlace, LOUDNESS_EXPONENT, type BarkOptions } from './bark.ts';
export { applyFilterbank, denseFilterbank, type SparseFilterbank } from './filterbank.ts';
export { mfccFromMel } from './mfcc.ts';
export { dctRows } from './dct.ts';
export { realCepstrum } from './cepstrum.ts';
export { LOG_FLOOR, logInPlace } from './scale.ts';
export { defaultSpectrumParams, spectrumWidth, validateSpectrumParams, TRANSFORMS, type SpectrumParams, type Transform } from './spectrogram.ts';
export { spectrogram, SpectrogramStream } from './spectrogram-stream.ts';
