import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ROOT } from './run-cli.ts';

const FIXTURE = join(ROOT, 'test/fixtures/mnist');
const tiny = ['--mnist', FIXTURE, '--iterations', '15', '--softmax-iterations', '40', '--quiet'];

describe('sfl stacked / self-taught / train-softmax', () => {
  it('stacked prints the accuracy before and after fine-tuning, the confusion tables and per-class accuracy', () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-runs-'));
    const r = runCli(['stacked', ...tiny, '--layers', '20,20', '--fine-tune-iterations', '20', '--seed', '2', '--outputs', out, '--name', 's']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^before fine-tuning: test accuracy \d+\.\d\d% \(\d+ of 200\)$/m);
    expect(r.stdout).toMatch(/^after fine-tuning: test accuracy \d+\.\d\d% \(\d+ of 200\)$/m);
    expect(r.stdout).toMatch(/^true \\ pred/m);
    expect(r.stdout).toMatch(/^per-class accuracy \(recall\): 0 \d/m);
    expect(r.stdout).toMatch(/^seed 2; run written to /m);
    const run = JSON.parse(readFileSync(join(out, 's', 'run.json'), 'utf8'));
    expect(run.config.stacked).toEqual({ layers: [20, 20], fineTune: true, fineTuneMaxIter: 20 });
  });

  it('self-taught --json gives the metrics as one object', () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-runs-'));
    const r = runCli(['self-taught', ...tiny, '--hidden', '16', '--unlabeled', '5-9', '--labeled', '0-4', '--outputs', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.classNames).toEqual(['0', '1', '2', '3', '4']);
    expect(m.test.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(m.test.examples);
    expect(m.costHistory).toBeUndefined();
    expect(m.run).toContain(out);
  });

  it('train-softmax prints the test accuracy line and the confusion table', () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-runs-'));
    const r = runCli(['train-softmax', '--mnist', FIXTURE, '--softmax-iterations', '30', '--quiet', '--outputs', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^test accuracy \d+\.\d\d% \(\d+ of 200\)$/m);
    expect(r.stdout).toMatch(/^overall accuracy/m);
  });

  it('user mistakes are one-line errors', () => {
    const r = runCli(['self-taught', '--mnist', FIXTURE, '--digits', '0-4']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--labeled and --unlabeled/);
    const e = runCli(['stacked', '--mnist', FIXTURE, '--layers', '200,x']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/--layers takes hidden layer sizes/);
    const h = runCli(['stacked', '--mnist', FIXTURE, '--hidden', '50']);
    expect(h.code).toBe(1);
    expect(h.stderr).toMatch(/as --layers/);
    const l = runCli(['self-taught', '--mnist', FIXTURE, '--choose-weight-decay', '1e-4,,x']);
    expect(l.code).toBe(1);
    expect(l.stderr).toMatch(/--choose-weight-decay takes weight decays >= 0 separated by commas/);
    expect(runCli(['self-taught', '--help']).stdout).toMatch(/--choose-weight-decay <list>/);
  });
});
