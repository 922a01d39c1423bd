import type { Command } from 'commander';
import { initBackend } from '../../compute/backend.ts';
import { runConvExperiment } from '../../pipeline/experiments/conv.ts';
import { audioTablesOutput, printAudioRunResult, printClassificationResult } from '../classification-output.ts';
import { addDataOptions, addRunOptions, AUDIO_CLASSIFICATION_FLAGS, PREPROCESS_FLAGS, SAE_FLAGS, SOFTMAX_FLAGS } from '../experiment-options.ts';
import { addConfigFlags, commandConfig } from '../options.ts';

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
  addConfigFlags(cmd, ['conv.patchSize', 'conv.bandPatch', 'conv.poolSize', 'conv.poolStride']);
  addConfigFlags(cmd, [...PREPROCESS_FLAGS, ...SAE_FLAGS, ...SOFTMAX_FLAGS]);
  addRunOptions(cmd);
  addConfigFlags(cmd, AUDIO_CLASSIFICATION_FLAGS);
  cmd.action(async (flags: { json?: boolean }) => {
    const config = await commandConfig(cmd, { command: { experiment: 'conv' } });
    await initBackend();
    const { runPath, metrics } = await runConvExperiment(config, { baseline: config.softmax.baseline, print: audioTablesOutput(flags.json) });
    if (config.data.source === 'audio') printAudioRunResult(runPath, metrics as Parameters<typeof printAudioRunResult>[1], flags.json);
    else printClassificationResult(runPath, metrics as Parameters<typeof printClassificationResult>[1], flags.json);
  });
}
