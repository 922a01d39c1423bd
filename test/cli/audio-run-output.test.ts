/**
 * What the audio classification commands (self-taught, conv, and `sfl run` of their configs) print:
 * with --json, stdout is one JSON object and nothing else (the result tables go to stderr); without
 * it, the run ends with where it went and the command that labels new recordings with it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWavPcm16 } from '../../src/audio/wav-encode.ts';
import { syntheticRecordings } from '../../src/data/synthetic-sounds.ts';
import { runCliAsync } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sfl-audio-output-'));
const audio = join(tmp, 'my sounds');
const outputs = join(tmp, 'my runs');
const tiny = ['--hidden', '8', '--iterations', '5', '--windows', '300', '--softmax-iterations', '20', '--outputs', outputs];

beforeAll(() => {
  // Labels from sub-folders, as a user's folder has them.
  for (const r of syntheticRecordings({ perClass: 5, seconds: 0.5, seed: 4 })) {
    mkdirSync(join(audio, r.label), { recursive: true });
    writeFileSync(join(audio, r.label, r.name), encodeWavPcm16(r.samples, 8000));
  }
});

describe('audio classification runs on the command line', () => {
  it('self-taught --audio --json prints only the metrics object on stdout', async () => {
    const r = await runCliAsync(['self-taught', '--audio', audio, ...tiny, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.experiment).toBe('self-taught');
    expect(m.run).toContain(outputs);
    expect(m.classNames.length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toMatch(/overall accuracy/);
  }, 120_000);

  it('sfl run of an audio self-taught config with --json prints only JSON on stdout', async () => {
    const config = join(tmp, 'my-config.json');
    writeFileSync(config, JSON.stringify({ experiment: 'self-taught', data: { source: 'audio', audioDir: audio }, windows: { count: 300 }, sae: { hidden: 8, maxIter: 5 }, softmax: { maxIter: 20 } }));
    const r = await runCliAsync(['run', config, '--outputs', outputs, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).experiment).toBe('self-taught');
  }, 120_000);

  it('stacked --audio takes --hidden as the window autoencoder\'s size (it was refused, though the help lists it)', async () => {
    const r = await runCliAsync(['stacked', '--audio', audio, ...tiny, '--layers', '6', '--fine-tune-iterations', '3', '--name', 'stacked1']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(outputs, 'stacked1', 'run.json'), 'utf8'));
    expect(run.config.sae.hidden).toBe(8);
    expect(run.config.stacked.layers).toEqual([6]);
    expect(r.stdout.trim().split('\n').at(-1)).toContain(`sfl classify '${join(outputs, 'stacked1')}' <files or folders>`);
  }, 120_000);

  it('conv --audio ends with the run folder and the classify command to use it', async () => {
    const r = await runCliAsync(['conv', '--audio', audio, ...tiny, '--name', 'conv1']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-2)).toBe(`run written to ${join(outputs, 'conv1')}`);
    expect(lines.at(-1)).toContain(`sfl classify '${join(outputs, 'conv1')}' <files or folders>`);
  }, 120_000);
});
