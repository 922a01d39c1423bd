/**
 * Writing a WAV file: 16-bit PCM, the one format every player and decoder reads. Samples are
 * clipped to [-1, 1] and scaled by 2^15 (the inverse of wav.ts's convention), rounded to nearest.
 */

/**
 * The 44-byte header of a canonical 16-bit PCM WAV holding `frames` sample frames of `channels`
 * interleaved channels; the samples follow it. Apart so that a writer can stream the samples.
 */
export function wavHeaderPcm16(frames: number, sampleRate: number, channels = 1): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new Error(`wavHeaderPcm16: sample rate must be a positive integer, got ${sampleRate}`);
  const blockAlign = 2 * channels;
  const dataBytes = frames * blockAlign;
  const out = new Uint8Array(44);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true); // fmt chunk size
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * blockAlign, true); // bytes per second
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  return out;
}

/** A whole mono 16-bit WAV file of `samples` (floats, clipped to [-1, 1]). */
export function encodeWavPcm16(samples: Float32Array, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new Error(`encodeWavPcm16: sample rate must be a positive integer, got ${sampleRate}`);
  const out = new Uint8Array(44 + samples.length * 2);
  out.set(wavHeaderPcm16(samples.length, sampleRate));
  const v = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i] || 0));
    v.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
  }
  return out;
}
