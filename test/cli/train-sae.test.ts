import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ROOT } from './run-cli.ts';

const FIXTURE = join(ROOT, 'test/fixtures/mnist');

describe('sfl train-sae / visualize', () => {
  it('writes a complete run (model, filters, cost curve, metrics, config) and visualize redraws it', () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-runs-'));
    const r = runCli(['train-sae', '--mnist', FIXTURE, '--count', '100', '--hidden', '9', '--iterations', '5', '--outputs', out, '--name', 'tiny', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.iterations).toBe(5);
    const run = join(out, 'tiny');
    expect(readdirSync(run).sort()).toEqual(['cost.png', 'filters.png', 'metrics.json', 'model', 'report.html', 'run.json']);
    expect(JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).config.sae.hidden).toBe(9);
    const v = runCli(['visualize', run, '--out', join(out, 'again.png')]);
    expect(v.code, v.stderr).toBe(0);
    expect(existsSync(join(out, 'again.png'))).toBe(true);
    // It has no classifier: export says so, and what to do, rather than listing formats it could take.
    const e = runCli(['export', run, '--onnx']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/no classifier; use sfl encode/);
    // No staging folder is left behind.
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('without an MNIST folder says where to put one', () => {
    const r = runCli(['train-sae', '--mnist', '--iterations', '1'], { SFL_MNIST_DIR: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--mnist DIR|SFL_MNIST_DIR/);
  });

  it('a bad flag value names the flag', () => {
    const r = runCli(['train-sae', '--mnist', FIXTURE, '--hidden', 'many']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--hidden must be an integer/);
  });
});
