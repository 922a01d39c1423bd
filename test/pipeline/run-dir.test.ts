import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir, cleanStaleRuns, defaultRunName, processStartTime } from '../../src/pipeline/run-dir.ts';

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
    expect(listing(final)).toEqual(['metrics.json', 'model', 'run.json']);
    const info = JSON.parse(read(join(final, 'run.json')));
    expect(info).toMatchObject({ name: 'r1', command: 'train', argv: ['train'], seed: 3, backend: 'cpu', config: { sae: { hidden: 5 } } });
    expect(info.versions.sfl).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(info.endedAt)).toBeGreaterThanOrEqual(Date.parse(info.startedAt));
    expect(() => run.path('late.txt')).toThrow(/already committed/);
  });

  it('a named run that exists is refused without overwrite; with it, replaced only at commit; abort leaves it intact', async () => {
    const root = tmpRoot();
    const first = await RunDir.create({ ...base, root, name: 'same' });
    await first.writeFile('model.txt', 'old');
    await first.commit();

    await expect(RunDir.create({ ...base, root, name: 'same' })).rejects.toThrow(
      `run same already exists in ${join(root, 'same')}; pass --overwrite to replace it, or choose another --name (in a config or the library: run.overwrite, run.name)`,
    );
    expect(listing(root)).toEqual(['same']);

    const second = await RunDir.create({ ...base, root, name: 'same', overwrite: true });
    await second.writeFile('model.txt', 'half-written');
    expect(read(join(root, 'same', 'model.txt'))).toBe('old');
    await second.abort();
    expect(read(join(root, 'same', 'model.txt'))).toBe('old');
    expect(listing(root)).toEqual(['same']);

    const third = await RunDir.create({ ...base, root, name: 'same', overwrite: true });
    await third.writeFile('model.txt', 'new');
    await third.commit();
    expect(read(join(root, 'same', 'model.txt'))).toBe('new');
    expect(listing(root)).toEqual(['same']);
  });

  it('a name owned elsewhere (an unfinished checkpoint) is refused with its hint; unnamed runs skip it', async () => {
    const root = tmpRoot();
    mkdirSync(join(root, 'ckpt', 'train-20261122-130509'), { recursive: true });
    mkdirSync(join(root, 'ckpt', 'held'), { recursive: true });
    const alsoOwns = (name: string) => ({ path: join(root, 'ckpt', name), hint: 'has a checkpoint; use --resume' });
    await expect(RunDir.create({ ...base, root, name: 'held', alsoOwns })).rejects.toThrow('run held has a checkpoint; use --resume');
    const now = () => new Date(2026, 10, 22, 13, 5, 9);
    const unnamed = await RunDir.create({ ...base, root, now, alsoOwns });
    expect(unnamed.name).toBe('train-20261122-130509-2');
    await unnamed.abort();
    const over = await RunDir.create({ ...base, root, name: 'held', alsoOwns, overwrite: true });
    expect(over.name).toBe('held');
    await over.abort();
  });

  it('two runs started together claim different folders, in one process and in two', async () => {
    const root = tmpRoot();
    const now = () => new Date(2026, 10, 22, 13, 5, 9);
    const runs = await Promise.all([1, 2, 3].map(() => RunDir.create({ ...base, root, now })));
    expect(new Set(runs.map((r) => r.name)).size).toBe(3);
    await Promise.all(runs.map((r, i) => r.writeFile('model.txt', `run ${i}`)));
    await Promise.all(runs.map((r) => r.commit()));
    expect(listing(root)).toEqual(['train-20261122-130509', 'train-20261122-130509-2', 'train-20261122-130509-3']);
    expect(runs.map((r) => read(join(root, r.name, 'model.txt')))).toEqual(['run 0', 'run 1', 'run 2']);

    // Two processes with the same clock, each writing its pid into its run.
    const root2 = tmpRoot();
    const runDirUrl = JSON.stringify(new URL('../../src/pipeline/run-dir.ts', import.meta.url).href);
    const script = `
      import { RunDir } from ${runDirUrl};
      // Both start together: wait for the go file, so neither is done before the other begins.
      const { existsSync } = await import('node:fs');
      while (!existsSync(${JSON.stringify(join(root2, '..go-' + 'x'))})) await new Promise((r) => setTimeout(r, 5));
      const run = await RunDir.create({ ...${JSON.stringify(base)}, root: ${JSON.stringify(root2)}, now: () => new Date(2026, 10, 22, 13, 5, 9) });
      await run.writeFile('pid.txt', String(process.pid));
      await run.commit();
    `;
    const child = () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    const kids = [child(), child()];
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(join(root2, '..go-x'), '');
    const codes = await Promise.all(kids.map((p) => new Promise((r) => p.on('exit', r))));
    expect(codes).toEqual([0, 0]);
    const runNames = listing(root2).filter((n) => !n.startsWith('.'));
    expect(runNames).toEqual(['train-20261122-130509', 'train-20261122-130509-2']);
    expect(runNames.map((n) => Number(read(join(root2, n, 'pid.txt')))).sort()).toEqual(kids.map((k) => k.pid).sort());
  });

  it('a named run being written by a live process is refused, not shared', async () => {
    const root = tmpRoot();
    const first = await RunDir.create({ ...base, root, name: 'busy' });
    await expect(RunDir.create({ ...base, root, name: 'busy' })).rejects.toThrow(/already being written by this process/);
    // As another process sees it: the claim's owner is our parent, alive.
    mkdirSync(join(root, '.staging-other'));
    writeFileSync(join(root, '.staging-other', '.owner'), String(process.ppid));
    await expect(RunDir.create({ ...base, root, name: 'other', overwrite: true })).rejects.toThrow(
      `run other is being written by another sfl process (pid ${process.ppid}) in ${root}; wait for it to finish or choose another --name`,
    );
    await first.abort();
  });

  it('cleans up after a crashed process: stale staging removed, trashed run restored', async () => {
    const root = tmpRoot();
    const done = await RunDir.create({ ...base, root, name: 'keep' });
    await done.writeFile('model.txt', 'complete');
    await done.commit();
    // A process that died mid-run (pid 2^22 + 1 is above the largest pid Linux can assign).
    const deadPid = 4194305;
    mkdirSync(join(root, '.staging-keep'));
    writeFileSync(join(root, '.staging-keep', '.owner'), String(deadPid));
    writeFileSync(join(root, '.staging-keep', 'model.txt'), 'half');
    // A process that died right after claiming a name, before writing its pid (a minute ago).
    mkdirSync(join(root, '.staging-orphan'));
    utimesSync(join(root, '.staging-orphan'), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    // A process that died between the two renames of a commit: the old run is in the trash.
    mkdirSync(join(root, `.trash-moved-${deadPid}`));
    writeFileSync(join(root, `.trash-moved-${deadPid}`, 'model.txt'), 'moved aside');
    // A live process's staging folder (our parent) must be left alone.
    const live = '.staging-other';
    mkdirSync(join(root, live));
    writeFileSync(join(root, live, '.owner'), String(process.ppid));
    // A claim made this instant whose owner file is not written yet.
    mkdirSync(join(root, '.staging-young'));

    // The dead process's claim on 'keep' is stale: the name can be claimed again.
    const next = await RunDir.create({ ...base, root, name: 'keep', overwrite: true });
    await next.abort();
    expect(listing(root)).toEqual([live, '.staging-young', 'keep', 'moved'].sort());
    expect(read(join(root, 'keep', 'model.txt'))).toBe('complete');
    expect(read(join(root, 'moved', 'model.txt'))).toBe('moved aside');
    expect(await cleanStaleRuns(root)).toEqual([]);
  });

  it('a claim whose pid now belongs to another process (started at another time) is stale; its owner\'s is not', async () => {
    const root = tmpRoot();
    const started = processStartTime(process.ppid);
    if (started === null) return console.warn('skipped: process start times cannot be read here (/proc)');
    // Our parent is alive: with its own start time it owns the claim, with another it is a stranger
    // that got a dead owner's pid.
    mkdirSync(join(root, '.staging-owned'));
    writeFileSync(join(root, '.staging-owned', '.owner'), `${process.ppid} ${started}\n`);
    mkdirSync(join(root, '.staging-reused'));
    writeFileSync(join(root, '.staging-reused', '.owner'), `${process.ppid} ${Number(started) + 1}\n`);
    const lines: string[] = [];
    const run = await RunDir.create({ ...base, root, name: 'next', log: (l) => lines.push(l) });
    expect(listing(root)).toEqual(['.staging-next', '.staging-owned']);
    expect(lines).toEqual([`${root}: removed the unfinished folder of 1 interrupted run whose process is gone (reused)`]);
    // Our own claim records our start time.
    expect(read(join(root, '.staging-next', '.owner'))).toBe(`${process.pid} ${processStartTime(process.pid)}\n`);
    await run.abort();
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

  it('a real SIGINT or SIGHUP or an uncaught exception removes the staging folder and leaves the old run', async () => {
    const runDirUrl = JSON.stringify(new URL('../../src/pipeline/run-dir.ts', import.meta.url).href);
    // Each child gets its own root, so neither's start-up cleanup can hide what the other left.
    const child = async (ending: string) => {
      const root = tmpRoot();
      const old = await RunDir.create({ ...base, root, name: 'sig' });
      await old.writeFile('model.txt', 'old');
      await old.commit();
      const script = `
        import { RunDir } from ${runDirUrl};
        const run = await RunDir.create(${JSON.stringify({ ...base, root, name: 'sig', overwrite: true })});
        await run.writeFile('model.txt', 'half');
        ${ending}
        await new Promise((r) => setTimeout(r, 5000));
      `;
      const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
      const exit = await new Promise<{ code: number | null; signal: string | null }>((r) => p.on('exit', (code, signal) => r({ code, signal })));
      return { ...exit, listing: listing(root), model: read(join(root, 'sig', 'model.txt')) };
    };
    // Run in parallel: each takes about a second to start.
    const [interrupted, hungUp, crashed] = await Promise.all([
      child("process.kill(process.pid, 'SIGINT');"),
      // The terminal closed under the run.
      child("process.kill(process.pid, 'SIGHUP');"),
      child("throw new Error('boom');"),
    ]);
    expect(interrupted).toEqual({ code: null, signal: 'SIGINT', listing: ['sig'], model: 'old' });
    expect(hungUp).toEqual({ code: null, signal: 'SIGHUP', listing: ['sig'], model: 'old' });
    expect(crashed).toEqual({ code: 1, signal: null, listing: ['sig'], model: 'old' });
  });
});
