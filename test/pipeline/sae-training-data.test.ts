/**
 * train-sae's windows on a folder named as FSDD is (label_speaker_index): only the training
 * recordings (index > 4) give windows, and only ONE window sampler is kept while the folder is
 * read (two used to be, one for every recording and one for the training recordings, which
 * doubled the memory of the windows).
 */
import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { toneWav } from '../audio/wav-fixtures.ts';
import { tempDir } from '../data/helpers.ts';

const samplers = vi.hoisted(() => ({ created: 0 }));

vi.mock('../../src/pipeline/inputs.ts', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/pipeline/inputs.ts')>();
  class CountedWindows extends mod.StreamedWindows {
    constructor(...args: ConstructorParameters<typeof mod.StreamedWindows>) {
      super(...args);
      samplers.created++;
    }
  }
  return { ...mod, StreamedWindows: CountedWindows };
});

const { saeTrainingData } = await import('../../src/pipeline/experiments/sae.ts');

describe('saeTrainingData on FSDD-named files', () => {
  it('keeps one window sampler, fed with the training recordings only', async () => {
    const dir = join(tempDir(), 'digits');
    mkdirSync(dir);
    // Test recordings (index 0-4) loud, training recordings (5-9) quiet: a window's level tells
    // where it came from.
    for (const label of ['0', '1']) {
      for (let index = 0; index < 10; index++) {
        const loud = index <= 4;
        writeFileSync(join(dir, `${label}_ann_${index}.wav`), toneWav(4000, 8000, 500 + 100 * index, loud ? 30000 : 300));
      }
    }
    const config = resolveConfig({
      data: { source: 'audio', audioDir: dir },
      windows: { count: 500, frames: 4 },
    });
    const lines: string[] = [];
    samplers.created = 0;
    const { X } = await saeTrainingData(config, (s) => lines.push(s));
    expect(samplers.created).toBe(1);
    expect(lines.join('\n')).toContain('learning from the 10 training recordings');
    // The folder's length in units a user reads (it was '0.00 h' for 10 s).
    expect(lines.join('\n')).toMatch(/: 10 recordings \(10s of audio in the folder\) -> 500 windows/);
    // Quiet tones: ln of a mel energy of amplitude 300/32768 stays far below the loud ones' (100x
    // the amplitude, +9.2 in ln power).
    const loudest = X.data.reduce((m, v) => Math.max(m, v), -Infinity);
    const loudConfig = resolveConfig({ data: { source: 'audio', audioDir: dir }, windows: { count: 500, frames: 4 }, split: { kind: 'random' } });
    const all = await saeTrainingData(loudConfig, () => {});
    const loudestAll = all.X.data.reduce((m, v) => Math.max(m, v), -Infinity);
    expect(loudestAll - loudest).toBeGreaterThan(8);
  });

  it('says when the windows asked for repeat the few distinct ones of a folder of short clips', async () => {
    const dir = join(tempDir(), 'clips');
    mkdirSync(dir);
    // 6 clips of 0.5 s at 8 kHz: 31 frames of 256 every 128 samples, 28 windows of 4 frames each.
    for (let i = 0; i < 6; i++) writeFileSync(join(dir, `clip${i}.wav`), toneWav(4000, 8000, 400 + 100 * i, 20000));
    const lines: string[] = [];
    await saeTrainingData(resolveConfig({ data: { source: 'audio', audioDir: dir }, windows: { count: 5000, frames: 4 } }), (s) => lines.push(s));
    expect(lines.join('\n')).toContain('note: the recordings hold 168 distinct windows of 4 frames, so the 5000 drawn repeat each 30 times on average; --windows 168');
    const quiet: string[] = [];
    await saeTrainingData(resolveConfig({ data: { source: 'audio', audioDir: dir }, windows: { count: 500, frames: 4 } }), (s) => quiet.push(s));
    expect(quiet.join('\n')).not.toContain('distinct windows');
  });
});
