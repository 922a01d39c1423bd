import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type PartialConfig } from '../../src/pipeline/config.ts';
import { runMnistDa, runMnistSda } from '../../src/pipeline/experiments/mnist-baselines.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/mnist');

function tinyConfig(out: string, name: string, sdaBatch = 100) {
  return resolveConfig({
    data: { source: 'mnist', mnistDir: FIXTURE },
    run: { name, outputs: out },
    baselines: {
      trainCount: 800,
      validCount: 200,
      sda: { hidden: [20, 10], corruption: [0.1, 0.2], batchSize: sdaBatch, pretrainEpochs: 2, epochs: sdaBatch === 1 ? 3 : 2 },
      da: { hidden: 16, batchSize: 100, epochs: 3 },
    },
  } as PartialConfig);
}

const quiet = () => {};
/** A log that throws when it sees `marker`, as if the process were stopped there. */
const stopAt = (marker: string) => (line: string) => {
  if (line.includes(marker)) throw new Error('interrupted');
};
const metrics = (out: string, name: string) => JSON.parse(readFileSync(join(out, name, 'metrics.json'), 'utf8'));

describe('resuming the pretrained models', () => {
  it('SdA: interrupted in the pretraining of layer 2, resumed, it ends exactly as an uninterrupted run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-resume-'));
    await runMnistSda(tinyConfig(out, 'straight'), quiet);
    // The throw comes as layer 2's second epoch reports, before its checkpoint: the last
    // checkpoint holds layer 1 done and layer 2 after one epoch.
    await expect(runMnistSda(tinyConfig(out, 'cut'), stopAt('layer 2 epoch 2:'))).rejects.toThrow('interrupted');
    expect(existsSync(join(out, '.checkpoints', 'cut'))).toBe(true);
    const lines: string[] = [];
    await runMnistSda(tinyConfig(out, 'cut'), (l) => lines.push(l), { resume: true });
    expect(lines.some((l) => l.includes('layer 1 epoch'))).toBe(false);
    expect(lines.some((l) => l.includes('layer 2 epoch 2:'))).toBe(true);
    const a = metrics(out, 'straight');
    const b = metrics(out, 'cut');
    expect(b.pretrainCosts).toEqual(a.pretrainCosts);
    expect(b.validations).toEqual(a.validations);
    expect(b.testError).toBe(a.testError);
    expect([a.stepsRanOn, a.pretrainStepsRanOn]).toEqual([`tfjs ${a.backend} backend`, `tfjs ${a.backend} backend`]);
  });

  it('SdA with one image per step (trained on the host): interrupted in pretraining and in fine-tuning, it ends exactly as an uninterrupted run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-resume-'));
    await runMnistSda(tinyConfig(out, 'straight', 1), quiet);
    await expect(runMnistSda(tinyConfig(out, 'cut', 1), stopAt('layer 2 epoch 2:'))).rejects.toThrow('interrupted');
    await expect(runMnistSda(tinyConfig(out, 'cut', 1), stopAt('sda epoch 2:'), { resume: true })).rejects.toThrow('interrupted');
    const lines: string[] = [];
    await runMnistSda(tinyConfig(out, 'cut', 1), (l) => lines.push(l), { resume: true });
    expect(lines.some((l) => l.includes('pretrain'))).toBe(false);
    expect(lines.some((l) => l.includes('sda epoch 1:'))).toBe(false);
    const a = metrics(out, 'straight');
    const b = metrics(out, 'cut');
    expect(a.epochs).toBe(3);
    // metrics.json says where the steps ran.
    const kernels = process.env.SFL_HOST_KERNELS === 'js' ? 'js' : 'simd';
    expect([a.stepsRanOn, a.pretrainStepsRanOn]).toEqual([`host, ${kernels} row kernels`, `host, ${kernels} row kernels`]);
    expect(b.pretrainCosts).toEqual(a.pretrainCosts);
    expect(b.epochHistory.map((e: { cost: number }) => e.cost)).toEqual(a.epochHistory.map((e: { cost: number }) => e.cost));
    expect(b.validations).toEqual(a.validations);
    // Training did something: pretraining lowered each layer's cost, fine-tuning the error.
    for (const costs of a.pretrainCosts) expect(costs[1]).toBeLessThan(costs[0]);
    expect(a.testError).toBeLessThan(0.5);
  });

  it('dA: resumed after epoch 1, the cost history matches an uninterrupted run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-resume-'));
    await runMnistDa(tinyConfig(out, 'straight'), quiet);
    await expect(runMnistDa(tinyConfig(out, 'cut'), stopAt('da epoch 2:'))).rejects.toThrow('interrupted');
    await runMnistDa(tinyConfig(out, 'cut'), quiet, { resume: true });
    expect(metrics(out, 'cut').costs).toEqual(metrics(out, 'straight').costs);
    expect(existsSync(join(out, 'cut', 'filters.png'))).toBe(true);
  });

  it('refuses to resume a run of another model', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-resume-'));
    await expect(runMnistDa(tinyConfig(out, 'x'), stopAt('da epoch 2:'))).rejects.toThrow('interrupted');
    await expect(runMnistSda(tinyConfig(out, 'x'), quiet, { resume: true })).rejects.toThrow(/is a mnist da run, not mnist sda/);
  });
});
