/**
 * Convolution benchmark: the time to convolve 200 learned features over the spectrograms of all
 * 2,500 default recordings and pool them over time (what `sfl conv` does to every recording),
 * beside the time of the other path to the same numbers (every window built and encoded by a
 * matMul, as self-taught does), and with 12-band filters that also slide over frequency.
 * The filters are untrained (the time does not depend on the weights); the preprocessing is the
 * default pipeline's (standardise, ZCA), fitted on 50,000 windows.
 *
 * Run alone: npx tsx bench/conv.ts
 */
import { scanAudioFiles } from '../src/data/audio-files.ts';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '../src/compute/backend.ts';
import { Preprocessor } from '../src/features/preprocess.ts';
import { samplePatches } from '../src/features/sampler.ts';
import { initParams } from '../src/models/sae/sparse-autoencoder.ts';
import { convRecordingFeatures, recordingFeatures } from '../src/pipeline/recording-features.ts';
import type { SaeModel } from '../src/models/sae/saved-model.ts';
import { loadSpectra } from '../src/pipeline/spectra.ts';

const RECORDINGS = fileURLToPath(new URL('../audio/fsdd/recordings/', import.meta.url));

function untrainedModel(spectra: Parameters<typeof samplePatches>[0], K: number, P: number, hidden: number): SaeModel {
  const X = samplePatches(spectra, { count: 50000, height: K, width: P, seed: 1 });
  const preprocessor = new Preprocessor({ normalise: 'standardise', whitening: { kind: 'zca', epsilon: 1, retainVariance: 1 } }).fit(X);
  return {
    input: { kind: 'spectro-temporal', frames: K, bands: P, spectrum: undefined as never, bandHz: null },
    preprocessor,
    hyper: { hidden, weightDecay: 0, beta: 0, rho: 0.1, decoder: 'linear' },
    theta: initParams(preprocessor.outputDim, hidden, 1),
  };
}

async function seconds(work: () => unknown): Promise<number> {
  const t0 = performance.now();
  work();
  return (performance.now() - t0) / 1000;
}

export async function benchConv(dir: string = RECORDINGS): Promise<string[]> {
  await initBackend();
  const { spectra } = await loadSpectra(scanAudioFiles(dir).files, {}, { cache: false });
  const bands = spectra[0].cols;
  const pool = { method: 'meanmax' as const, segments: 3 };
  const full = untrainedModel(spectra, 4, bands, 200);
  const narrow = untrainedModel(spectra, 4, 12, 200);
  const fullConv = { bandPatch: null, inputBands: bands, frequencyPool: { size: 1, stride: 1, kind: 'max' as const } };
  const narrowConv = { bandPatch: 12, inputBands: bands, frequencyPool: { size: 10, stride: 5, kind: 'max' as const } };
  // One untimed pass each, so first-call costs (kernel set-up) are not counted.
  convRecordingFeatures(full, spectra.slice(0, 20), pool, fullConv);
  recordingFeatures(full, spectra.slice(0, 20), pool);
  convRecordingFeatures(narrow, spectra.slice(0, 20), pool, narrowConv);
  const tConv = await seconds(() => convRecordingFeatures(full, spectra, pool, fullConv));
  const tWindows = await seconds(() => recordingFeatures(full, spectra, pool));
  const tNarrow = await seconds(() => convRecordingFeatures(narrow, spectra, pool, narrowConv));
  const frames = spectra.reduce((s, S) => s + S.rows, 0);
  return [
    `conv: ${spectra.length} recordings, ${frames} frames of ${bands} bands; 200 features of 4 frames, pooled meanmax over 3 time segments`,
    `conv: convolve + pool, full-band filters: ${tConv.toFixed(3)} s (every window encoded instead: ${tWindows.toFixed(3)} s, ratio ${(tConv / tWindows).toFixed(2)})`,
    `conv: convolve + pool, 12-band filters at 29 frequency offsets, max over 10 (stride 5): ${tNarrow.toFixed(3)} s`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchConv()) console.log(line);
  process.exit(0);
}
