import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';

/** A loopback port with nothing listening: connections are refused at once, as when offline. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('sfl data mnist', () => {
  it('offline: fails at once with one sentence saying where to put the files, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfl-data-'));
    const t0 = Date.now();
    const r = runCli(['data', 'mnist', '--dir', dir], { SFL_MNIST_MIRROR: `http://127.0.0.1:${await deadPort()}/` });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sfl: cannot reach any MNIST mirror/m);
    expect(r.stderr).toContain(`put them in ${dir}`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readdirSync(dir)).toEqual([]);
  });
});
