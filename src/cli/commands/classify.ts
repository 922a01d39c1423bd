import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { loadAudioPipeline, classifySpectra } from '../../pipeline/audio-classifier.ts';
import { loadSpectra } from '../../pipeline/spectra.ts';
import { setQuiet } from '../../util/progress.ts';
import { intArg } from '../options.ts';
import { wavPaths } from './features.ts';

/** A run folder, its pipeline/ folder, or the folder itself. */
function pipelineDir(target: string): string {
  return existsSync(join(target, 'pipeline', 'classifier')) ? join(target, 'pipeline') : target;
}

/** `sfl classify`: label new recordings with a saved pipeline. */
export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description(
      'label recordings with a saved pipeline (a run of `sfl self-taught --audio` or `npm start`): prints, for each ' +
        'recording, the predicted label and the most probable classes. Recordings at another sample rate are ' +
        'resampled to the training rate; unreadable ones are reported and skipped. A pipeline trained with ' +
        '--standardise-per-speaker takes all the recordings given as one speaker\'s (at least 10) and standardises them together',
    )
    .argument('<model>', 'a run folder (outputs/<run>) or its pipeline/ folder')
    .argument('<wav...>', 'WAV files or folders of WAV files')
    .option('--top <k>', 'how many classes to show per recording', intArg('--top'), 3)
    .option('--json', 'print one JSON object per recording (JSON lines)')
    .option('--quiet', 'no progress display')
    .action(async (model: string, targets: string[], opts: { top: number; json?: boolean; quiet?: boolean }) => {
      if (opts.quiet || opts.json) setQuiet(true);
      await initBackend();
      const p = await loadAudioPipeline(pipelineDir(model));
      const paths = targets.flatMap((t) => wavPaths(t));
      // The training parameters, rate included: other rates are resampled, never silently mixed.
      const { sampleRate, ...rest } = p.spectrum;
      const res = await loadSpectra(paths, { ...rest, sampleRate }, { skipBad: true, cache: false });
      for (const s of res.skipped) {
        if (opts.json) console.log(JSON.stringify({ file: s.path, error: s.reason }));
        else process.stderr.write(`skipped ${s.reason}\n`);
      }
      const { labels, probs } = classifySpectra(p, res.spectra);
      const names = p.classifier.classNames;
      res.paths.forEach((path, i) => {
        const row = Array.from(probs.data.subarray(i * probs.cols, (i + 1) * probs.cols));
        const top = row.map((pr, c) => ({ label: names[c], probability: pr })).sort((a, b) => b.probability - a.probability).slice(0, opts.top);
        if (opts.json) console.log(JSON.stringify({ file: path, label: names[labels[i]], top }));
        else console.log(`${path}\t${names[labels[i]]}\t${top.map((t) => `${t.label} ${(100 * t.probability).toFixed(1)}%`).join(', ')}`);
      });
      if (res.skipped.length && !opts.json) process.exitCode = 1;
    });
}
