import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  compilePattern, labelNames, naturalCompare, scanLabeledSet, speakerNames,
} from '../../src/data/labeled-set.ts';
import { NOT_AUDIO } from '../../src/data/audio-files.ts';
import { SflError } from '../../src/util/errors.ts';
import { FSDD_DIR, tempDir, touch } from './helpers.ts';

describe('scanLabeledSet on the embedded FSDD', () => {
  const set = scanLabeledSet(FSDD_DIR);

  it('finds 2,500 recordings of 10 digits by 5 speakers, nothing skipped', () => {
    expect(set.recordings).toHaveLength(2500);
    expect(set.skipped).toEqual([]);
    expect(labelNames(set.recordings)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(speakerNames(set.recordings)).toEqual(['george', 'jackson', 'lucas', 'nicolas', 'yweweler']);
  });

  it('reads label, speaker and index from the name, sorted by label, speaker, index', () => {
    expect(set.recordings[0]).toEqual({ path: join(FSDD_DIR, '0_george_0.wav'), label: '0', speaker: 'george', index: 0 });
    // natural order: index 2 comes before index 10
    expect(set.recordings.slice(0, 11).map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(set.recordings.at(-1)).toMatchObject({ label: '9', speaker: 'yweweler', index: 49 });
  });
});

describe('scanLabeledSet on small folders', () => {
  it('takes labels from sub-folders in auto mode, any depth, any audio format; reports what it skips', () => {
    const dir = tempDir();
    touch(dir, ['dog/b.wav', 'dog/a.WAV', 'cat/x/1.flac', 'cat/x/2.mp3', 'cat/notes.txt', 'stray.wav', 'README.md', '.DS_Store', 'dog/._b.wav', '.git/x.wav']);
    const set = scanLabeledSet(dir);
    expect(set.recordings.map((r) => [r.label, r.path])).toEqual([
      ['cat', join(dir, 'cat/x/1.flac')],
      ['cat', join(dir, 'cat/x/2.mp3')],
      ['dog', join(dir, 'dog/a.WAV')],
      ['dog', join(dir, 'dog/b.wav')],
    ]);
    expect(set.skipped).toEqual([
      { path: join(dir, 'README.md'), reason: NOT_AUDIO },
      { path: join(dir, 'cat/notes.txt'), reason: NOT_AUDIO },
      { path: join(dir, 'stray.wav'), reason: 'no label: not inside a label sub-folder' },
    ]);
    // .DS_Store, the ._b.wav resource fork and the .git folder: not looked at, only counted.
    expect(set.hidden).toBe(3);
    expect(set.labelsFrom).toBe('folders');
    expect(set.note).toMatch(/^labels: from sub-folder names, 2 classes \(chosen automatically/);
  });

  it('names audio in formats it does not read as such, with how to convert it, not as "not an audio file"', () => {
    const dir = tempDir();
    touch(dir, ['yes/a.wav', 'yes/memo.m4a', 'no/b.wav', 'no/take.AIFF', 'no/notes.txt']);
    const { skipped } = scanLabeledSet(dir);
    expect(skipped).toEqual([
      { path: join(dir, 'no/notes.txt'), reason: NOT_AUDIO },
      { path: join(dir, 'no/take.AIFF'), reason: expect.stringMatching(/^audio in \.aiff, a format sfl does not read .*ffmpeg -i in\.aiff out\.flac$/) },
      { path: join(dir, 'yes/memo.m4a'), reason: expect.stringMatching(/^audio in \.m4a, a format sfl does not read \(it reads WAV, MP3, FLAC, Ogg Vorbis and Opus\)/) },
    ]);
  });

  it('keeps speaker and index from names that match the pattern in folder mode', () => {
    const dir = tempDir();
    touch(dir, ['yes/yes_ann_3.wav', 'yes/other.wav']);
    const { recordings } = scanLabeledSet(dir, { pattern: '{*}_{speaker}_{index}' });
    expect(recordings).toEqual([
      { path: join(dir, 'yes/other.wav'), label: 'yes' },
      { path: join(dir, 'yes/yes_ann_3.wav'), label: 'yes', speaker: 'ann', index: 3 },
    ]);
  });

  it('falls back to the file-name pattern, reporting names that do not match', () => {
    const dir = tempDir();
    touch(dir, ['3_bob_10.wav', '3_bob_2.wav', '10_amy_0.ogg', 'noise.wav', 'list.csv']);
    mkdirSync(join(dir, 'empty-sub'));
    const { recordings, skipped, labelsFrom } = scanLabeledSet(dir);
    expect(labelsFrom).toBe('pattern');
    expect(recordings.map((r) => [r.label, r.speaker, r.index])).toEqual([
      ['3', 'bob', 2],
      ['3', 'bob', 10],
      ['10', 'amy', 0],
    ]);
    expect(skipped).toEqual([
      { path: join(dir, 'list.csv'), reason: NOT_AUDIO },
      { path: join(dir, 'noise.wav'), reason: "no label: the name does not match the pattern '{label}_{speaker}_{index}'" },
    ]);
  });

  it('accepts another pattern, also in sub-folders', () => {
    const dir = tempDir();
    touch(dir, ['rec-007-up.wav', 'day2/rec-008-down.wav']);
    const { recordings } = scanLabeledSet(dir, { labelsFrom: 'pattern', pattern: 'rec-{index}-{label}' });
    expect(recordings.map((r) => [r.label, r.index, r.speaker])).toEqual([
      ['down', 8, undefined],
      ['up', 7, undefined],
    ]);
  });

  it("'none' uses every audio file, unlabelled, still reading speaker and index when the name fits", () => {
    const dir = tempDir();
    touch(dir, ['field/take1.wav', 'walk.mp3', '4_ann_2.wav']);
    const set = scanLabeledSet(dir, { labelsFrom: 'none' });
    expect(set.recordings).toEqual([
      { path: join(dir, 'field/take1.wav'), label: '' },
      { path: join(dir, 'walk.mp3'), label: '' },
      { path: join(dir, '4_ann_2.wav'), label: '', speaker: 'ann', index: 2 },
    ]);
    expect(set.skipped).toEqual([]);
  });

  it('compiles patterns with literal regex characters and rejects unknown placeholders', () => {
    expect(compilePattern('{label}.{speaker}(x)')('a.b(x)')).toEqual({ label: 'a', speaker: 'b' });
    expect(compilePattern('{label}.{speaker}(x)')('a-b(x)')).toBeNull();
    expect(() => compilePattern('{label}_{take}')).toThrow(/unknown placeholder \{take\}/);
    expect(() => compilePattern('{label}_{label}')).toThrow(/twice/);
  });

  it('orders naturally and the same on every machine', () => {
    expect(['b10', 'b2', 'a', 'B1'].sort(naturalCompare)).toEqual(['B1', 'a', 'b2', 'b10']);
  });
});

describe('scanLabeledSet errors name the folder and the problem', () => {
  const expectSflError = (fn: () => unknown, text: RegExp) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(SflError);
      expect((err as Error).message).toMatch(text);
      return;
    }
    throw new Error('expected an SflError');
  };

  it('missing path', () => {
    const dir = join(tempDir(), 'nope');
    expectSflError(() => scanLabeledSet(dir), new RegExp(`^${dir}: no such file or folder`));
  });

  it('empty folder, or only hidden files', () => {
    const dir = tempDir();
    expectSflError(() => scanLabeledSet(dir), new RegExp(`^${dir}: the folder holds no audio files`));
    touch(dir, ['._a.wav']);
    expectSflError(() => scanLabeledSet(dir), new RegExp(`^${dir}: the folder holds no audio files`));
  });

  it('no audio files at all', () => {
    const dir = tempDir();
    touch(dir, ['a.txt', 'b.doc']);
    expectSflError(() => scanLabeledSet(dir), /no audio files \(.*\) in this folder; 2 other file\(s\), e\.g\. a\.txt, b\.doc/);
  });

  it('audio but no labels: says which schemes to try', () => {
    const dir = tempDir();
    touch(dir, ['take1.wav', 'take2.wav']);
    expectSflError(() => scanLabeledSet(dir), new RegExp(`^${dir}: no labels: none of the 2 audio file\\(s\\) matches the pattern.*--labels pattern:`));
    expectSflError(() => scanLabeledSet(dir, { labelsFrom: 'folders' }), /no labels: every audio file is at the top level/);
  });
});
