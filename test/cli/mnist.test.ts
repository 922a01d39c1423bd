import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ROOT } from './run-cli.ts';
import { resolveConfig, type PartialConfig } from '../../src/pipeline/config.ts';
import { runMnistLogreg } from '../../src/pipeline/experiments/mnist-baselines.ts';

const FIXTURE = join(ROOT, 'test/fixtures/mnist');
const TINY = ['--mnist', FIXTURE, '--train-count', '800', '--valid-count', '200', '--batch-size', '100', '--epochs', '4'];

describe('sfl mnist', () => {
  it('trains a tiny logistic regression and writes metrics, learning curve and model', () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-mnist-'));
    const r = runCli(['mnist', 'logreg', ...TINY, '--outputs', out, '--name', 'tiny', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.epochs).toBe(4);
    expect(res.testError).toBeGreaterThan(0);
    expect(res.testError).toBeLessThan(0.5);
    expect(r.stderr).toMatch(/logreg epoch 1: cost [\d.]+, validation error [\d.]+%, test error [\d.]+% \(new best\), [\d.]+ s\/epoch/);
    const run = join(out, 'tiny');
    for (const f of ['metrics.json', 'learning-curve.png', 'run.json', 'model']) expect(existsSync(join(run, f)), f).toBe(true);
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    expect(metrics.validations).toHaveLength(4);
    expect(metrics.settings.learningRate).toBe(0.13);
    // The checkpoint is gone once the run is committed, and nothing hidden is left behind.
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);

    // The same name again: refused, the finished run untouched; --overwrite replaces it.
    const before = readFileSync(join(run, 'metrics.json'), 'utf8');
    const again = runCli(['mnist', 'logreg', ...TINY, '--outputs', out, '--name', 'tiny']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`sfl: run tiny already exists in ${run}; pass --overwrite to replace it, or choose another --name (in a config or the library: run.overwrite, run.name)`);
    expect(readFileSync(join(run, 'metrics.json'), 'utf8')).toBe(before);
    const over = runCli(['mnist', 'logreg', ...TINY, '--epochs', '1', '--outputs', out, '--name', 'tiny', '--overwrite', '--json']);
    expect(over.code, over.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')).validations).toHaveLength(1);
    expect(readdirSync(out)).toEqual(['tiny']);
  });

  it('a run interrupted after epoch 1 resumes from its checkpoint and ends as an uninterrupted run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-mnist-'));
    const straight = runCli(['mnist', 'logreg', ...TINY, '--outputs', out, '--name', 'straight', '--json']);
    expect(straight.code, straight.stderr).toBe(0);

    const config = resolveConfig({
      experiment: 'mnist-logreg',
      data: { source: 'mnist', mnistDir: FIXTURE },
      run: { name: 'cut', outputs: out },
      baselines: { trainCount: 800, validCount: 200, logreg: { batchSize: 100, epochs: 4 } },
    } as PartialConfig);
    // Interrupt as epoch 2 reports, i.e. after epoch 1's checkpoint was written.
    const interrupt = (line: string) => {
      if (line.includes('epoch 2:')) throw new Error('interrupted');
    };
    await expect(runMnistLogreg(config, interrupt)).rejects.toThrow('interrupted');
    expect(existsSync(join(out, 'cut'))).toBe(false);
    expect(existsSync(join(out, '.checkpoints', 'cut', 'checkpoint.sflckpt'))).toBe(true);

    // Starting `cut` afresh would overwrite its checkpoint: refused, saying how to resume.
    const fresh = runCli(['mnist', 'logreg', ...TINY, '--outputs', out, '--name', 'cut']);
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toMatch(/run cut has an unfinished run's checkpoint in .*; continue it with --resume cut, or pass --overwrite to start again/);

    const resumed = runCli(['mnist', 'logreg', '--resume', 'cut', '--outputs', out, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed/);
    expect(resumed.stderr).not.toMatch(/epoch 1:/);
    expect(resumed.stderr).toMatch(/epoch 2:/);
    const a = JSON.parse(readFileSync(join(out, 'straight', 'metrics.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(out, 'cut', 'metrics.json'), 'utf8'));
    expect(b.validations).toEqual(a.validations);
    expect(b.testError).toBe(a.testError);
    expect(b.epochHistory.map((e: { cost: number }) => e.cost)).toEqual(a.epochHistory.map((e: { cost: number }) => e.cost));
    expect(existsSync(join(out, '.checkpoints'))).toBe(false);
  });

  it('--resume of an unknown run says there is no checkpoint', () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-mnist-'));
    const r = runCli(['mnist', 'mlp', '--resume', 'nothing', '--outputs', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no checkpoint to resume from/);
  });

  it('rejects an unknown model', () => {
    const r = runCli(['mnist', 'svm']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/logreg/);
  });
});
