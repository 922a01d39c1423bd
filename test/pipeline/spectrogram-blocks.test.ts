import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from '../../src/compute/matrix.ts';
import { readAudio } from '../../src/audio/decode.ts';
import { defaultSpectrumParams, type SpectrumParams } from '../../src/audio/spectrogram.ts';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';
import { loadSpectra, openSpectrogram } from '../../src/pipeline/spectra.ts';
import { StreamedWindows } from '../../src/pipeline/inputs.ts';
import { buildWav } from '../audio/wav-fixtures.ts';
import { noise } from '../audio/signals.ts';

const dir = mkdtempSync(join(tmpdir(), 'sfl-blocks-'));

/** A WAV of `n` samples at `rate`: a rising sweep over noise, its loudness changing, so no two windows look alike. */
function sweepWav(name: string, n: number, rate: number): string {
  const hiss = noise(n, 3);
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const level = 0.5 + 0.4 * Math.sin(t / 3);
    codes[i] = Math.round(8000 * level * Math.sin(2 * Math.PI * (200 * t + 20 * t * t)) + 1500 * hiss[i]);
  }
  const p = join(dir, name);
  writeFileSync(p, buildWav({ encoding: 'pcm16', sampleRate: rate, channels: [codes] }));
  return p;
}

// More than two of the loader's decode blocks (2^19 samples) at 16 kHz: 75 s.
const LONG = 1_200_000;
const long16k = sweepWav('long16k.wav', LONG, 16000);
const long22k = sweepWav('long22k.wav', 1_300_000, 22050);
const short16k = sweepWav('short16k.wav', 30_000, 16000);

async function blocksOf(path: string, params: SpectrumParams): Promise<{ rows: number; blocks: Matrix[] }> {
  const b = await openSpectrogram(path, params);
  const blocks: Matrix[] = [];
  for await (const m of b) blocks.push(m);
  return { rows: b.rows, blocks };
}

function concat(blocks: Matrix[]): Float32Array {
  const out = new Float32Array(blocks.reduce((n, b) => n + b.data.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b.data, at);
    at += b.data.length;
  }
  return out;
}

/** The spectrogram of the whole decoded signal in memory: the reference. */
async function wholeSpectrogram(path: string, params: SpectrumParams): Promise<Matrix> {
  return spectrogram((await readAudio(path, { sampleRate: params.sampleRate })).samples, params);
}

describe('a recording as blocks of frames (openSpectrogram)', () => {
  it('announces its frame count before decoding and gives the whole-signal spectrogram in several blocks', async () => {
    for (const [path, params] of [
      [long16k, defaultSpectrumParams(16000)],
      // Resampled 22.05 -> 16 kHz: the count follows the resampler's length rule.
      [long22k, defaultSpectrumParams(16000)],
      [long16k, { ...defaultSpectrumParams(16000), center: true, padMode: 'reflect' as const, transform: 'mfcc' as const }],
    ] as const) {
      const want = await wholeSpectrogram(path, params);
      const got = await blocksOf(path, params);
      expect(got.rows).toBe(want.rows);
      expect(got.blocks.length).toBeGreaterThan(2);
      expect(Array.from(concat(got.blocks))).toEqual(Array.from(want.data));
    }
  });

  it('an MP3 (length not known before decoding) and settings that need the whole recording give the same frames', async () => {
    const mp3 = 'test/fixtures/audio/speech.mp3';
    const p = defaultSpectrumParams(16000);
    const want = await wholeSpectrogram(mp3, p);
    const got = await blocksOf(mp3, p);
    expect(got.rows).toBe(want.rows);
    expect(Array.from(concat(got.blocks))).toEqual(Array.from(want.data));
    const trimmed = { ...p, logScale: 'db' as const, trimDb: 30, topDb: 60 };
    const t = await blocksOf(long16k, trimmed);
    expect(Array.from(concat(t.blocks))).toEqual(Array.from((await wholeSpectrogram(long16k, trimmed)).data));
  });

  it('train-sae windows sampled from the streamed blocks are exactly those of the whole spectrograms', async () => {
    const paths = [short16k, long16k, long22k];
    for (const sampling of ['balanced', 'duration'] as const) {
      const opts = { frames: 4, count: 3000, seed: 11, sampling };
      const streamed = new StreamedWindows(opts);
      const res = await loadSpectra(paths, { sampleRate: 16000 }, { cache: false, consumeBlocks: (path, b) => streamed.offerBlocks(path, b) });
      expect(res.spectra).toEqual([]);
      const whole = new StreamedWindows(opts);
      for (const path of paths) whole.offer(path, await wholeSpectrogram(path, res.params));
      const a = streamed.result(res.params, () => {}).X;
      const b = whole.result(res.params, () => {}).X;
      expect(a.rows).toBe(3000);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
  });

  it('a file found bad part-way is skipped and leaves no windows: the draw is that of the good files alone', async () => {
    // A NaN late in the file: found when its block is decoded, after blocks have passed.
    const values = Array.from({ length: 1_100_000 }, (_, i) => (i === 1_050_000 ? NaN : 0.2 * Math.sin(i / 7)));
    const bad = join(dir, 'nan-late.wav');
    writeFileSync(bad, buildWav({ encoding: 'float32', sampleRate: 16000, channels: [values] }));
    const opts = { frames: 4, count: 2000, seed: 5, sampling: 'balanced' as const };
    const withBad = new StreamedWindows(opts);
    let blocksSeen = 0;
    const res = await loadSpectra([short16k, bad, long16k], { sampleRate: 16000 }, {
      cache: false,
      skipBad: true,
      consumeBlocks: async (path, b) => {
        if (path === bad) blocksSeen = -1;
        await withBad.offerBlocks(path, {
          rows: b.rows,
          cols: b.cols,
          async *[Symbol.asyncIterator]() {
            for await (const m of b) {
              if (path === bad) blocksSeen--;
              yield m;
            }
          },
        });
      },
    });
    expect(res.skipped).toEqual([{ path: bad, reason: expect.stringMatching(/nan-late\.wav: non-finite sample value NaN at sample 1050000/) }]);
    expect(blocksSeen).toBeLessThan(-1);
    const good = new StreamedWindows(opts);
    await loadSpectra([short16k, long16k], { sampleRate: 16000 }, { cache: false, consumeBlocks: (path, b) => good.offerBlocks(path, b) });
    expect(Array.from(withBad.result(res.params, () => {}).X.data)).toEqual(Array.from(good.result(res.params, () => {}).X.data));
  });
});
