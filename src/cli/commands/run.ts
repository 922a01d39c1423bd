import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { mergePartials, parseOverride, readConfigFile, resolveConfig, type Config, type PartialConfig } from '../../pipeline/config.ts';
import { experimentRunner } from '../../pipeline/experiments/index.ts';
import { setQuiet } from '../../util/progress.ts';
import { REPORT_FILE } from '../../pipeline/report.ts';
import { flatMetrics, formatAccuracy, readRun, runHeadline } from '../../pipeline/run-summary.ts';
import { intArg } from '../options.ts';

interface RunFlags {
  set?: string[];
  name?: string;
  outputs?: string;
  overwrite?: boolean;
  seed?: number;
  quiet?: boolean;
  json?: boolean;
}

/**
 * The config file with the flags laid over it. Every layer is resolved from the defaults as it is
 * added, so an error names the layer that caused it (the file, or the --set that broke it), and
 * derived seeds follow a --seed or --set run.seed.
 */
export async function runConfig(file: string, f: RunFlags): Promise<Config> {
  let partial = await readConfigFile(file);
  let config = resolveConfig(partial, file);
  for (const o of f.set ?? []) {
    partial = mergePartials(partial, parseOverride(o));
    config = resolveConfig(partial, `--set ${o}`);
  }
  const run: PartialConfig['run'] = {};
  if (f.outputs !== undefined) run.outputs = f.outputs;
  if (f.seed !== undefined) run.seed = f.seed;
  if (f.name !== undefined) run.name = f.name;
  if (f.overwrite) run.overwrite = true;
  // Unnamed runs are named after the config file, so `sfl runs` tells mnist-sae from fsdd-sae
  // (the run folder claims <prefix>-<date>-<time> or the next free suffix when it starts).
  run.namePrefix = basename(file).replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || null;
  partial = mergePartials(partial, { run });
  return resolveConfig(partial, 'command-line flags');
}

/** `sfl run <config.json>`: run the experiment a config file describes. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'run the experiment described by a JSON config (see configs/): its "experiment" key picks the pipeline, ' +
        'the rest override the defaults. Writes outputs/<run>/ with the config, model, metrics, figures and report.html',
    )
    .argument('<config>', 'a JSON config file, e.g. configs/mnist-sae.json')
    .option('--set <key=value...>', 'override config keys, e.g. --set sae.maxIter=50 data.count=2000')
    .option('--name <run>', 'run name: outputs/<run>/ (default: <config name>-<date>-<time>)')
    .option('--outputs <dir>', 'folder of runs (default: run.outputs of the config, "outputs")')
    .option('--overwrite', 'replace an existing run of the same name (default: refuse)')
    .option('--seed <n>', 'random seed (default: run.seed of the config)', intArg('--seed'))
    .option('--quiet', 'no progress display')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (file: string, flags: RunFlags) => {
      if (flags.quiet) setQuiet(true);
      const config = await runConfig(file, flags);
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
