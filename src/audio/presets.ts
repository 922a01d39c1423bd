import { SflError } from '../util/errors.ts';
import type { SpectrumParams } from './spectrogram.ts';

/**
 * Named spectrum settings that reproduce another tool's defaults.
 *
 * 'librosa': what `librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr))` computes with
 * every parameter at its default (librosa 0.11), on `y, sr = librosa.load(path)`:
 *  - the signal at 22050 Hz (librosa.load's default sr; --sample-rate overrides it);
 *  - stft: n_fft 2048, hop 512, periodic Hann window, center=True with pad_mode 'constant' (zeros;
 *    'reflect' was the default before librosa 0.10: set padMode to compare with older code), so
 *    1 + floor(length / 512) frames;
 *  - power 2 (|X|^2), 128 mel bands from 0 Hz to sr/2 on Slaney's mel scale (htk=False) with
 *    norm='slaney' (equal-area filters);
 *  - power_to_db: 10 log10(max(S, 1e-10)) with ref=1.0 (not ref=np.max: values are absolute dB,
 *    not relative to the loudest), amin 1e-10, top_db 80 (floor at the recording's max - 80 dB).
 * Output here is time-major (frames x 128), the transpose of librosa's (128 x frames).
 * Checked against values computed by librosa's own code (test/audio/librosa-preset.test.ts,
 * fixture and script: test/fixtures/librosa/, scripts/librosa-reference.py).
 */
export const SPECTRUM_PRESETS = {
  librosa: {
    sampleRate: 22050,
    transform: 'mel',
    frameSize: 2048,
    hop: 512,
    window: 'hann',
    center: true,
    padMode: 'constant',
    bands: 128,
    fMin: 0,
    melScale: 'slaney',
    melNorm: 'slaney',
    power: true,
    log: true,
    logScale: 'db',
    topDb: 80,
  },
} as const satisfies Record<string, Partial<SpectrumParams>>;

export type SpectrumPreset = keyof typeof SPECTRUM_PRESETS;
export const PRESET_NAMES = Object.keys(SPECTRUM_PRESETS) as SpectrumPreset[];

/** The settings of a preset by name. @throws SflError naming the valid presets for an unknown one. */
export function spectrumPreset(name: string): Partial<SpectrumParams> {
  if (!(name in SPECTRUM_PRESETS)) throw new SflError(`unknown spectrum preset '${name}' (expected ${PRESET_NAMES.join(', ')})`);
  return { ...SPECTRUM_PRESETS[name as SpectrumPreset] };
}
