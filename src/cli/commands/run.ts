import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { initBackend } from '../../compute/backend.ts';
import { mergePartials, parseOverride, readConfigFile, resolveConfig, type Config, type PartialConfig } from '../../pipeline/config.ts';
import { experimentRunner } from '../../pipeline/experiments/index.ts';
import { setQuiet } from '../../util/progress.ts';
import { REPORT_FILE } from '../../pipeline/report.ts';
import { defaultRunName } from '../../pipeline/run-dir.ts';
import { flatMetrics, formatAccuracy, readRun, runHeadline } from '../../pipeline/run-summary.ts';
import { intArg } from '../options.ts';

interface RunFlags {
  set?: string[];
  name?: string;
  outputs?: string;
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
  partial = mergePartials(partial, { run });
  config = resolveConfig(partial, 'command-line flags');
  // Unnamed runs are named after the config file, so `sfl runs` tells mnist-sae from fsdd-sae.
  if (config.run.name === null) {
    const base = defaultRunName(basename(file).replace(/\.json$/i, ''), new Date());
    let name = base;
    for (let i = 2; existsSync(join(config.run.outputs, name)); i++) name = `${base}-${i}`;
    config = resolveConfig(mergePartials(partial, { run: { name } }), 'command-line flags');
  }
  return config;
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
