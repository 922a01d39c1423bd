import type { Command } from 'commander';
import { scanLabeledSet, labelNames, speakerNames } from '../../data/labeled-set.ts';
import { officialSplit } from '../../data/splits.ts';
import { loadSpectra } from '../../pipeline/spectra.ts';
import { progress } from '../../pipeline/progress.ts';
import { DEFAULT_CONFIG } from '../../pipeline/config.ts';

/**
 * `sfl start` (what `npm start` runs): the main job on the embedded default sound set.
 * For now: the mel spectra of audio/fsdd and a summary of them.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('the main job on the embedded default sound set (audio/fsdd): compute its mel spectra and print a summary')
    .option('--audio <dir>', 'folder of labeled recordings', DEFAULT_CONFIG.data.audioDir)
    .action(async (opts: { audio: string }) => {
      const set = scanLabeledSet(opts.audio);
      const split = officialSplit(set.recordings);
      console.log(
        `${opts.audio}: ${set.recordings.length} recordings, ${labelNames(set.recordings).length} labels, ` +
          `speakers ${speakerNames(set.recordings).join(', ')}; official split ${split.train.length} train / ${split.test.length} test`,
      );
      const t0 = performance.now();
      const bar = progress({ stage: 'mel spectra', total: set.recordings.length });
      const res = await loadSpectra(
        set.recordings.map((r) => r.path),
        { ...DEFAULT_CONFIG.spectrum },
        { skipBad: true, onProgress: (d) => bar.update(d) },
      );
      bar.stop();
      const seconds = (performance.now() - t0) / 1000;
      const frames = res.spectra.reduce((n, m) => n + m.rows, 0);
      let min = Infinity, max = -Infinity, sum = 0;
      for (const m of res.spectra) for (const v of m.data) { min = Math.min(min, v); max = Math.max(max, v); sum += v; }
      const p = res.params;
      console.log(
        `mel spectra: ${res.spectra.length} files, ${frames} frames x ${p.bands} bands ` +
          `(${p.sampleRate} Hz, frame ${p.frameSize}, hop ${p.hop}, ${p.window} window, log power)`,
      );
      console.log(`values: min ${min.toFixed(2)}, mean ${(sum / (frames * p.bands)).toFixed(2)}, max ${max.toFixed(2)} (ln energy)`);
      console.log(
        `audio ${res.audioSeconds.toFixed(1)} s in ${seconds.toFixed(2)} s (${(res.audioSeconds / seconds).toFixed(0)}x real time; ` +
          `cache: ${res.cache.hits} hits, ${res.cache.misses} computed)`,
      );
      if (res.skipped.length) console.log(`skipped ${res.skipped.length} files: ${res.skipped.map((s) => s.reason).join('; ')}`);
    });
}
