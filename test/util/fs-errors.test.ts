import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentError, makeDirs, writeFileNamed } from '../../src/util/fs-errors.ts';

const root = mkdtempSync(join(tmpdir(), 'sfl-fs-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeDirs', () => {
  it('makes missing parents and accepts an existing folder', () => {
    const deep = join(root, 'a', 'b', 'c');
    makeDirs(deep);
    makeDirs(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it('names the file that stands where a folder should be', () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => makeDirs(join(file, 'sub'), 'choose another --outputs folder')).toThrow(
      `${join(file, 'sub')}: ${file} is a file, not a folder; move it away or choose another --outputs folder`,
    );
  });

  // Node's own recursive mkdir never returns here (it retries forever at 100% CPU).
  it.skipIf(!existsSync('/proc/self'))('refuses a folder the file system will not have (/proc), at once', () => {
    expect(() => makeDirs('/proc/sfl-test/x')).toThrow('/proc/sfl-test: cannot be created as a folder: the file system there does not allow it; choose a folder elsewhere');
  });

  it('permission denied, seen by an unprivileged user (root ignores permissions)', (ctx) => {
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) {
      console.warn('skipping: needs root and setpriv to act as an unprivileged user');
      return ctx.skip();
    }
    const locked = join(root, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    const url = new URL('../../src/util/fs-errors.ts', import.meta.url).href;
    const script = `import(${JSON.stringify(url)}).then((m) => { try { m.makeDirs(${JSON.stringify(join(locked, 'x'))}, 'choose another --outputs folder'); } catch (e) { console.log(e.message); } })`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8' });
    if (r.status !== 0 && /tsx|Cannot find/.test(r.stderr)) {
      console.warn(`skipping: the unprivileged user cannot run this checkout: ${r.stderr.trim().split('\n')[0]}`);
      return ctx.skip();
    }
    expect(r.stdout.trim()).toBe(`${join(locked, 'x')}: permission denied; change the permissions or choose another --outputs folder`);
  });
});

describe('environmentError', () => {
  it('says what happened and what to do for each fault of the machine', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(environmentError(err('ENOSPC'), '/data/out', 'choose another --outputs folder').message).toBe(
      '/data/out: the disk is full (no space left on the device); free some space or choose another --outputs folder',
    );
    expect(environmentError(err('EROFS'), '/mnt/cd').message).toBe('/mnt/cd: this is on a read-only file system; remount it writable or choose another location');
    expect(environmentError(err('EDQUOT'), '/home/u/out').message).toMatch(/^\/home\/u\/out: your disk quota is used up; free some space or/);
  });

  it('writeFileNamed puts the path on errors that Node leaves without one', async () => {
    const p = join(root, 'nowhere', 'x.bin');
    await expect(writeFileNamed(p, 'x')).rejects.toMatchObject({ code: 'ENOENT', path: p });
  });
});
