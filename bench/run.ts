/**
 * `npm run bench`: every speed figure the project tracks, each measured against its target (and
 * against the numpy peer in the same run where there is one, since the machine is shared).
 *   npm run bench              audio throughput, decode throughput per format (vs ffmpeg),
 *                              the resampler's pass band and speed per converter, matMul before/after, one SAE evaluation vs the peer,
 *                              convolving and pooling the features of the default sound set,
 *                              the SdA's batch-1 host SGD steps with JavaScript vs SIMD kernels,
 *                              the MLP's SGD step on the host vs the device by minibatch size
 *   npm run bench -- --train   also the 400-iteration MNIST training vs the peer (several minutes)
 *   npm run bench -- --only host-sgd,conv   only the named cases (audio, decode, resample, sae, conv, host-sgd, host-mlp, train, corpus, web, onnx-export)
 *   npm run bench -- --only web      the browser page: time until interactive, classification speed (headless chromium)
 *   npm run bench -- --only onnx-export   the exported ONNX pipeline on a 30-minute recording: time and peak memory, in blocks and all at once
 *   npm run bench -- --only corpus   2 h and 20 h synthetic folders: features and train-sae time and peak memory (long; 2.4 GB of disk)
 */
import { benchAudio } from './audio.ts';
import { benchDecode } from './decode.ts';
import { benchResample } from './resample.ts';
import { benchSae } from './sae.ts';
import { benchTrain } from './train.ts';
import { benchConv } from './conv.ts';
import { benchHostSgd } from './host-sgd.ts';
import { benchHostMlp } from './host-mlp.ts';
import { benchCorpus } from './corpus.ts';
import { benchWeb } from './web.ts';
import { benchOnnxExport } from './onnx-export.ts';

const CASES: Record<string, () => Promise<string[]>> = {
  audio: () => benchAudio(),
  decode: () => benchDecode(),
  resample: () => benchResample(),
  sae: () => benchSae(),
  conv: () => benchConv(),
  'host-sgd': () => benchHostSgd(),
  'host-mlp': () => benchHostMlp(),
  train: () => benchTrain(),
  corpus: () => benchCorpus(),
  web: () => benchWeb(),
  'onnx-export': () => benchOnnxExport(),
};
const i = process.argv.indexOf('--only');
const only = i > 0 ? (process.argv[i + 1] ?? '').split(',').filter(Boolean) : null;
for (const name of only ?? []) if (!(name in CASES)) throw new Error(`no bench case ${name}; cases: ${Object.keys(CASES).join(', ')}`);
// train and corpus take many minutes: only when asked for.
const selected = only ?? Object.keys(CASES).filter((name) => (name !== 'train' || process.argv.includes('--train')) && name !== 'corpus' && name !== 'onnx-export');
for (const name of selected) for (const line of await CASES[name]()) console.log(line);
// Worker threads of the parallel evaluator are unref'd, but tfjs keeps timers: end explicitly.
process.exit(0);
