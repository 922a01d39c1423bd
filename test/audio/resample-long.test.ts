import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAudio, probeAudio } from '../../src/audio/decode.ts';
import { resample } from '../../src/audio/resample.ts';
import { defaultSpectrumParams } from '../../src/audio/spectrogram.ts';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';
import { LOG_FLOOR } from '../../src/audio/scale.ts';
import { wavHeaderPcm16 } from '../../src/audio/wav-encode.ts';

/**
 * The long-file path end to end (issue: a 10-minute 44.1 kHz stereo WAV resampled to 16 kHz came
 * back as 74,999 frames at the log floor): decode.ts streams the file through the resampler, and
 * the spectra of the result must have sound in every frame and equal, away from the cuts, those
 * of pieces of the same file converted on their own.
 */
const RATE = 44100, TARGET = 16000, SECONDS = 600;

/** Seconds of the pieces converted on their own (20 s each): start, middle, end. */
const PIECES = [0, 290, 580];
const PIECE_SECONDS = 20;

/**
 * Writes the file (left: a tone stepping up every 10 s; right: a second tone and a little noise;
 * never silent) and returns the mono mix-down of the pieces, as the WAV reader will see them.
 */
async function writeLongWav(path: string): Promise<Float32Array[]> {
  const frames = RATE * SECONDS;
  const fd = openSync(path, 'w');
  writeSync(fd, wavHeaderPcm16(frames, RATE, 2));
  const pieces = PIECES.map(() => new Float32Array(PIECE_SECONDS * RATE));
  let seed = 1;
  const chunk = new Int16Array(RATE * 2 * 10); // 10 s, interleaved L R (little-endian hosts)
  for (let start = 0; start < frames; start += RATE * 10) {
    for (let i = 0; i < RATE * 10; i++) {
      const t = (start + i) / RATE;
      seed = (seed * 1103515245 + 12345) >>> 0;
      const l = Math.round(0.4 * 32767 * Math.sin(2 * Math.PI * (300 + 100 * (Math.floor(t / 10) % 40)) * t));
      const r = Math.round(32767 * (0.3 * Math.sin(2 * Math.PI * 2500 * t) + (seed / 2 ** 32 - 0.5) * 0.02));
      chunk[2 * i] = l;
      chunk[2 * i + 1] = r;
      const p = PIECES.findIndex((s) => start + i >= s * RATE && start + i < (s + PIECE_SECONDS) * RATE);
      if (p >= 0) pieces[p][start + i - PIECES[p] * RATE] = (l / 32768 + r / 32768) / 2;
    }
    writeSync(fd, new Uint8Array(chunk.buffer));
    // Let the test runner's messages through between chunks (a long synchronous loop starves them).
    await new Promise((resolve) => setImmediate(resolve));
  }
  closeSync(fd);
  return pieces;
}

describe('a 10-minute 44.1 kHz stereo WAV resampled to 16 kHz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sfl-long-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('comes back whole: sound in every frame, and the spectra of pieces converted alone', async () => {
    const path = join(dir, 'field-recording.wav');
    const pieces = await writeLongWav(path);
    expect((await probeAudio(path)).durationSeconds).toBe(SECONDS);

    // Streamed: bounded memory on the way, kept here to compare.
    const stream = await openAudio(path, { sampleRate: TARGET });
    const out = new Float32Array(TARGET * SECONDS);
    let at = 0;
    for await (const block of stream) {
      out.set(block, at);
      at += block.length;
    }
    expect(at).toBe(TARGET * SECONDS);

    // 256-sample frames every 128 samples (the sizes the frame count below was written for).
    const params = { ...defaultSpectrumParams(TARGET), frameSize: 256, hop: 128 };
    const whole = spectrogram(out, params);
    expect(whole.rows).toBeGreaterThan(74_000);
    // No frame at the log floor: the loudest band of every frame is far above ln(1e-10) = -23.
    let quietest = Infinity;
    for (let t = 0; t < whole.rows; t++) {
      let loudest = -Infinity;
      for (let b = 0; b < whole.cols; b++) loudest = Math.max(loudest, whole.data[t * whole.cols + b]);
      quietest = Math.min(quietest, loudest);
    }
    expect(quietest).toBeGreaterThan(Math.log(LOG_FLOOR) + 15);

    // Pieces of 20 s at the start, the middle and the end, mixed down and converted on their own:
    // their spectra equal the whole's away from the cuts (1 s each side, where the converter
    // sees the edge of a piece instead of the signal).
    const framesPerSecond = TARGET / params.hop;
    let worst = 0;
    for (const [p, startSec] of PIECES.entries()) {
      const piece = await resample(pieces[p], RATE, TARGET);
      const S = spectrogram(piece, params);
      for (let t = framesPerSecond; t < S.rows - 2 * framesPerSecond; t++) {
        const tw = t + startSec * framesPerSecond;
        for (let b = 0; b < S.cols; b++) worst = Math.max(worst, Math.abs(S.data[t * S.cols + b] - whole.data[tw * whole.cols + b]));
      }
    }
    expect(worst).toBeLessThan(1e-3);
  }, 180_000);
});
