/**
 * A classification run on a folder with long test recordings writes their labels over time into
 * predictions.json, the same labels `sfl classify` gives with the saved model, and report.html
 * draws them. The folder is synthesised: short steady tones and click trains to train on, and two
 * long test recordings that change class half-way (tone then clicks, clicks then tone), so the
 * segment labels have a known answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeWavPcm16 } from '../../src/audio/wav-encode.ts';
import { initBackend } from '../../src/compute/backend.ts';
import { syntheticRecordings } from '../../src/data/synthetic-sounds.ts';
import { classifyRecordings, QUIET_LABEL, rmsLevel } from '../../src/pipeline/classify-recordings.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { runAudioSelfTaughtExperiment } from '../../src/pipeline/experiments/audio-self-taught.ts';
import { runConvAeExperiment } from '../../src/pipeline/experiments/conv-ae.ts';
import { runStackedExperiment } from '../../src/pipeline/experiments/stacked.ts';
import { PREDICTIONS_FILE, type PredictionsRecord } from '../../src/pipeline/run-records.ts';
import { loadTrainedRun } from '../../src/pipeline/trained-run.ts';
import { setQuiet } from '../../src/util/progress.ts';
import { runCliAsync } from '../cli/run-cli.ts';

const RATE = 8000;
const tmp = mkdtempSync(join(tmpdir(), 'sfl-segments-'));
const audio = join(tmp, 'audio');
let runPath = '';
let record: PredictionsRecord;
const logLines: string[] = [];

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

beforeAll(async () => {
  setQuiet(true);
  await initBackend();
  mkdirSync(audio);
  // FSDD-style names (label_speaker_index): the official split tests index 0-4 and trains on the rest.
  const short = syntheticRecordings({ perClass: 10, seconds: 0.6, seed: 2 });
  const write = (name: string, x: Float32Array) => writeFileSync(join(audio, `${name}.wav`), encodeWavPcm16(x, RATE));
  for (const label of ['tone', 'clicks'] as const) short.filter((r) => r.label === label).forEach((r, i) => write(`${label}_s_${i < 2 ? i : i + 3}`, r.samples));
  const long = syntheticRecordings({ perClass: 1, seconds: 2, seed: 5 });
  const of = (label: string) => long.find((r) => r.label === label)!.samples;
  write('clicks_s_2', concat(of('tone'), of('clicks')));
  write('tone_s_2', concat(of('clicks'), of('tone')));
  // Just over one segment: two overlapping halves would say nothing, so no segments.
  write('tone_s_3', concat(of('tone')).subarray(0, Math.round(1.5 * RATE)));
  const config = resolveConfig({
    data: { source: 'audio', audioDir: audio },
    split: { kind: 'official' },
    spectrum: { transform: 'mel', bands: 20 },
    windows: { frames: 4, count: 2000 },
    sae: { hidden: 8, maxIter: 30, decoder: 'linear' },
    softmax: { maxIter: 100 },
    run: { outputs: join(tmp, 'outputs'), name: 'run', seed: 1, overwrite: true },
  });
  const quiet = () => undefined;
  ({ runPath } = await runAudioSelfTaughtExperiment(config, { baseline: false, log: (l) => logLines.push(l), print: quiet }));
  record = JSON.parse(readFileSync(join(runPath, PREDICTIONS_FILE), 'utf8'));
}, 300_000);

describe('segment predictions of a classification run', () => {
  it('are written for the long test recordings only (more than two segments), covering each from start to end', () => {
    const withSegments = record.test.filter((t) => t.segments);
    expect(withSegments.map((t) => t.path).sort()).toEqual([resolve(audio, 'clicks_s_2.wav'), resolve(audio, 'tone_s_2.wav')]);
    expect(record.test).toHaveLength(7);
    expect(record.test.find((t) => t.path.endsWith('tone_s_3.wav'))!.segments).toBeUndefined();
    for (const t of withSegments) {
      const s = t.segments!;
      expect(s.length).toBe(7); // 4 s in 1 s segments every 0.5 s
      expect(s[0].start).toBe(0);
      expect(s[s.length - 1].end).toBeCloseTo(4, 3);
      for (const x of s) {
        expect(record.classNames).toContain(x.predicted);
        expect(x.confidence).toBeGreaterThan(0);
        expect(x.confidence).toBeLessThanOrEqual(1);
      }
    }
  });

  it('follow the sound: the first segment is labelled by the first half, the last by the second', () => {
    const segs = (name: string) => record.test.find((t) => t.path === resolve(audio, name))!.segments!;
    expect(segs('clicks_s_2.wav')[0].predicted).toBe('tone');
    expect(segs('clicks_s_2.wav').at(-1)!.predicted).toBe('clicks');
    expect(segs('tone_s_2.wav')[0].predicted).toBe('clicks');
    expect(segs('tone_s_2.wav').at(-1)!.predicted).toBe('tone');
  });

  it('are what sfl classify gives for the same recording with the saved model', async () => {
    const path = resolve(audio, 'clicks_s_2.wav');
    const { predictions } = await classifyRecordings(await loadTrainedRun(runPath), [path]);
    const written = record.test.find((t) => t.path === path)!.segments!;
    expect(written.map((s) => s.predicted)).toEqual(predictions[0].segments.map((s) => s.label));
    expect(written.map((s) => s.start)).toEqual(predictions[0].segments.map((s) => Number(s.start.toFixed(3))));
  });

  it('are drawn in report.html as a timeline per long recording', () => {
    const html = readFileSync(join(runPath, 'report.html'), 'utf8');
    expect(html).toMatch(/timeline of segment predictions of clicks_s_2\.wav/);
    expect(html).toMatch(/timeline of segment predictions of tone_s_2\.wav/);
  });
});

describe('segment predictions of the stacked and conv-ae runs', () => {
  it('are written for their long test recordings too, as sfl classify gives them with the saved model', async () => {
    const quiet = () => undefined;
    const base = {
      data: { source: 'audio' as const, audioDir: audio },
      split: { kind: 'official' as const },
      spectrum: { transform: 'mel' as const, bands: 20 },
      windows: { frames: 4, count: 2000 },
      sae: { hidden: 8, maxIter: 20, decoder: 'linear' as const },
      softmax: { maxIter: 50 },
    };
    const stacked = await runStackedExperiment(resolveConfig({ ...base, stacked: { layers: [6], fineTune: true, fineTuneMaxIter: 10 }, run: { outputs: join(tmp, 'outputs'), name: 'stacked' } }), quiet);
    const convAe = await runConvAeExperiment(
      resolveConfig({ ...base, convAe: { filters: [4], frames: 24, kernel: [5, 5], pool: [2, 2], pretrainEpochs: 1, fineTuneEpochs: 1, batchSize: 8 }, run: { outputs: join(tmp, 'outputs'), name: 'conv-ae' } }),
      quiet,
    );
    const path = resolve(audio, 'clicks_s_2.wav');
    for (const runPath of [stacked.runPath, convAe.runPath]) {
      const r: PredictionsRecord = JSON.parse(readFileSync(join(runPath, PREDICTIONS_FILE), 'utf8'));
      expect(r.test.filter((t) => t.segments).map((t) => t.path).sort(), runPath).toEqual([path, resolve(audio, 'tone_s_2.wav')]);
      const { predictions } = await classifyRecordings(await loadTrainedRun(runPath), [path]);
      expect(r.test.find((t) => t.path === path)!.segments!.map((s) => s.predicted), runPath).toEqual(predictions[0].segments.map((s) => s.label));
    }
  }, 300_000);
});

describe('the run\'s log', () => {
  it('counts recordings and classes, and runs only when there are several (a lone "1 run" read as if something were missing)', () => {
    const line = logLines.find((l) => l.includes(' recordings, '));
    expect(line).toMatch(/: \d+ recordings, 2 classes$/);
  });
});

describe('sfl classify --segment', () => {
  it('a segment shorter than one frame is refused before decoding, naming --segment and its minimum', async () => {
    const run = await loadTrainedRun(runPath);
    if (run.input.kind !== 'audio') throw new Error('an audio run');
    const { frameSize, sampleRate } = run.input.spectrum;
    const tooShort = (frameSize - 2) / sampleRate;
    const path = resolve(audio, 'clicks_s_2.wav');
    await expect(classifyRecordings(run, [path], { segment: tooShort })).rejects.toThrow(/^--segment .* shorter than one frame of this run .*give at least --segment \d/);
    // The minimum it names is accepted.
    const message = await classifyRecordings(run, [path], { segment: tooShort }).then(() => '', (e: Error) => e.message);
    const least = Number(/at least --segment ([\d.]+)/.exec(message)![1]);
    expect(Math.round(least * sampleRate)).toBeGreaterThanOrEqual(frameSize);
    const { predictions } = await classifyRecordings(run, [path], { segment: least });
    expect(predictions[0].segments.length).toBeGreaterThan(1);
  });
});

describe('sfl classify on a long recording', () => {
  it('shows decoding progress in seconds of audio (a 15-minute file decoded for a minute with nothing on the screen)', async () => {
    const tone = syntheticRecordings({ perClass: 1, seconds: 1, seed: 3 }).find((r) => r.label === 'tone')!.samples;
    const path = join(tmp, 'long.wav');
    writeFileSync(path, encodeWavPcm16(concat(...Array<Float32Array>(61).fill(tone)), RATE));
    const r = await runCliAsync(['classify', runPath, path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^decoding 1 file, seconds of audio \d+\/61 .*done in/m);
    expect(r.stderr).toMatch(/^segments of .*long\.wav \d+\/121 .*done in/m);
  }, 120_000);
});

describe('sfl classify --min-level', () => {
  it('rmsLevel is dB re full scale: a full-scale sine is -3.01 dB, a tenth of it -23.01, zeros -Infinity', () => {
    const sine = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / RATE));
    expect(rmsLevel(sine)).toBeCloseTo(-3.01, 2);
    expect(rmsLevel(sine.map((x) => x / 10))).toBeCloseTo(-23.01, 2);
    expect(rmsLevel(new Float32Array(100))).toBe(-Infinity);
  });

  it('reports the segments below the level as quiet instead of giving them a class', async () => {
    // A tone, two seconds of noise at about -70 dB, clicks.
    const long = syntheticRecordings({ perClass: 1, seconds: 1, seed: 9 });
    const of = (label: string) => long.find((r) => r.label === label)!.samples;
    const hiss = Float32Array.from({ length: 2 * RATE }, (_, i) => 3e-4 * ((Math.sin(i * 12.9898) * 43758.5453) % 1));
    const path = join(tmp, 'gap.wav');
    writeFileSync(path, encodeWavPcm16(concat(of('tone'), hiss, of('clicks')), RATE));
    const run = await loadTrainedRun(runPath);
    const gated = (await classifyRecordings(run, [path], { minLevel: -50 })).predictions[0].segments;
    const inGap = (x: { start: number; end: number }) => x.start >= 1 - 1e-9 && x.end <= 3 + 1e-9;
    expect(gated.filter(inGap).length).toBe(3);
    for (const x of gated) {
      if (inGap(x)) {
        expect(x.quiet).toBe(true);
        expect(x.label).toBe(QUIET_LABEL);
        expect(x.probabilities).toEqual([]);
        expect(x.level).toBeLessThan(-50);
      } else {
        expect(x.quiet).toBeUndefined();
        expect(record.classNames).toContain(x.label);
        expect(x.level).toBeGreaterThan(-50);
      }
    }
    // Without a minimum level every segment, the near-silent ones too, gets a class.
    const all = (await classifyRecordings(run, [path])).predictions[0].segments;
    expect(all.every((x) => record.classNames.includes(x.label) && x.probabilities.length === 2)).toBe(true);
  });
});
