import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { experimentRunner } from '../../pipeline/experiments/index.ts';
import { REPORT_FILE } from '../../pipeline/report.ts';
import { formatAccuracy, readRun, runHeadline } from '../../pipeline/run-summary.ts';
import { flatMetrics } from '../../pipeline/run-metrics.ts';
import { addOutputOptions, RUN_FLAGS } from '../experiment-options.ts';
import { addConfigFlags, commandConfig } from '../options.ts';

/**
 * Unnamed runs are named after the config file, so `sfl runs` tells mnist-sae from fsdd-sae (the
 * run folder claims <prefix>-<date>-<time> or the next free suffix when it starts).
 */
function namePrefix(file: string): string | null {
  return basename(file).replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || null;
}

/** `sfl run <config.json>`: run the experiment a config file describes. */
export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description(
      'run the experiment described by a JSON config (see configs/): its "experiment" key picks the pipeline, ' +
        'the rest override the defaults. Writes outputs/<run>/ with the config, model, metrics, figures and report.html',
    )
    .argument('<config>', 'a JSON config file, e.g. configs/mnist-sae.json')
    .option('--set <key=value...>', 'override config keys, e.g. --set sae.maxIter=50 data.count=2000 (applied after the flags)');
  addConfigFlags(cmd, RUN_FLAGS, { 'run.name': '<config name>-<date>-<time>', 'run.outputs': 'run.outputs of the config, else {default}', 'run.seed': 'run.seed of the config, else {default}' });
  addOutputOptions(cmd);
  cmd
    .action(async (file: string, flags: { quiet?: boolean; json?: boolean }) => {
      const config = await commandConfig(cmd, { file, command: { run: { namePrefix: namePrefix(file) } } });
      // Refuse an unimplemented experiment before loading the backend or any data.
      const runner = experimentRunner(config.experiment);
      await initBackend();
      const log = flags.quiet ? () => undefined : (s: string) => process.stderr.write(`${s}\n`);
      const { runPath, metrics } = await runner(config, log);
      const report = join(runPath, REPORT_FILE);
      if (flags.json) {
        const scalars = Object.fromEntries(flatMetrics(metrics));
        console.log(JSON.stringify({ run: runPath, experiment: config.experiment, report: existsSync(report) ? report : null, metrics: scalars }, null, 2));
        return;
      }
      const h = runHeadline(readRun(runPath));
      const parts = [
        h.finalCost !== null ? `final cost ${h.finalCost.toPrecision(7)}` : '',
        h.accuracy !== null ? `accuracy ${formatAccuracy(h.accuracy)}` : '',
        h.seconds !== null ? `${h.seconds.toFixed(1)} s` : '',
      ].filter(Boolean);
      console.log(`${config.experiment}: ${parts.join(', ') || 'done'}`);
      console.log(`run written to ${runPath}`);
      if (existsSync(report)) console.log(`report: ${resolve(report)}`);
    });
}
