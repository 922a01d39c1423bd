import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ROOT } from './run-cli.ts';

const FIXTURE = join(ROOT, 'test/fixtures/mnist');

describe('sfl run / runs / report', () => {
  it('runs a config with --set overrides, lists it, and rebuilds its report', () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-run-'));
    const r = runCli([
      'run', 'configs/mnist-sae.json',
      '--set', `data.mnistDir=${FIXTURE}`, 'data.count=100', 'sae.hidden=9', 'sae.maxIter=3',
      '--outputs', out, '--seed', '4', '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.experiment).toBe('sae');
    expect(res.metrics.iterations).toBe(3);
    // Unnamed runs are named after the config file.
    expect(res.run).toMatch(/mnist-sae-\d{8}-\d{6}$/);
    const info = JSON.parse(readFileSync(join(res.run, 'run.json'), 'utf8'));
    expect(info.config).toMatchObject({ experiment: 'sae', sae: { hidden: 9, maxIter: 3 }, data: { count: 100 }, run: { seed: 4 } });
    // --seed moves the derived seeds with it.
    expect(info.config.windows.seed).toBe(4);
    expect(info.argv.slice(0, 2)).toEqual(['run', 'configs/mnist-sae.json']);

    const runs = runCli(['runs', '--outputs', out, '--json']);
    expect(runs.code, runs.stderr).toBe(0);
    const list = JSON.parse(runs.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ experiment: 'sae', accuracy: null });
    expect(list[0].finalCost).toBeCloseTo(res.metrics.finalCost, 6);
    const table = runCli(['runs', '--outputs', out]);
    expect(table.stdout).toMatch(/^RUN\s+EXPERIMENT\s+STARTED\s+FINAL COST\s+ACCURACY\s+SECONDS\n/);

    rmSync(res.report);
    const rep = runCli(['report', list[0].name, '--outputs', out]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(existsSync(res.report)).toBe(true);
  });

  it('names the file and the key of a bad config, and the --set that broke one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfl-cfg-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ experiment: 'sae', sae: { hiden: 5 } }));
    const r = runCli(['run', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: unknown key sae.hiden (did you mean sae.hidden?)`);
    const s = runCli(['run', 'configs/mnist-sae.json', '--set', 'experiment=cnn']);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/--set experiment=cnn: experiment must be one of "sae"/);
  });

  it('sfl report and sfl runs say what is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'sfl-none-'));
    expect(runCli(['runs', '--outputs', empty]).stdout).toMatch(/^no runs in /);
    const r = runCli(['report', 'nope', '--outputs', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no run "nope"/);
  });
});
