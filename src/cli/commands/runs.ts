import type { Command } from 'commander';
import { DEFAULT_CONFIG } from '../../pipeline/config.ts';
import { addConfigFlags } from '../options.ts';
import { formatAccuracy, listRuns, type RunHeadline } from '../../pipeline/run-summary.ts';

/** "2024-05-01 14:03" in local time: the clock the user ran it by. */
function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function runsTable(runs: RunHeadline[]): string {
  const header = ['RUN', 'EXPERIMENT', 'STARTED', 'FINAL COST', 'ACCURACY', 'SECONDS'];
  const rows = runs.map((r) => [
    r.name,
    r.experiment,
    localTime(r.startedAt),
    r.finalCost === null ? '-' : r.finalCost.toPrecision(5),
    r.accuracy === null ? '-' : formatAccuracy(r.accuracy),
    r.seconds === null ? '-' : r.seconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Text columns left-aligned, numbers right-aligned.
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `sfl runs`: the past runs with their key numbers. */
export function registerRuns(program: Command): void {
  const cmd = program
    .command('runs')
    .description('list past runs (newest first) with their experiment, start time, final cost, accuracy and duration')
    .option('--json', 'print the list as a JSON array on stdout');
  addConfigFlags(cmd, ['run.outputs']);
  cmd.action((flags: { outputs?: string; json?: boolean }) => {
      const outputs = flags.outputs ?? DEFAULT_CONFIG.run.outputs;
      const runs = listRuns(outputs);
      if (flags.json) console.log(JSON.stringify(runs, null, 2));
      else if (runs.length === 0) console.log(`no runs in ${outputs}/`);
      else console.log(runsTable(runs));
    });
}
