import { describe, expect, it } from 'vitest';
import { frameCount, frameSignal } from '../../src/audio/frames.ts';
import { getWindow } from '../../src/audio/window.ts';
import { SflError } from '../../src/util/errors.ts';
import { noise } from './signals.ts';

describe('getWindow', () => {
  it('periodic Hann: starts at 0, peaks at N/2, overlap-adds to 1 at hop N/2', () => {
    const w = getWindow('hann', 256);
    expect(w[0]).toBe(0);
    expect(w[128]).toBe(1);
    expect(w[64]).toBeCloseTo(0.5, 6);
    expect(w[255]).toBeCloseTo(w[1], 6); // periodic: w[N-n] = w[n]
    for (let n = 0; n < 128; n++) expect(w[n] + w[n + 128]).toBeCloseTo(1, 6);
  });

  it('periodic Hamming and rect', () => {
    const h = getWindow('hamming', 64);
    expect(h[0]).toBeCloseTo(0.08, 6);
    expect(h[32]).toBeCloseTo(1, 6);
    expect(Array.from(getWindow('rect', 5))).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('frameSignal', () => {
  const x = noise(1000, 7);

  it('frames start every hop, and a partial last frame is zero-padded', () => {
    const m = frameSignal(x, { frameSize: 256, hop: 128, window: 'rect' });
    expect(m.cols).toBe(256);
    expect(m.rows).toBe(7); // 1 + ceil((1000 - 256) / 128)
    expect(m.rows).toBe(frameCount(1000, 256, 128));
    for (let t = 0; t < m.rows; t++) {
      for (let j = 0; j < 256; j++) {
        const i = t * 128 + j;
        expect(m.data[t * 256 + j]).toBe(i < 1000 ? x[i] : 0);
      }
    }
  });

  it('adds no frame when the frames fit exactly', () => {
    expect(frameSignal(x.subarray(0, 256 + 3 * 128)).rows).toBe(4);
    expect(frameSignal(x.subarray(0, 256 + 3 * 128 + 1)).rows).toBe(5);
  });

  it('applies the window', () => {
    const m = frameSignal(x, { frameSize: 64, hop: 32, window: 'hann' });
    const w = getWindow('hann', 64);
    expect(m.data[64 + 10]).toBeCloseTo(x[32 + 10] * w[10], 7);
  });

  it('a signal shorter than one frame gives exactly one zero-padded frame', () => {
    const m = frameSignal(x.subarray(0, 100), { frameSize: 256, hop: 128, window: 'rect' });
    expect(m.rows).toBe(1);
    expect(Array.from(m.data.subarray(0, 100))).toEqual(Array.from(x.subarray(0, 100)));
    expect(m.data.subarray(100).every((v) => v === 0)).toBe(true);
    expect(frameSignal(Float32Array.of(0.5)).rows).toBe(1);
  });

  it('an empty signal gives no frames', () => {
    const m = frameSignal(new Float32Array(0));
    expect([m.rows, m.cols]).toEqual([0, 256]);
  });

  it('center=true centres frame t on sample t*hop', () => {
    const m = frameSignal(x, { frameSize: 256, hop: 128, window: 'rect', center: true });
    for (let t = 0; t < m.rows; t++) {
      const i = t * 128;
      expect(m.data[t * 256 + 128]).toBe(i < 1000 ? x[i] : 0);
    }
    expect(m.data.subarray(0, 128).every((v) => v === 0)).toBe(true);
  });

  it("center=true gives librosa's frame count 1 + floor(length / hop), also when the length is not a multiple of the hop", () => {
    // Before: 1 + ceil(length / hop), one frame more than librosa.stft(center=True) for 1000 samples.
    for (const [length, hop, frameSize] of [[1000, 128, 256], [1024, 128, 256], [13230, 512, 2048], [1, 512, 2048], [511, 512, 2048]]) {
      const m = frameSignal(noise(length, 3), { frameSize, hop, center: true });
      expect(m.rows, `${length} samples, hop ${hop}`).toBe(1 + Math.floor(length / hop));
    }
    // The last frame still covers the last sample (its centre is within hop of the end).
    const m = frameSignal(x, { frameSize: 256, hop: 128, window: 'rect', center: true });
    const lastStart = (m.rows - 1) * 128 - 128;
    expect(lastStart + 256).toBeGreaterThanOrEqual(1000);
  });

  it("padMode 'reflect' pads with the signal mirrored about its end samples (numpy.pad mode 'reflect')", () => {
    const s = Float32Array.from([1, 2, 3, 4, 5]);
    const m = frameSignal(s, { frameSize: 8, hop: 4, window: 'rect', center: true, padMode: 'reflect' });
    // numpy.pad([1,2,3,4,5], 4, mode='reflect') = [5,4,3,2, 1,2,3,4,5, 4,3,2,1]
    const padded = [5, 4, 3, 2, 1, 2, 3, 4, 5, 4, 3, 2, 1];
    expect(m.rows).toBe(2);
    expect(Array.from(m.data.subarray(0, 8))).toEqual(padded.slice(0, 8));
    expect(Array.from(m.data.subarray(8, 16))).toEqual(padded.slice(4, 12));
    // Pads longer than the signal reflect again (period 2(n - 1)), as numpy does.
    const short = frameSignal(Float32Array.from([1, 2, 3]), { frameSize: 8, hop: 4, window: 'rect', center: true, padMode: 'reflect' });
    // numpy.pad([1,2,3], 4, mode='reflect') = [1,2,3,2, 1,2,3, 2,1,2,3]
    expect(Array.from(short.data.subarray(0, 8))).toEqual([1, 2, 3, 2, 1, 2, 3, 2]);
  });

  it('rejects bad sizes with SflError', () => {
    expect(() => frameSignal(x, { frameSize: 0 })).toThrow(SflError);
    expect(() => frameSignal(x, { hop: 1.5 })).toThrow(SflError);
    expect(() => frameSignal(x, { window: 'blackman' as never })).toThrow(/unknown window/);
  });
});
