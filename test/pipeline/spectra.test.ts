import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { buildWav, toneWav } from '../audio/wav-fixtures.ts';
import { encodeWavPcm16 } from '../../src/audio/wav-encode.ts';

const dir = mkdtempSync(join(tmpdir(), 'sfl-spectra-'));
function wav(name: string, n: number, rate = 8000, f = 440): string {
  const p = join(dir, name);
  writeFileSync(p, toneWav(n, rate, f));
  return p;
}
const silent = join(dir, 'silent.wav');
writeFileSync(silent, buildWav({ encoding: 'pcm16', channels: [new Array(4000).fill(0)] }));

describe('loadSpectra progress within a long file', () => {
  it('moves as the blocks of one file are read, not only when the file is done', async () => {
    // 200 s at 8 kHz: a few decoding blocks.
    const path = join(mkdtempSync(join(tmpdir(), 'sfl-progress-')), 'long.wav');
    writeFileSync(path, encodeWavPcm16(Float32Array.from({ length: 200 * 8000 }, (_, i) => 0.3 * Math.sin(i / 7)), 8000));
    const seen: number[] = [];
    await loadSpectra([path], {}, { cache: false, onProgress: (d, total) => (expect(total).toBe(1), seen.push(d)) });
    const within = seen.filter((d) => d > 0 && d < 1);
    expect(within.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(1);
  });
});

describe('loading spectra from files', () => {
  it('a silent file and a file shorter than one frame are errors naming the file', async () => {
    await expect(loadSpectra([silent], {}, { cache: false })).rejects.toThrow(/silent\.wav: silent/);
    await expect(loadSpectra([wav('short.wav', 100)], {}, { cache: false })).rejects.toThrow(/short\.wav: too short: 100 samples.*one frame \(256\)/);
  });

  it('in a folder scan, bad files are skipped with their reasons and the rest load', async () => {
    const good = wav('good.wav', 4000);
    const res = await loadSpectra([good, silent, wav('tiny.wav', 10)], { transform: 'fft' }, { cache: false, skipBad: true });
    expect(res.paths).toEqual([good]);
    expect(res.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/silent/), expect.stringMatching(/too short/)]);
    expect(res.spectra[0].cols).toBe(129);
  });

  it('files at different rates: the most common rate wins (said in one line), the others are resampled to it', async () => {
    const a = wav('a8k.wav', 4000, 8000), b = wav('b16k.wav', 8000, 16000), c = wav('c16k.wav', 8000, 16000);
    const mixed = await loadSpectra([a, b, c], { transform: 'fft' }, { cache: false });
    expect(mixed.params.sampleRate).toBe(16000);
    expect(mixed.rateNote).toBe(
      'sample rate: 16000 Hz, the most common (2 at 16000 Hz, 1 at 8000 Hz); the others are resampled to it (--sample-rate to choose); ' +
        'analysed up to 4000 Hz, the Nyquist frequency of the files at 8000 Hz, since upsampled files have nothing above it and features would learn which rate a file had (--fmax to choose); ' +
        'frames of 512 samples (32 ms; asked 32ms) every 256 samples (16 ms; half the frame), 0-4000 Hz',
    );
    // fft keeps the bins up to 4000 Hz: 0 .. 128 of 0 .. 256.
    expect(mixed.spectra.map((m) => m.cols)).toEqual([129, 129, 129]);
    // A tie goes to the higher rate, so no file loses bandwidth it has.
    expect((await loadSpectra([a, b], { transform: 'fft' }, { cache: false })).params.sampleRate).toBe(16000);
    const res = await loadSpectra([a, b], { sampleRate: 8000, transform: 'fft' }, { cache: false });
    expect(res.rateNote).toMatch(/^sample rate: 8000 Hz \(as asked\)/);
    // Same tone, same duration (0.5 s) -> same number of frames and the same peak bin at 8 kHz.
    expect(res.spectra[0].rows).toBe(res.spectra[1].rows);
    const peak = (m: { data: Float32Array; cols: number }) => {
      let best = 0;
      for (let k = 1; k < m.cols; k++) if (m.data[5 * m.cols + k] > m.data[5 * m.cols + best]) best = k;
      return best;
    };
    expect(peak(res.spectra[1])).toBe(peak(res.spectra[0]));
  });

  it('every format is read; a NaN file is skipped with its name; clipping is reported in warnings', async () => {
    const fixtures = ['speech.mp3', 'speech.flac', 'speech.ogg', 'speech.opus'].map((f) => join('test/fixtures/audio', f));
    const nan = join(dir, 'nan.wav');
    writeFileSync(nan, buildWav({ encoding: 'float32', sampleRate: 16000, channels: [Array.from({ length: 4000 }, (_, i) => (i === 99 ? NaN : 0.1 * Math.sin(i / 5)))] }));
    const hot = join(dir, 'hot.wav');
    writeFileSync(hot, buildWav({ encoding: 'float32', sampleRate: 16000, channels: [Array.from({ length: 4000 }, (_, i) => 1.5 * Math.sin(i / 5))] }));
    const res = await loadSpectra([...fixtures, nan, hot], { sampleRate: 16000 }, { cache: false, skipBad: true });
    expect(res.paths).toEqual([...fixtures, hot]);
    expect(res.skipped).toEqual([{ path: nan, reason: expect.stringMatching(/nan\.wav: non-finite sample value NaN at sample 99/) }]);
    expect(res.warnings).toEqual([expect.stringMatching(/hot\.wav: \d+ sample\(s\) beyond full scale .* clipped/)]);
    for (const m of res.spectra) expect(m.data.every(Number.isFinite)).toBe(true);
  });

  it('an absurd rate, non-finite or huge samples skip the file, named, and do not vote on the rate', async () => {
    const good = wav('ok.wav', 4000, 8000);
    const tone = Array.from({ length: 4000 }, (_, i) => 0.5 * Math.sin(i / 3));
    const put = (name: string, bytes: Uint8Array) => (writeFileSync(join(dir, name), bytes), join(dir, name));
    const oneHz = put('one-hz.wav', buildWav({ encoding: 'pcm16', sampleRate: 1, channels: [tone.map((v) => Math.round(v * 3e4))] }));
    const nan = put('nan.wav', buildWav({ encoding: 'float32', channels: [tone.map((v, i) => (i === 77 ? NaN : v))] }));
    const inf = put('inf.wav', buildWav({ encoding: 'float32', channels: [tone.map((v, i) => (i === 5 ? -Infinity : v))] }));
    const huge = put('huge.wav', buildWav({ encoding: 'float32', channels: [tone.map((v) => v * 1e38)] }));
    const res = await loadSpectra([good, oneHz, nan, inf, huge], {}, { cache: false, skipBad: true });
    expect(res.paths).toEqual([good]);
    expect(res.params.sampleRate).toBe(8000);
    expect(res.skipped).toEqual([
      { path: oneHz, reason: `${oneHz}: sample rate 1 Hz is outside 1-384 kHz (corrupt header?)` },
      { path: nan, reason: `${nan}: non-finite sample value NaN at sample 77 (0.010 s): the file is corrupt` },
      { path: inf, reason: `${inf}: non-finite sample value -Infinity at sample 5 (0.001 s): the file is corrupt` },
      { path: huge, reason: expect.stringMatching(/huge\.wav: sample value .* is more than 1000 times full scale/) },
    ]);
    // A float file a little over full scale is used, clipped, with a warning naming it.
    const hot = put('hot.wav', buildWav({ encoding: 'float32', channels: [tone.map((v) => 3 * v)] }));
    const clipped = await loadSpectra([good, hot], {}, { cache: false, skipBad: true });
    expect(clipped.paths).toEqual([good, hot]);
    expect(clipped.warnings).toEqual([expect.stringMatching(/^.*hot\.wav: \d+ sample\(s\) beyond full scale .* clipped to \+-1$/)]);
  });

  it('an empty list of files is an error', async () => {
    await expect(loadSpectra([], {})).rejects.toThrow(/no audio files/);
  });
});

