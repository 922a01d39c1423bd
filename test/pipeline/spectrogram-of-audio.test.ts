import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spectrogramOfAudio } from '../../src/pipeline/spectra.ts';
import { defaultSpectrumParams } from '../../src/audio/spectrogram.ts';
import type { ByteSource } from '../../src/audio/decode/source.ts';
import { buildWav, toneWav } from '../audio/wav-fixtures.ts';

// Every file the decoder opens goes through this counting source: how often its head (byte 0,
// where the header is) is read, and whether the handle is released.
const files = vi.hoisted(() => [] as { headReads: number; closed: boolean }[]);
vi.mock('../../src/audio/decode/source.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/audio/decode/source.ts')>();
  return {
    ...real,
    fileSource: async (path: string): Promise<ByteSource> => {
      const src = await real.fileSource(path);
      const seen = { headReads: 0, closed: false };
      files.push(seen);
      return {
        name: src.name,
        size: src.size,
        read: (offset, length) => {
          if (offset === 0) seen.headReads++;
          return src.read(offset, length);
        },
        close: async () => {
          seen.closed = true;
          await src.close();
        },
      };
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'sfl-header-'));

describe('spectrogramOfAudio', () => {
  it('reads a file\'s header once (the stream decodes with the probe already read), and releases the file', async () => {
    const path = join(dir, 'tone.wav');
    writeFileSync(path, toneWav(8000, 8000, 440));
    files.length = 0;
    const m = await spectrogramOfAudio(path, defaultSpectrumParams(8000));
    expect(m.rows).toBeGreaterThan(0);
    expect(files.reduce((n, f) => n + f.headReads, 0)).toBe(1);
    expect(files.every((f) => f.closed)).toBe(true);
  });

  it('a file refused on the rate its header gives is released, its samples never read', async () => {
    const path = join(dir, 'slow.wav');
    writeFileSync(path, buildWav({ encoding: 'pcm16', sampleRate: 500, channels: [Array.from({ length: 4000 }, (_, i) => Math.round(1e4 * Math.sin(i / 3)))] }));
    files.length = 0;
    await expect(spectrogramOfAudio(path, defaultSpectrumParams(8000))).rejects.toThrow(/slow\.wav: sample rate 500 Hz is outside 1-384 kHz/);
    expect(files).toEqual([{ headReads: 1, closed: true }]);
  });
});
