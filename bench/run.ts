/**
 * `npm run bench`: every speed figure the project tracks, each measured against its target (and
 * against the numpy peer in the same run where there is one, since the machine is shared).
 *   npm run bench              audio throughput, matMul before/after, one SAE evaluation vs the peer,
 *                              convolving and pooling the features of the default sound set
 *   npm run bench -- --train   also the 400-iteration MNIST training vs the peer (several minutes)
 */
import { benchAudio } from './audio.ts';
import { benchSae } from './sae.ts';
import { benchTrain } from './train.ts';
import { benchConv } from './conv.ts';

const train = process.argv.includes('--train');
for (const line of await benchAudio()) console.log(line);
for (const line of await benchSae()) console.log(line);
for (const line of await benchConv()) console.log(line);
if (train) for (const line of await benchTrain()) console.log(line);
// Worker threads of the parallel evaluator are unref'd, but tfjs keeps timers: end explicitly.
process.exit(0);
