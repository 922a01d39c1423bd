import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { resolveConfig, type PartialConfig } from '../../pipeline/config.ts';
import { runConvExperiment } from '../../pipeline/experiments/conv.ts';
import { printClassificationResult } from '../classification-output.ts';
import {
  addAudioClassificationOptions, addDataOptions, addPreprocessOptions, addRunOptions, addSaeOptions, addSoftmaxOptions,
  configFromFlags, defined, withAudioClassificationFlags, type AudioClassificationFlags, type ExperimentFlags,
} from '../experiment-options.ts';
import { intArg } from '../options.ts';

type ConvFlags = ExperimentFlags & AudioClassificationFlags & { patch?: number; bandPatch?: number; poolSize?: number; poolStride?: number };

/** `sfl conv`: learned features convolved over whole inputs, pooled, classified by a softmax. */
export function registerConv(program: Command): void {
  const cmd = program
    .command('conv')
    .description(
      'convolution and pooling: a sparse autoencoder learns features on small patches, the features (with their ' +
        'preprocessing folded in) are convolved over whole inputs, the feature maps pooled, and a softmax classifies. ' +
        '--mnist: --patch x --patch pixel patches over the 28x28 images, pooled over --pool-size regions; training ' +
        'images vs test images. --audio DIR: --frames x all bands (or x --band-patch bands, also sliding over ' +
        'frequency and pooled over --pool-size offsets) over each recording\'s spectrogram, pooled over time ' +
        '(--pool, --segments), classified per --split. Prints the test accuracy (see configs/fsdd-conv.json, configs/mnist-conv.json)',
    );
  addDataOptions(cmd);
  cmd
    .option('--patch <n>', 'MNIST: side of the square patches the features span (default: 8)', intArg('--patch'))
    .option('--band-patch <n>', 'audio: bands a feature spans, sliding over frequency too (default: all bands, sliding in time only)', intArg('--band-patch'))
    .option('--pool-size <n>', 'side of a pooling region: pixels of the feature maps (MNIST) or frequency offsets (audio with --band-patch) (default: 7)', intArg('--pool-size'))
    .option('--pool-stride <n>', 'step between pooling regions (default: the pool size, regions do not overlap)', intArg('--pool-stride'));
  addPreprocessOptions(cmd);
  addSaeOptions(cmd);
  addSoftmaxOptions(cmd);
  addRunOptions(cmd);
  addAudioClassificationOptions(cmd);
  cmd.action(async (flags: ConvFlags) => {
    let config = await configFromFlags(flags);
    const conv = defined({ patchSize: flags.patch, bandPatch: flags.bandPatch, poolSize: flags.poolSize, poolStride: flags.poolStride });
    config = resolveConfig({ experiment: 'conv', conv } as PartialConfig, 'command-line flags', config);
    config = withAudioClassificationFlags(config, flags);
    await initBackend();
    const { runPath, metrics } = await runConvExperiment(config, { baseline: Boolean(flags.baseline) });
    if (config.data.source === 'audio') console.log(`run written to ${runPath}`);
    else printClassificationResult(runPath, metrics as Parameters<typeof printClassificationResult>[1], flags.json);
  });
}
