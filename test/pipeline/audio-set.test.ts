import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadAudioSet, scanAudioTargets, summaryLine, targetsSummary } from '../../src/pipeline/audio-set.ts';
import { toneWav } from '../audio/wav-fixtures.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { tempDir, touch } from '../data/helpers.ts';

function tone(rate: number, seconds: number, f: number): Uint8Array {
  return toneWav(Math.round(rate * seconds), rate, f);
}

/** Two labelled sub-folders at mixed rates, a broken file, an unlabelled one, a text file, a resource fork. */
function userFolder(): string {
  const dir = tempDir();
  const files: Record<string, Uint8Array | string> = { 'notes.txt': 'hello', 'loose.wav': tone(8000, 0.3, 300), 'low/._a.wav': 'junk' };
  for (let i = 0; i < 6; i++) {
    files[`low/a${i}.wav`] = tone(i < 4 ? 8000 : 16000, 0.3, 200 + 10 * i);
    files[`high/b${i}.wav`] = tone(i < 4 ? 8000 : 22050, 0.3, 1500 + 10 * i);
  }
  files['high/broken.wav'] = tone(8000, 0.3, 1000).subarray(0, 30);
  touch(dir, files);
  return dir;
}

describe('loadAudioSet', () => {
  it('accounts for every file: used, or skipped by reason, in one summary line', async () => {
    const dir = userFolder();
    const lines: string[] = [];
    const set = await loadAudioSet({ dir, labels: 'auto', spectrum: { transform: 'mel', bands: 10 }, split: { kind: 'auto', testFraction: 0.34, testSpeakers: [], folds: 3, seed: 1 }, cache: false, log: (l) => lines.push(l) });
    expect(set.recordings).toHaveLength(12);
    expect(set.classNames).toEqual(['high', 'low']);
    expect(set.params.sampleRate).toBe(8000);
    expect(set.splits).toHaveLength(1);
    expect(set.splits[0].test.map((r) => r.label).sort()).toEqual(['high', 'high', 'low', 'low']);
    expect(lines[0]).toMatch(/^labels: from sub-folder names, 2 classes \(chosen automatically/);
    expect(lines[1]).toMatch(/^sample rate: 8000 Hz, the most common \(8 at 8000 Hz, 2 at 22050 Hz, 2 at 16000 Hz\)/);
    expect(lines[2]).toMatch(/^split: seeded stratified random, 34% of each label to test \(seed 1\); the file names carry no recording index/);
    expect(lines.at(-1)).toBe(
      `${dir}: 12 files used; 3 skipped: 1 not audio (notes.txt), 1 no label (loose.wav), 1 cannot be decoded (high/broken.wav); 1 hidden file ignored`,
    );
    expect(lines.some((l) => l.startsWith(`warning: skipped ${join(dir, 'high/broken.wav')}: corrupt or truncated header`))).toBe(true);
    expect(set.notes.at(-1)).toBe(lines.at(-1));
    // Each spectrogram is given again on demand, the same as when it was first read.
    const again = await loadSpectra(set.recordings.map((r) => r.path), { transform: 'mel', bands: 10 }, { cache: false });
    const list = set.spectra(set.recordings);
    expect(list.bands).toBe(10);
    for (let i = 0; i < set.recordings.length; i++) {
      const m = await list.load(i);
      expect(list.frames(i)).toBe(again.spectra[i].rows);
      expect(Array.from(m.data)).toEqual(Array.from(again.spectra[i].data));
    }
  });

  it('a recording changed after the folder was read is named, not used with a different length', async () => {
    const dir = tempDir();
    touch(dir, { 'a/x.wav': tone(8000, 0.3, 300), 'b/y.wav': tone(8000, 0.3, 900) });
    // keepBytes 0: nothing kept, so the recording is read again (a kept one is what was read at first).
    const set = await loadAudioSet({ dir, labels: 'auto', spectrum: { transform: 'mel', bands: 10 }, cache: false, keepBytes: 0, log: () => {} });
    touch(dir, { 'a/x.wav': tone(8000, 0.6, 300) });
    const x = set.recordings.find((r) => r.path.endsWith('x.wav'))!;
    await expect(set.spectrum(x)).rejects.toThrow(`${x.path}: its spectrogram has`);
  });

  it('keeps the spectrograms it read within its byte budget, and reads the others again', async () => {
    const dir = tempDir();
    touch(dir, { 'a/x.wav': tone(8000, 0.3, 300), 'b/y.wav': tone(8000, 0.3, 900), 'b/z.wav': tone(8000, 0.3, 1200) });
    const spectrum = { transform: 'mel' as const, bands: 10 };
    const first = await loadAudioSet({ dir, labels: 'auto', spectrum, cache: false, log: () => {} });
    const bytes = 4 * first.framesOf(first.recordings[0]) * first.bands;
    const read = async (keepBytes?: number) => {
      const set = await loadAudioSet({ dir, labels: 'auto', spectrum, cache: false, keepBytes, log: () => {} });
      const before = await Promise.all(set.recordings.map((r) => set.spectrum(r)));
      // Every file replaced after the folder was read: what comes back is what was kept, else read again.
      touch(dir, { 'a/x.wav': 'gone', 'b/y.wav': 'gone', 'b/z.wav': 'gone' });
      const after = await Promise.all(set.recordings.map((r) => set.spectrum(r).then((m) => m, () => null)));
      touch(dir, { 'a/x.wav': tone(8000, 0.3, 300), 'b/y.wav': tone(8000, 0.3, 900), 'b/z.wav': tone(8000, 0.3, 1200) });
      after.forEach((m, i) => m && expect(Array.from(m.data)).toEqual(Array.from(before[i].data)));
      return after.filter((m) => m !== null).length;
    };
    expect(await read()).toBe(3);
    expect(await read(0)).toBe(0);
    expect(await read(2 * bytes)).toBe(2);
    // A command that streams the spectrograms as they are read has taken them: none is kept.
    const streamed = await loadAudioSet({ dir, labels: 'auto', spectrum, cache: false, log: () => {}, onSpectrum: () => {} });
    touch(dir, { 'a/x.wav': 'gone' });
    await expect(streamed.spectrum(streamed.recordings.find((r) => r.path.endsWith('x.wav'))!)).rejects.toThrow('x.wav');
  });

  it('unsupervised: no labels needed, every audio file used', async () => {
    const dir = userFolder();
    const set = await loadAudioSet({ dir, labels: null, spectrum: { transform: 'mel', bands: 10 }, cache: false, log: () => {} });
    expect(set.recordings).toHaveLength(13);
    expect(set.classNames).toEqual([]);
    expect(set.summary).toBe(`${dir}: 13 files used; 2 skipped: 1 not audio (notes.txt), 1 cannot be decoded (high/broken.wav); 1 hidden file ignored`);
  });

  it('fewer than two classes fails before any file is decoded, with a sentence', async () => {
    const dir = tempDir();
    touch(dir, { 'only/a.wav': 'not even a wav', 'only/b.wav': 'x' });
    await expect(loadAudioSet({ dir, labels: 'auto', spectrum: {}, split: null, cache: false, log: () => {} })).rejects.toThrow(
      `${dir}: a classifier needs at least 2 classes, and the recordings have one (only): put each class in its own sub-folder`,
    );
  });

  it('the summary names the first few files of each reason and counts the rest', () => {
    const files = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ path: `/d/${n}.wav`, reason: 'x' }));
    expect(summaryLine('/d', 0, [{ reason: 'too short', files }], 0)).toBe('/d: 0 files used; 5 skipped: 5 too short (a.wav, b.wav, c.wav, +2 more)');
    expect(summaryLine('/d', 1, [], 0)).toBe('/d: 1 file used, none skipped');
  });

  it('classify and encode: files and folders given on the command line, accounted for in one line', () => {
    const dir = userFolder();
    const t = scanAudioTargets([join(dir, 'low'), join(dir, 'notes.txt')]);
    // A file named on purpose is kept whatever its extension (the decoder tells formats by content).
    expect(t.paths).toContain(join(dir, 'notes.txt'));
    expect(t.hidden).toBe(1);
    const bad = { path: join(dir, 'notes.txt'), reason: `${join(dir, 'notes.txt')}: not a recognised audio file` };
    expect(targetsSummary(t, 6, [bad])).toBe(`2 inputs: 6 files used; 1 skipped: 1 unknown format (${join(dir, 'notes.txt')}); 1 hidden file ignored`);
    expect(targetsSummary(scanAudioTargets([dir]), 13, [])).toBe(`${dir}: 13 files used; 1 skipped: 1 not audio (notes.txt); 1 hidden file ignored`);
  });
});
