import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readNpyMatrix } from '../../src/data/npy.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spectrogram } from '../../src/audio/spectrogram-stream.ts';
import { readWav } from '../../src/audio/wav.ts';
import { initBackend } from '../../src/compute/backend.ts';
import { labelNames, scanLabeledSet } from '../../src/data/labeled-set.ts';
import { saveSaeModel } from '../../src/models/sae/saved-model.ts';
import { loadAudioPipeline, pipelineFeatures, predict, runAudioSelfTaught, saveAudioPipeline } from '../../src/pipeline/audio-classifier.ts';
import { padToFrames } from '../../src/features/fixed-length.ts';
import { poolRecordings } from '../../src/features/pooling.ts';
import { allWindows } from '../../src/features/sampler.ts';
import { encode } from '../../src/models/sae/sparse-autoencoder.ts';
import { classifyRecordings } from '../../src/pipeline/classify-recordings.ts';
import { encodeRecordings } from '../../src/pipeline/encode-recordings.ts';
import { GROUP_FRAMES } from '../../src/pipeline/recording-features.ts';
import { resolveConfig } from '../../src/pipeline/config.ts';
import { loadSpectra } from '../../src/pipeline/spectra.ts';
import { loadTrainedRun, type TrainedRun } from '../../src/pipeline/trained-run.ts';
import { buildWav } from '../audio/wav-fixtures.ts';
import { runCli, ROOT } from '../cli/run-cli.ts';

// Two speakers, all ten digits; recordings 5-14 train, as in the official split.
const recs = scanLabeledSet(join(ROOT, 'audio/fsdd/recordings')).recordings.filter(
  (r) => (r.speaker === 'jackson' || r.speaker === 'lucas') && r.index! < 15,
);
const train = recs.filter((r) => r.index! >= 5);
const config = resolveConfig({
  windows: { frames: 4, count: 3000 },
  normalise: 'standardise',
  whitening: { kind: 'zca', epsilon: 0.1 },
  sae: { hidden: 24, maxIter: 25, decoder: 'linear' },
  softmax: { weightDecay: 1e-3, maxIter: 100 },
  pooling: { method: 'meanmax', segments: 3 },
});
const root = mkdtempSync(join(tmpdir(), 'sfl-trained-run-'));
const outputs = join(root, 'outputs');
let run: TrainedRun;

beforeAll(async () => {
  await initBackend();
  const classNames = labelNames(recs);
  const spectra = await loadSpectra(train.map((r) => r.path), config.spectrum, { cache: false });
  const res = await runAudioSelfTaught(
    { train: spectra.spectra, trainY: Int32Array.from(train.map((r) => classNames.indexOf(r.label))), test: spectra.spectra.slice(0, 10), testY: Int32Array.from(train.slice(0, 10).map((r) => classNames.indexOf(r.label))), classNames },
    spectra.params,
    config,
    { pool: config.pooling, baseline: false, log: () => undefined },
  );
  await saveAudioPipeline(join(outputs, 'digits', 'pipeline'), res.pipeline);
  writeFileSync(join(outputs, 'digits', 'run.json'), '{}');
  await saveSaeModel(join(outputs, 'features-only', 'model'), res.pipeline.sae);
  run = await loadTrainedRun('digits', outputs);
}, 300_000);

/** A 1-second clip of recording `path`, zero-padded (or cut) to exactly `rate` samples. */
async function oneSecond(path: string): Promise<{ samples: Float32Array; rate: number }> {
  const w = await readWav(path);
  const out = new Float32Array(w.sampleRate);
  out.set(w.samples.subarray(0, w.sampleRate));
  return { samples: out, rate: w.sampleRate };
}

function wavFile(path: string, samples: Float32Array, rate: number): string {
  writeFileSync(path, buildWav({ encoding: 'pcm16', sampleRate: rate, channels: [Array.from(samples, (v) => Math.round(Math.max(-1, Math.min(1, v)) * 32767))] }));
  return path;
}

