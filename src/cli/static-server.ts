/**
 * A small HTTP server for one folder of static files (the page `sfl serve` shows), bound to the
 * loopback interface only: nothing on the network can reach it. GET and HEAD of files inside the
 * folder; anything else is 404 or 405. Port 0 lets the system choose a free port.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { SflError } from '../util/errors.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

export const LOOPBACK = '127.0.0.1';

/** Serves `root` on 127.0.0.1:`port`; resolves once listening, with the URL of its index page. */
export async function serveFolder(root: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    // No way out of the folder (.. in the path, or an encoded one).
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new Error('not a file');
      // no-cache: a page reloaded after a new `sfl serve` gets the new model, not the last one.
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': s.size, 'cache-control': 'no-cache' });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(
        e.code === 'EADDRINUSE'
          ? new SflError(`port ${port} on ${LOOPBACK} is taken by another program: choose another with --port, or --port 0 for any free one`)
          : e.code === 'EACCES'
            ? new SflError(`port ${port} needs privileges this user has not: choose one above 1023 with --port`)
            : e,
      ),
    );
    server.listen(port, LOOPBACK, () => done());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${LOOPBACK}:${actual}/` };
}
