import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanStaleRuns } from '../../src/pipeline/run-dir.ts';
import { ROOT } from './run-cli.ts';

/**
 * A real run interrupted part-way: the CLI in a child process, killed once its run folder is
 * claimed. A kill it can handle (SIGTERM, as Ctrl-C's SIGINT) removes its unfinished folder on
 * the way out; one it cannot (SIGKILL) leaves it, and the next run in the same outputs folder
 * removes it and says so, while a live run's folder is left alone.
 */

const FIXTURE = join(ROOT, 'test/fixtures/mnist');
const hidden = (root: string) => readdirSync(root).filter((n) => n.startsWith('.')).sort();

/** train-sae long enough to be killed while it trains (it would take minutes). */
function startRun(root: string, name: string): { child: ChildProcess; stderr: () => string; exit: Promise<{ code: number | null; signal: string | null }> } {
  const args = ['train-sae', '--mnist', FIXTURE, '--hidden', '100', '--iterations', '100000', '--outputs', root, '--name', name, '--quiet'];
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, stderr: () => err, exit };
}

/** Waits until the run's staging folder holds its run.json (the run has started), or the child ended. */
async function claimed(root: string, name: string, exit: Promise<unknown>): Promise<void> {
  let ended = false;
  void exit.then(() => (ended = true));
  for (let waited = 0; waited < 150_000 && !ended; waited += 50) {
    if (existsSync(join(root, `.staging-${name}`, 'run.json'))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${name} never started (ended: ${ended})`);
}

describe('a run killed part-way', () => {
  it('SIGKILL leaves its folder, the next run removes it and says so; SIGTERM cleans up itself; a live run is left alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sfl-killed-'));

    const killed = startRun(root, 'killed');
    await claimed(root, 'killed', killed.exit);
    const owner = readFileSync(join(root, '.staging-killed', '.owner'), 'utf8');
    expect(Number.parseInt(owner, 10)).toBe(killed.child.pid);
    killed.child.kill('SIGKILL');
    expect(await killed.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(hidden(root)).toEqual(['.staging-killed']);

    const next = startRun(root, 'next');
    await claimed(root, 'next', next.exit);
    // The dead run's folder is gone, and the line saying so names it.
    expect(hidden(root)).toEqual(['.staging-next']);
    expect(next.stderr()).toContain(`${root}: removed the unfinished folder of 1 interrupted run whose process is gone (killed)`);
    // Another process cleaning up meanwhile leaves the live run's folder alone.
    expect(await cleanStaleRuns(root)).toEqual([]);
    expect(hidden(root)).toEqual(['.staging-next']);
    next.child.kill('SIGTERM');
    expect(await next.exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(readdirSync(root)).toEqual([]);
  }, 400_000);
});
