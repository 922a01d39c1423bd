/**
 * A program that only loads a trained run (no train() first) gets the backend the CLI uses:
 * loadRun selects it. Without that, TensorFlow.js fell back to its plain 'cpu' backend and printed
 * its "install our node backend" banner in the middle of the program's output.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, loadRun } from '../src/index.ts';
import { ROOT, runCliAsync } from './cli/run-cli.ts';

describe('library loadRun', () => {
  it('selects the same TensorFlow.js backend as the CLI before the run computes anything', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sfl-library-backend-'));
    // The run is trained in a child process, so this process has selected no backend yet.
    const r = await runCliAsync(['train-sae', '--mnist', join(ROOT, 'test/fixtures/mnist'), '--count', '100', '--hidden', '4', '--iterations', '2', '--outputs', out, '--name', 'tiny', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const run = await loadRun(join(out, 'tiny'));
    expect(run.kind).toBe('sae');
    const backend = tf.getBackend();
    expect(backend).toBe(await initBackend());
    expect(backend).not.toBe('cpu');
  }, 120_000);
});