describe('a trained run through the one run interface', () => {
  it('finds a run by its name and by its folders, and says what it is', async () => {
    expect(run.kind).toBe('audio-pipeline');
    expect(run.classNames).toHaveLength(10);
    expect(run.cannotClassify).toBeNull();
    expect((await loadTrainedRun(join(outputs, 'digits', 'pipeline'))).kind).toBe('audio-pipeline');
    await expect(loadTrainedRun('nobody', outputs)).rejects.toThrow(/no run named nobody in .*outputs\//);
  });

  it('a run saved before the newer spectrum settings existed loads with their old behaviour', async () => {
    cpSync(join(outputs, 'digits'), join(outputs, 'older'), { recursive: true });
    const strip = (file: string, at: (j: Record<string, any>) => Record<string, unknown>) => {
      const j = JSON.parse(readFileSync(file, 'utf8'));
      for (const k of ['padMode', 'melScale', 'melNorm', 'logScale', 'topDb']) delete at(j)[k];
      writeFileSync(file, JSON.stringify(j));
    };
    strip(join(outputs, 'older', 'pipeline', 'classifier', 'model.json'), (j) => j.userDefinedMetadata.spectrum);
    strip(join(outputs, 'older', 'pipeline', 'sae', 'model.json'), (j) => j.userDefinedMetadata.input.spectrum);
    const older = await loadTrainedRun('older', outputs);
    const files = train.slice(0, 4).map((r) => r.path);
    const a = await classifyRecordings(run, files), b = await classifyRecordings(older, files);
    expect(b.skipped).toEqual([]);
    expect(b.predictions.map((p) => p.probabilities)).toEqual(a.predictions.map((p) => p.probabilities));
  });

  it('encodes recordings: features per window with each recording\'s rows', async () => {
    if (run.input.kind !== 'audio') throw new Error('audio run');
    const s = await loadSpectra(train.slice(0, 3).map((r) => r.path), { ...run.input.spectrum }, { cache: false });
    const e = run.encode(s.spectra);
    expect(e.features.cols).toBe(24);
    expect(e.ranges).toHaveLength(3);
    // One window per hop-1 position of K = 4 frames.
    expect(e.ranges.map((r) => r.end - r.start)).toEqual(s.spectra.map((S) => S.rows - 3));
  });

  it('a sparse autoencoder run encodes but says in a sentence that it cannot classify', async () => {
    const sae = await loadTrainedRun(join(outputs, 'features-only'));
    expect(sae.kind).toBe('sae');
    expect(sae.cannotClassify).toMatch(/sparse autoencoder \(sfl train-sae\): it learned features but no classifier/);
    const r = runCli(['classify', 'features-only', train[0].path, '--outputs', outputs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/learned features but no classifier/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('classifying with the preprocessing folded into the encoder', () => {
  it('gives the probabilities of whitening every window first and then encoding it, within 1e-5', async () => {
    const p = run.audioPipeline!;
    const spectra = (await loadSpectra(recs.slice(0, 12).map((r) => r.path), config.spectrum, { cache: false })).spectra;
    const K = p.sae.input.kind === 'spectro-temporal' ? p.sae.input.frames : 0;
    const { windows, ranges } = allWindows(spectra.map((S) => padToFrames(S, K)), K);
    const H = encode(p.sae.preprocessor.transform(windows), p.sae.theta);
    const want = predict(p.classifier, poolRecordings(H, ranges, p.pool)).probs;
    const got = run.classify(spectra).probs;
    let most = 0;
    for (let i = 0; i < want.data.length; i++) most = Math.max(most, Math.abs(got.data[i] - want.data[i]));
    // Both are float32: they differ by rounding (measured 1.5e-6 on a 60 s recording's 120 rows).
    expect(most).toBeLessThan(1e-5);
  }, 60_000);
});

describe('sfl encode', () => {
  it('writes the features the classifier sees, pooled per recording, or every window, with a sidecar', async () => {
    const files = train.slice(0, 3).map((r) => r.path);
    const out = join(root, 'f.npy');
    const r = runCli(['encode', 'digits', ...files, '--out', out, '--outputs', outputs, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const pooled = readNpyMatrix(out);
    const side = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(side).toMatchObject({ per: 'recording', shape: [3, pooled.cols], pooling: config.pooling });
    expect(side.recordings.map((x: { file: string }) => x.file)).toEqual(files);
    // Exactly the vectors the pipeline's classifier takes.
    const p = await loadAudioPipeline(join(outputs, 'digits', 'pipeline'));
    const s = await loadSpectra(files, { ...p.spectrum }, { cache: false });
    expect(Array.from(pooled.data)).toEqual(Array.from(pipelineFeatures(p, s.spectra).data));

    const w = runCli(['encode', 'digits', ...files, '--out', out, '--per', 'window', '--outputs', outputs, '--quiet']);
    expect(w.code, w.stderr).toBe(0);
    const windows = readNpyMatrix(out);
    const ws = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(windows.cols).toBe(24);
    expect(ws.recordings.map((x: { rows: number[] }) => x.rows[1] - x.rows[0])).toEqual(s.spectra.map((S) => S.rows - 3));
    expect(windows.rows).toBe(ws.recordings[2].rows[1]);
  }, 60_000);
});

describe('encodeRecordings over more audio than one group', () => {
  it('encodes a group at a time: the vectors the classifier takes, every window in order', async () => {
    // Three recordings of about 25,000 frames (a recording repeated for 400 s): two groups.
    const w = await readWav(train[0].path);
    const long = new Float32Array(400 * w.sampleRate);
    for (let at = 0; at < long.length; at += w.samples.length) long.set(w.samples.subarray(0, Math.min(w.samples.length, long.length - at)), at);
    const files = [0.5, 1, 0.25].map((gain, i) => {
      const path = join(root, `long-${i}.wav`);
      writeFileSync(path, buildWav({ encoding: 'pcm16', sampleRate: w.sampleRate, channels: [Array.from(long, (v) => Math.round(v * gain * 32767))] }));
      return path;
    });
    const p = await loadAudioPipeline(join(outputs, 'digits', 'pipeline'));
    const s = await loadSpectra(files, { ...p.spectrum }, { cache: false });
    expect(s.spectra[0].rows + s.spectra[1].rows + s.spectra[2].rows).toBeGreaterThan(GROUP_FRAMES);
    const pooled = await encodeRecordings(run, files, 'recording');
    expect(Array.from(pooled.features.data)).toEqual(Array.from(pipelineFeatures(p, s.spectra).data));
    expect(pooled.recordings.map((r) => r.rows)).toEqual([[0, 1], [1, 2], [2, 3]]);
    const windows = await encodeRecordings(run, files, 'window');
    expect(windows.recordings.map((r) => r.rows)).toEqual(
      s.spectra.reduce<[number, number][]>((acc, S) => [...acc, [acc.at(-1)?.[1] ?? 0, (acc.at(-1)?.[1] ?? 0) + S.rows - 3]], []),
    );
    expect(windows.features.rows).toBe(windows.recordings[2].rows[1]);
    // The last recording's windows are its own, encoded alone.
    const alone = run.encode([s.spectra[2]]).features;
    const last = windows.features.data.subarray(windows.recordings[2].rows[0] * alone.cols);
    for (let i = 0; i < alone.data.length; i += 997) expect(last[i]).toBeCloseTo(alone.data[i], 5);
  }, 120_000);
});

describe('encodeRecordings of one recording longer than a group', () => {
  it('encodes it a chunk of frames at a time: the same pooled vector and window rows as the whole spectrogram', async () => {
    // About 1100 s at 8 kHz: more frames than a group, so it is decoded and encoded in chunks.
    const w = await readWav(train[1].path);
    const long = new Float32Array(1100 * w.sampleRate);
    for (let at = 0; at < long.length; at += w.samples.length) long.set(w.samples.subarray(0, Math.min(w.samples.length, long.length - at)), at);
    const path = join(root, 'very-long.wav');
    writeFileSync(path, buildWav({ encoding: 'pcm16', sampleRate: w.sampleRate, channels: [Array.from(long, (v) => Math.round(v * 0.7 * 32767))] }));
    const p = await loadAudioPipeline(join(outputs, 'digits', 'pipeline'));
    const S = (await loadSpectra([path], { ...p.spectrum }, { cache: false })).spectra[0];
    expect(S.rows).toBeGreaterThan(GROUP_FRAMES);
    const pooled = await encodeRecordings(run, [path, train[2].path], 'recording');
    const want = pipelineFeatures(p, [S]).data;
    for (let j = 0; j < want.length; j++) expect(pooled.features.data[j]).toBeCloseTo(want[j], 5);
    expect(pooled.recordings.map((r) => r.rows)).toEqual([[0, 1], [1, 2]]);
    expect(pooled.recordings[0].seconds).toBeCloseTo(1100, 6);
    const windows = await encodeRecordings(run, [path], 'window');
    const all = run.encode([S]).features;
    expect([windows.features.rows, windows.features.cols]).toEqual([all.rows, all.cols]);
    for (let i = 0; i < all.data.length; i += 4999) expect(windows.features.data[i]).toBeCloseTo(all.data[i], 5);
  }, 120_000);
});

describe('classify a long recording segment by segment', () => {
  it('a recording just over a segment is one segment (the whole file), and times come in milliseconds', async () => {
    if (run.input.kind !== 'audio') throw new Error('audio run');
    const { samples } = await oneSecond(train[0].path);
    // 1.02 s: the old rule gave 0-1 s and 0.02-1.02 s, nearly the same audio twice.
    const short = new Float32Array(8160);
    short.set(samples);
    // 2.010125 s (16081 samples at 8 kHz): times were printed as 2.010125; the 81-sample tail joins the last segment.
    const long = new Float32Array(16081);
    long.set(samples);
    long.set(samples, 8000);
    const files = [wavFile(join(root, 'just-over.wav'), short, 8000), wavFile(join(root, 'two-and-a-bit.wav'), long, 8000)];
    const { predictions } = await classifyRecordings(run, files, { segment: 1, hop: 0.5 });
    expect(predictions[0].segments.map((s) => [s.start, s.end])).toEqual([[0, 1.02]]);
    expect(predictions[0].segments[0].label).toBe(predictions[0].label);
    expect(predictions[1].seconds).toBe(2.01);
    expect(predictions[1].segments.map((s) => [s.start, s.end])).toEqual([[0, 1], [0.5, 1.5], [1, 2.01]]);
  }, 120_000);

  it('clips of known labels put end to end come back as segment labels in order, with their times', async () => {
    if (run.input.kind !== 'audio') throw new Error('audio run');
    const params = run.input.spectrum;
    // Training clips the model labels correctly on their own (1 s each), four different digits.
    const clips: { label: string; samples: Float32Array }[] = [];
    for (const r of train) {
      if (clips.length === 4) break;
      if (clips.some((c) => c.label === r.label)) continue;
      const { samples } = await oneSecond(r.path);
      if (run.classNames![run.classify([spectrogram(samples, params)]).labels[0]] === r.label) clips.push({ label: r.label, samples });
    }
    expect(clips).toHaveLength(4);
    const all = new Float32Array(4 * params.sampleRate);
    clips.forEach((c, i) => all.set(c.samples, i * params.sampleRate));
    const file = wavFile(join(root, 'four-digits.wav'), all, params.sampleRate);

    const { predictions } = await classifyRecordings(run, [file], { segment: 1, hop: 1 });
    expect(predictions[0].seconds).toBe(4);
    expect(predictions[0].segments.map((s) => s.label)).toEqual(clips.map((c) => c.label));
    expect(predictions[0].segments.map((s) => [s.start, s.end])).toEqual([[0, 1], [1, 2], [2, 3], [3, 4]]);

    // A hop that does not fit (0.8 s over 4 s): the last segment is the last clip whole, [3, 4), not its 0.8 s tail.
    const uneven = (await classifyRecordings(run, [file], { segment: 1, hop: 0.8 })).predictions[0].segments;
    expect(uneven.map((s) => [s.start, s.end])).toEqual([[0, 1], [0.8, 1.8], [1.6, 2.6], [2.4, 3.4], [3, 4]]);
    expect(uneven.at(-1)!.label).toBe(clips[3].label);

    // The command line, by run name, in JSON and in text.
    const j = runCli(['classify', 'digits', file, '--segment', '1', '--hop', '1', '--json', '--outputs', outputs]);
    expect(j.code).toBe(0);
    const line = JSON.parse(j.stdout.trim());
    expect(line.segments.map((s: { label: string }) => s.label)).toEqual(clips.map((c) => c.label));
    expect(line.label).toBe(predictions[0].label);
    const t = runCli(['classify', join(outputs, 'digits'), file, '--segment', '1', '--hop', '1', '--quiet']);
    expect(t.stdout).toMatch(new RegExp(`^  0\\.00-1\\.00 s\\t${clips[0].label}\\t`, 'm'));
    expect(t.stdout).toMatch(new RegExp(`^  3\\.00-4\\.00 s\\t${clips[3].label}\\t`, 'm'));
  }, 120_000);
});