describe('mixed native rates: the upper frequency', () => {
  // Written with the project's own WAV writer: a 16 kHz and a 44.1 kHz tone, 0.25 s each.
  const mixedDir = mkdtempSync(join(tmpdir(), 'sfl-spectra-rates-'));
  const tone = (name: string, rate: number) => {
    const x = new Float32Array(Math.round(rate / 4)).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));
    const p = join(mixedDir, name);
    writeFileSync(p, encodeWavPcm16(x, rate));
    return p;
  };
  const low = tone('a16k.wav', 16000), high = tone('b44k.wav', 44100), high2 = tone('c44k.wav', 44100);

  it('files upsampled from 16 kHz: mel stops at 8000 Hz, and the rate line says why and names --fmax', async () => {
    const res = await loadSpectra([low, high, high2], {}, { cache: false });
    expect(res.params.sampleRate).toBe(44100);
    expect(res.params.fMax).toBe(8000);
    expect(res.rateNote).toMatch(/analysed up to 8000 Hz, the Nyquist frequency of the files at 16000 Hz.*\(--fmax to choose\)/);
    // Also when the analysis rate is asked for and still upsamples.
    expect((await loadSpectra([low, high], { sampleRate: 44100 }, { cache: false })).params.fMax).toBe(8000);
  });

  it('the run records the range used, what was asked and why it was capped (Framing)', async () => {
    const res = await loadSpectra([low, high, high2], {}, { cache: false });
    expect(res.framing).toMatchObject({ fMin: 0, fMax: 8000, asked: { frameSize: '32ms', hop: 'half', fMin: 0, fMax: 'Nyquist' } });
    expect(res.framing.fMaxCapped).toMatch(/^the Nyquist frequency of the files at 16000 Hz \(the lowest rate among them\): files upsampled to 44100 Hz have nothing above it/);
    expect(res.rateNote).toMatch(/every 512 samples \(11\.6 ms; half the frame\), 0-8000 Hz$/);
    const asked = await loadSpectra([low, high, high2], { fMin: 50, fMax: 12000 }, { cache: false });
    expect(asked.framing).toMatchObject({ fMin: 50, fMax: 12000, asked: { fMin: 50, fMax: 12000 } });
    expect(asked.framing.fMaxCapped).toBeUndefined();
  });

  it('fft and cepstrum stop there too: no column is empty for the upsampled file only', async () => {
    const fft = await loadSpectra([low, high, high2], { transform: 'fft' }, { cache: false });
    // 1024-sample frames at 44.1 kHz: bins 0 .. 185 (7967 Hz) of 0 .. 512.
    expect([fft.params.fMax, fft.spectra[0].cols]).toEqual([8000, 186]);
    const ceps = await loadSpectra([low, high, high2], { transform: 'cepstrum' }, { cache: false });
    expect(ceps.params.fMax).toBe(8000);
    expect(ceps.rateNote).toMatch(/analysed up to 8000 Hz/);
  });

  it('an explicit fMax wins; downsampling only and a single rate keep the Nyquist frequency', async () => {
    const asked = await loadSpectra([low, high, high2], { fMax: 12000 }, { cache: false });
    expect(asked.params.fMax).toBe(12000);
    expect(asked.rateNote).not.toMatch(/analysed up to/);
    const down = await loadSpectra([low, high], { sampleRate: 16000 }, { cache: false });
    expect(down.params.fMax).toBe(8000);
    expect(down.rateNote).not.toMatch(/analysed up to/);
    const single = await loadSpectra([high, high2], {}, { cache: false });
    expect(single.params.fMax).toBe(22050);
    expect(single.rateNote).toMatch(/^sample rate: 44100 Hz \(every file\); frames/);
  });

  it('an unreadable file does not count', async () => {
    const broken = join(mixedDir, 'broken.wav');
    writeFileSync(broken, 'RIFF not a wav');
    const res = await loadSpectra([broken, high, high2], {}, { cache: false, skipBad: true });
    expect(res.params.fMax).toBe(22050);
    expect(res.skipped.map((s) => s.path)).toEqual([broken]);
  });
});

