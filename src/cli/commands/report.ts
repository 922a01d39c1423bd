import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../pipeline/config.ts';
import { addConfigFlags } from '../options.ts';
import { writeReport } from '../../pipeline/report.ts';
import { SflError } from '../../util/errors.ts';

/** A run given as a folder, or by name inside the outputs folder. */
function runFolder(run: string, outputs: string): string {
  if (existsSync(join(run, 'run.json'))) return run;
  const named = join(outputs, run);
  if (existsSync(join(named, 'run.json'))) return named;
  throw new SflError(`no run ${JSON.stringify(run)}: give a run folder or the name of a run in ${outputs}/ (see sfl runs)`);
}

/** `sfl report <run>`: rebuild report.html of a run. */
export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('rebuild report.html of a run: one self-contained page with its config, metrics and figures')
    .argument('<run>', 'a run folder (outputs/<run>) or a run name')
    .option('--json', 'print {"report": path} on stdout');
  addConfigFlags(cmd, ['run.outputs']);
  cmd.action(async (run: string, flags: { outputs?: string; json?: boolean }) => {
      const path = await writeReport(runFolder(run, flags.outputs ?? DEFAULT_CONFIG.run.outputs));
      console.log(flags.json ? JSON.stringify({ report: path }) : path);
    });
}
