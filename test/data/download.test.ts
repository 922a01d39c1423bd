import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { checksumMismatch, defaultMirrors, downloadMnist, MNIST_CHECKSUMS, type Checksum } from '../../src/data/download.ts';
import { MNIST_GZ_FILES, cachedMnistDir, mnistCacheDir } from '../../src/data/mnist-cache.ts';
import { loadMnist, resolveMnistDir } from '../../src/data/mnist.ts';
import { SflError } from '../../src/util/errors.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/mnist');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Two local "mirrors" on loopback: /good/ serves the fixture files, /bad/ a corrupted copy of the
// training labels (one byte flipped) and otherwise nothing. Tests never touch the internet.
let server: Server;
let base: string;
const requests: string[] = [];
const files = new Map(MNIST_GZ_FILES.map((f) => [f, readFileSync(join(FIXTURE, f))]));
const checksums: Record<string, Checksum> = Object.fromEntries(MNIST_GZ_FILES.map((f) => [f, { md5: md5(files.get(f)!), sha256: sha256(files.get(f)!) }]));

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const [, mirror, name] = (req.url ?? '').split('/');
    let body = files.get(name);
    if (mirror === 'bad') {
      if (name !== 'train-labels-idx1-ubyte.gz' || !body) body = undefined;
      else {
        body = Buffer.from(body);
        body[body.length - 10] ^= 0xff;
      }
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('downloadMnist', () => {
  it('downloads and verifies the four files into the folder, readable by loadMnist; a second call reuses them', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sfl-dl-')), 'mnist');
    const res = await downloadMnist({ dir, mirrors: [`${base}/good/`], checksums });
    expect(Object.values(res.files).map((f) => f.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
    expect(readdirSync(dir).sort()).toEqual([...MNIST_GZ_FILES].sort());
    expect(loadMnist(dir, 'test').images.rows).toBe(200);
    const before = requests.length;
    const again = await downloadMnist({ dir, mirrors: [`${base}/good/`], checksums });
    expect(Object.values(again.files).every((f) => f.status === 'present')).toBe(true);
    expect(requests.length).toBe(before);
  });

  it('rejects a corrupted file, does not write it, and takes the file from the next mirror', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfl-dl-'));
    const res = await downloadMnist({ dir, mirrors: [`${base}/bad/`, `${base}/good/`], checksums });
    expect(res.files['train-labels-idx1-ubyte.gz'].source).toBe(`${base}/good/train-labels-idx1-ubyte.gz`);
    expect(readFileSync(join(dir, 'train-labels-idx1-ubyte.gz')).equals(files.get('train-labels-idx1-ubyte.gz')!)).toBe(true);
  });

  it('a corrupted download is rejected and not written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfl-dl-'));
    // The images are already in place, so the first file fetched is the corrupted labels file.
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), files.get('train-images-idx3-ubyte.gz')!);
    const err = await downloadMnist({ dir, mirrors: [`${base}/bad/`], checksums }).catch((e) => e);
    expect(err).toBeInstanceOf(SflError);
    expect(err.message).toMatch(/train-labels-idx1-ubyte\.gz.*corrupted or not the published file \(md5 [0-9a-f]{32} is not the published/);
    expect(readdirSync(dir)).toEqual(['train-images-idx3-ubyte.gz']);
  });

  it('offline (nothing listening) fails at once, saying where to put the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfl-dl-'));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const t0 = Date.now();
    const err = await downloadMnist({ dir, mirrors: [`http://127.0.0.1:${port}/`], checksums }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err).toBeInstanceOf(SflError);
    expect(err.message).toMatch(/offline/);
    expect(err.message).toContain(`put them in ${dir}`);
    expect(err.message).toMatch(/SFL_MNIST_DIR/);
  });

  it('the published checksums are the known ones, and SFL_MNIST_MIRROR overrides the mirrors', () => {
    expect(MNIST_CHECKSUMS['train-labels-idx1-ubyte.gz'].sha256).toBe('3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c');
    expect(MNIST_CHECKSUMS['t10k-labels-idx1-ubyte.gz'].md5).toBe('ec29112dd5afa0611ce80d1b7f02629c');
    expect(defaultMirrors({ SFL_MNIST_MIRROR: 'http://a/, http://b/' })).toEqual(['http://a/', 'http://b/']);
    expect(defaultMirrors({}).length).toBeGreaterThan(1);
  });
});

describe('the download cache', () => {
  it('lives under $XDG_CACHE_HOME/sfl/mnist and is found by resolveMnistDir once complete', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'sfl-xdg-'));
    const env = { XDG_CACHE_HOME: xdg };
    expect(mnistCacheDir(env)).toBe(join(xdg, 'sfl', 'mnist'));
    expect(cachedMnistDir(env)).toBeUndefined();
    expect(() => resolveMnistDir(undefined, env)).toThrow(/sfl data mnist/);
    await downloadMnist({ env, mirrors: [`${base}/good/`], checksums });
    expect(existsSync(join(xdg, 'sfl', 'mnist', 't10k-labels-idx1-ubyte.gz'))).toBe(true);
    expect(resolveMnistDir(undefined, env)).toBe(join(xdg, 'sfl', 'mnist'));
    // An explicit folder still wins.
    expect(resolveMnistDir(FIXTURE, env)).toBe(FIXTURE);
  });
});

describe('a mirror that never answers', () => {
  it('counts as unreachable after the connect timeout', async () => {
    // Accepts connections and never replies, like a network that drops packets.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'sfl-dl-'));
    const t0 = Date.now();
    const err = await downloadMnist({ dir, mirrors: [`http://127.0.0.1:${port}/`], checksums, connectTimeoutMs: 300 }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err).toBeInstanceOf(SflError);
    expect(err.message).toMatch(/offline.*no answer within 0.3 s/);
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});