describe('loading many files through the cache', () => {
  /** Open file descriptors of this process (Linux), or null where they cannot be listed. */
  const openFiles = () => {
    try {
      return readdirSync('/proc/self/fd').length;
    } catch {
      return null;
    }
  };

  it('looks files up ahead of the one read: the same spectra in the same order, and an error leaves no cache entry open', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'sfl-spectra-cache-'));
    const files = Array.from({ length: 20 }, (_, i) => wav(`many${i}.wav`, 2000 + 300 * i, 8000, 200 + 40 * i));
    const fresh = await loadSpectra(files, { transform: 'mel', bands: 12 }, { cache: false });
    const filled = await loadSpectra(files, { transform: 'mel', bands: 12 }, { cacheDir });
    const read = await loadSpectra(files, { transform: 'mel', bands: 12 }, { cacheDir });
    expect(filled.cache.misses).toBe(20);
    expect(read.cache.hits).toBe(20);
    expect(read.paths).toEqual(files);
    read.spectra.forEach((m, i) => expect(Array.from(m.data)).toEqual(Array.from(fresh.spectra[i].data)));

    // A bad file ends the loop (no skipBad) while the entries of the files after it are looked up
    // and open: entries above 1 MB (34 s of fft frames each), which are read as they are used.
    const before = openFiles();
    if (before === null) {
      console.warn('skipped the open-file count: /proc/self/fd cannot be listed here');
      return;
    }
    const long = Array.from({ length: 12 }, (_, i) => wav(`long${i}.wav`, 34 * 8000, 8000, 300 + 50 * i));
    const filledLong = await loadSpectra(long, { transform: 'fft' }, { cacheDir });
    expect(4 * filledLong.spectra[0].rows * filledLong.spectra[0].cols).toBeGreaterThan(1 << 20);
    const withBad = [...long.slice(0, 3), silent, ...long.slice(3)];
    await expect(loadSpectra(withBad, { transform: 'fft' }, { cacheDir })).rejects.toThrow(/silent\.wav: silent/);
    await new Promise((done) => setImmediate(done));
    expect(openFiles()).toBe(before);
  });
});
