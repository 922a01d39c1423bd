import { describe, expect, it } from 'vitest';
import { durationSeconds, frameSizeAt, hopAt, parseHopLength, parseSampleLength, sampleLengthProblem } from '../../src/audio/frame-length.ts';
import { defaultSpectrumParams, resolveSpectrumParams, SPECTRUM_DEFAULTS } from '../../src/audio/spectrogram.ts';
import { spectrumPreset } from '../../src/audio/presets.ts';
import { SflError } from '../../src/util/errors.ts';

describe('frame size and hop as durations, resolved at the sample rate', () => {
  it('the defaults are 32 ms frames every half frame: at FSDD\'s 8 kHz exactly the 256 / 128 samples every FSDD figure was made with', () => {
    expect(SPECTRUM_DEFAULTS.frameSize).toBe('32ms');
    expect(SPECTRUM_DEFAULTS.hop).toBe('half');
    const p = defaultSpectrumParams(8000);
    expect([p.frameSize, p.hop]).toEqual([256, 128]);
  });

  it('at 16, 22.05, 44.1 and 48 kHz: the frame is the power of two nearest in ratio, the hop half of it (50% overlap at every rate)', () => {
    // 32 ms = 512, 705.6, 1411.2, 1536 samples.
    const at = (rate: number) => {
      const p = defaultSpectrumParams(rate);
      return [p.frameSize, p.hop];
    };
    expect(at(16000)).toEqual([512, 256]);
    expect(at(22050)).toEqual([512, 256]);
    expect(at(44100)).toEqual([1024, 512]);
    expect(at(48000)).toEqual([2048, 1024]);
    // A duration hop is the nearest whole sample: 16 ms = 352.8 samples at 22.05 kHz.
    expect(hopAt('16ms', 22050, 512)).toBe(353);
    // Nearest in ratio: 1.41 x 1024 rounds down, 1.42 x 1024 up (sqrt 2 = 1.414...).
    expect(frameSizeAt('1444ms', 1000)).toBe(1024);
    expect(frameSizeAt('1449ms', 1000)).toBe(2048);
    expect(hopAt('0.5s', 44100, 1024)).toBe(22050);
    expect(hopAt('0.01ms', 8000, 256)).toBe(1); // never 0
    expect(hopAt('half', 44100, 1024)).toBe(512);
  });

  it('a number of samples is kept as given at every rate (configs in samples, the librosa preset)', () => {
    for (const rate of [8000, 22050, 48000]) {
      const p = resolveSpectrumParams({ frameSize: 256, hop: 100 }, rate);
      expect([p.frameSize, p.hop]).toEqual([256, 100]);
    }
    const librosa = resolveSpectrumParams(spectrumPreset('librosa'), 44100);
    expect([librosa.frameSize, librosa.hop]).toEqual([2048, 512]);
  });

  it('a frame alone takes half of it as the hop, at every rate; a hop given explicitly is kept as given', () => {
    // --frame 512 alone at 44.1 kHz (a fixed 16 ms hop, 706 samples, was longer than it).
    expect(resolveSpectrumParams({ frameSize: 512 }, 44100)).toMatchObject({ frameSize: 512, hop: 256 });
    expect(resolveSpectrumParams({ frameSize: '64ms' }, 8000)).toMatchObject({ frameSize: 512, hop: 256 });
    expect(resolveSpectrumParams({ frameSize: 512, hop: null as never }, 44100).hop).toBe(256); // null keeps the default
    expect(resolveSpectrumParams({ frameSize: 1024, hop: '16ms' }, 44100)).toMatchObject({ frameSize: 1024, hop: 706 });
    expect(resolveSpectrumParams({ hop: 100 }, 48000)).toMatchObject({ frameSize: 2048, hop: 100 });
  });

  it('a hop that resolves longer than the frame, a frame that is not a power of two, or a bad duration are refused in a sentence', () => {
    expect(() => resolveSpectrumParams({ frameSize: '32ms', hop: '30ms' }, 22050)).toThrow(
      'the hop (--hop, spectrum.hop: 30ms = 662 samples) is longer than the frame (--frame, spectrum.frameSize: 32ms = 512 samples) at 22050 Hz, so samples would be skipped: give a shorter hop or a longer frame, or leave the hop at "half" (half the frame)',
    );
    expect(() => resolveSpectrumParams({ frameSize: 512, hop: '16ms' }, 44100)).toThrow(/hop \(--hop, spectrum\.hop: 16ms = 706 samples\) is longer than the frame \(--frame, spectrum\.frameSize: 512 samples\)/);
    expect(() => resolveSpectrumParams({ frameSize: 300 }, 8000)).toThrow(SflError);
    expect(() => resolveSpectrumParams({ frameSize: '32 bananas' }, 8000)).toThrow(/frameSize must be a number of samples or a duration like "32ms", got "32 bananas"/);
  });

  it('parses what a user writes: samples, ms and s; anything else is named', () => {
    expect(parseSampleLength('256', '--frame')).toBe(256);
    expect(parseSampleLength(' 32ms ', '--frame')).toBe('32ms');
    expect(parseSampleLength('0.016 s', '--hop')).toBe('0.016s');
    expect(() => parseSampleLength('32msec', '--hop')).toThrow(/--hop takes a number of samples like 256 or a duration like 32ms \(got "32msec"\)/);
    expect(() => parseSampleLength('-5', '--frame')).toThrow(SflError);
    expect(durationSeconds('32ms')).toBeCloseTo(0.032, 12);
    expect(durationSeconds('0ms')).toBeNull();
    expect(sampleLengthProblem(256, 8)).toBeNull();
    expect(sampleLengthProblem(4, 8)).toMatch(/>= 8/);
    expect(sampleLengthProblem('16ms', 1)).toBeNull();
    expect(sampleLengthProblem(true, 1)).toMatch(/number of samples or a duration/);
    // A hop may also be "half"; a frame may not.
    expect(parseHopLength(' Half ', '--hop')).toBe('half');
    expect(parseHopLength('128', '--hop')).toBe(128);
    expect(parseHopLength('10ms', '--hop')).toBe('10ms');
    expect(() => parseHopLength('halve', '--hop')).toThrow('--hop takes a number of samples like 128, a duration like 16ms, or half (half the frame) (got "halve")');
    expect(() => parseSampleLength('half', '--frame')).toThrow(/--frame takes a number of samples/);
    expect(sampleLengthProblem('half', 1, true)).toBeNull();
    expect(sampleLengthProblem('half', 8)).toMatch(/a duration > 0/);
    expect(sampleLengthProblem(0, 1, true)).toMatch(/>= 1, or "half" \(half the frame\)/);
  });
});
