import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../compute/backend.ts';
import { engine } from '../../compute/engine.ts';
import { runAudioSelfTaughtExperiment } from '../../pipeline/experiments/audio-self-taught.ts';
import { addConfigFlags, commandConfig } from '../options.ts';

/** The main job's settings live in a config file like every other experiment. */
export const START_CONFIG = fileURLToPath(new URL('../../../configs/fsdd-self-taught.json', import.meta.url));

/**
 * `sfl start` (what `npm start` runs): the main job on the embedded default sound set: learn
 * spectral features from audio/fsdd's training recordings, train the classifier, print the
 * official-split test accuracy beside the no-learning baseline, and save the whole pipeline.
 */
export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description(
      'the main job: learn spectral features from the training recordings of audio/fsdd (no labels), classify the ' +
        'test recordings with them, print the test accuracy beside the no-learning baseline, and save the pipeline ' +
        '(for `sfl classify`), the filter picture and the metrics in outputs/<run>/. Settings: configs/fsdd-self-taught.json',
    );
  addConfigFlags(cmd, ['data.audioDir', 'run.name', 'run.outputs', 'run.overwrite'], { 'run.name': 'self-taught-<date>-<time>' });
  cmd.option('--quiet', 'no progress display').action(async () => {
    const config = await commandConfig(cmd, { file: START_CONFIG, command: { softmax: { baseline: true } } });
    const backend = await initBackend();
    process.stderr.write(`sfl start: engine ${await engine()}, backend ${backend}; settings ${START_CONFIG}\n`);
    const { runPath, metrics } = await runAudioSelfTaughtExperiment(config, { baseline: true });
    console.log(`test accuracy ${(100 * metrics.testAccuracy).toFixed(2)}% (baseline ${(100 * (metrics.baselineAccuracy ?? NaN)).toFixed(2)}%)`);
    console.log(`pipeline, filters and metrics saved in ${runPath}; try: npm run sfl -- classify ${runPath} audio/fsdd/recordings/7_lucas_3.wav`);
  });
}
