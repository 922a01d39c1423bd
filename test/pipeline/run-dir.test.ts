import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir, cleanStaleRuns, defaultRunName } from '../../src/pipeline/run-dir.ts';

// Passing backend and versions keeps these tests from loading TensorFlow.js.
const base = { command: 'train', backend: 'cpu', versions: { tfjs: '0.0.0-test', node: process.versions.node }, argv: ['train'] };
const made: string[] = [];
const tmpRoot = () => made[made.push(mkdtempSync(join(tmpdir(), 'sfl-runs-'))) - 1];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const listing = (root: string) => readdirSync(root).sort();
const read = (p: string) => readFileSync(p, 'utf8');

describe('RunDir', () => {
  it('writes into staging and commit() moves the complete run into place', async () => {
    const root = tmpRoot();
    const run = await RunDir.create({ ...base, root, name: 'r1', config: { sae: { hidden: 5 } }, seed: 3 });
    await run.writeJson('metrics.json', { acc: 0.9 });
    await run.writeFile('model/weights.bin', new Uint8Array([1, 2, 3]));
    expect(existsSync(join(root, 'r1'))).toBe(false);
    expect(run.path('a.txt')).toBe(join(run.stagingPath, 'a.txt'));
    expect(() => run.path('../escape')).toThrow(/inside the run folder/);

    const final = await run.commit();
    expect(final).toBe(join(root, 'r1'));
    expect(listing(root)).toEqual(['r1']);
    expect(listing(final)).toEqual(['metrics.json', 'model', 'report.html', 'run.json']);
    const info = JSON.parse(read(join(final, 'run.json')));
    expect(info).toMatchObject({ name: 'r1', command: 'train', argv: ['train'], seed: 3, backend: 'cpu', config: { sae: { hidden: 5 } } });
    expect(info.versions.sfl).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(info.endedAt)).toBeGreaterThanOrEqual(Date.parse(info.startedAt));
    expect(() => run.path('late.txt')).toThrow(/already committed/);
  });

  it('a re-run replaces the old run only at commit; abort leaves it intact', async () => {
    const root = tmpRoot();
    const first = await RunDir.create({ ...base, root, name: 'same' });
    await first.writeFile('model.txt', 'old');
    await first.commit();

    const second = await RunDir.create({ ...base, root, name: 'same' });
    await second.writeFile('model.txt', 'half-written');
    expect(read(join(root, 'same', 'model.txt'))).toBe('old');
    await second.abort();
    expect(read(join(root, 'same', 'model.txt'))).toBe('old');
    expect(listing(root)).toEqual(['same']);

    const third = await RunDir.create({ ...base, root, name: 'same' });
    await third.writeFile('model.txt', 'new');
    await third.commit();
    expect(read(join(root, 'same', 'model.txt'))).toBe('new');
    expect(listing(root)).toEqual(['same']);
  });

  it('cleans up after a crashed process: stale staging removed, trashed run restored', async () => {
    const root = tmpRoot();
    const done = await RunDir.create({ ...base, root, name: 'keep' });
    await done.writeFile('model.txt', 'complete');
    await done.commit();
    // A process that died mid-run (pid 2^22 + 1 is above the largest pid Linux can assign).
    const deadPid = 4194305;
    mkdirSync(join(root, `.staging-keep-${deadPid}`));
    writeFileSync(join(root, `.staging-keep-${deadPid}`, 'model.txt'), 'half');
    // A process that died between the two renames of a commit: the old run is in the trash.
    mkdirSync(join(root, `.trash-moved-${deadPid}`));
    writeFileSync(join(root, `.trash-moved-${deadPid}`, 'model.txt'), 'moved aside');
    // A live process's staging folder (our parent) must be left alone.
    const live = `.staging-other-${process.ppid}`;
    mkdirSync(join(root, live));

    const next = await RunDir.create({ ...base, root, name: 'another' });
    await next.abort();
    expect(listing(root)).toEqual([live, 'keep', 'moved'].sort());
    expect(read(join(root, 'keep', 'model.txt'))).toBe('complete');
    expect(read(join(root, 'moved', 'model.txt'))).toBe('moved aside');
    expect(await cleanStaleRuns(root)).toEqual([]);
  });

  it('names runs <command>-<YYYYMMDD-HHMMSS> and never reuses a default name', async () => {
    const root = tmpRoot();
    const now = () => new Date(2026, 10, 22, 13, 5, 9);
    expect(defaultRunName('train-sae', now())).toBe('train-sae-20261122-130509');
    const a = await RunDir.create({ ...base, root, now });
    await a.commit();
    const b = await RunDir.create({ ...base, root, now });
    await b.commit();
    expect(listing(root)).toEqual(['train-20261122-130509', 'train-20261122-130509-2']);
    await expect(RunDir.create({ ...base, root, name: '../x' })).rejects.toThrow(/run name "..\/x"/);
  });

  it('a real SIGINT or an uncaught exception removes the staging folder and leaves the old run', async () => {
    const runDirUrl = JSON.stringify(new URL('../../src/pipeline/run-dir.ts', import.meta.url).href);
    // Each child gets its own root, so neither's start-up cleanup can hide what the other left.
    const child = async (ending: string) => {
      const root = tmpRoot();
      const old = await RunDir.create({ ...base, root, name: 'sig' });
      await old.writeFile('model.txt', 'old');
      await old.commit();
      const script = `
        import { RunDir } from ${runDirUrl};
        const run = await RunDir.create(${JSON.stringify({ ...base, root, name: 'sig' })});
        await run.writeFile('model.txt', 'half');
        ${ending}
        await new Promise((r) => setTimeout(r, 5000));
      `;
      const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
      const exit = await new Promise<{ code: number | null; signal: string | null }>((r) => p.on('exit', (code, signal) => r({ code, signal })));
      return { ...exit, listing: listing(root), model: read(join(root, 'sig', 'model.txt')) };
    };
    // Run in parallel: each takes about a second to start.
    const [interrupted, crashed] = await Promise.all([child("process.kill(process.pid, 'SIGINT');"), child("throw new Error('boom');")]);
    expect(interrupted).toEqual({ code: null, signal: 'SIGINT', listing: ['sig'], model: 'old' });
    expect(crashed).toEqual({ code: 1, signal: null, listing: ['sig'], model: 'old' });
  });
});
