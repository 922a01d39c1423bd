import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveFolder } from '../../src/cli/static-server.ts';

/** A raw GET (fetch would normalise the `..` away before sending it). */
function get(url: string, path: string): Promise<{ status: number; body: string; type?: string }> {
  const u = new URL(url);
  return new Promise((done, fail) => {
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => done({ status: res.statusCode!, body, type: res.headers['content-type'] }));
    })
      .on('error', fail)
      .end();
  });
}

describe('serveFolder', () => {
  const root = mkdtempSync(join(tmpdir(), 'sfl-serve-test-'));
  const site = join(root, 'site');
  const servers: { close(): void }[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the folder on 127.0.0.1, and nothing outside it', async () => {
    writeFileSync(join(root, 'secret.txt'), 'outside');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<p>page</p>');
    const { server, url } = await serveFolder(site, 0);
    servers.push(server);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await get(url, '/')).toMatchObject({ status: 200, body: '<p>page</p>', type: 'text/html; charset=utf-8' });
    expect((await get(url, '/../secret.txt')).status).toBe(404);
    expect((await get(url, '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get(url, '/missing.js')).status).toBe(404);
  });

  it('says in a sentence that a port is taken', async () => {
    const { server, url } = await serveFolder(site, 0);
    servers.push(server);
    const port = Number(new URL(url).port);
    await expect(serveFolder(site, port)).rejects.toThrow(`port ${port} on 127.0.0.1 is taken by another program: choose another with --port, or --port 0 for any free one`);
  });
});
