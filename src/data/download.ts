/**
 * Downloads the four MNIST files from the usual public mirrors, verifies each against its
 * published checksum, and writes it atomically into a folder (by default the cache that
 * resolveMnistDir looks in). A file that fails its checksum is never written; the next mirror is
 * tried. When no mirror can be reached (offline), it fails at once with a sentence saying where
 * to put the files by hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { MNIST_GZ_FILES, mnistCacheDir } from './mnist-cache.ts';
import { SflError } from '../util/errors.ts';

/** Published checksums of the gzipped files (md5 as listed with the dataset; sha256 where known). */
export interface Checksum {
  md5?: string;
  sha256?: string;
}

export const MNIST_CHECKSUMS: Readonly<Record<string, Checksum>> = {
  'train-images-idx3-ubyte.gz': { md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
  'train-labels-idx1-ubyte.gz': { md5: 'd53e105ee54ea40749a09fcbcd1e9432', sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
  't10k-images-idx3-ubyte.gz': { md5: '9fb629c4189551a2d022fa330f9573f3' },
  't10k-labels-idx1-ubyte.gz': { md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
};

/** Mirrors tried in order; the original site last, as it often refuses scripted downloads. */
const MNIST_MIRRORS: readonly string[] = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
];

export interface DownloadOptions {
  /** Target folder (default: the cache, mnistCacheDir()). */
  dir?: string;
  /** Base URLs; default $SFL_MNIST_MIRROR (comma-separated) or MNIST_MIRRORS. */
  mirrors?: readonly string[];
  /** Checksums by file name (default MNIST_CHECKSUMS). */
  checksums?: Readonly<Record<string, Checksum>>;
  /** Per-request time limit in ms (default 120 s). */
  timeoutMs?: number;
  /** A mirror that has not answered within this many ms is taken as unreachable (default 10 s). */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface DownloadResult {
  dir: string;
  /** Per file: 'downloaded' from a mirror, or 'present' (already there and verified). */
  files: Record<string, { status: 'downloaded' | 'present'; source?: string; bytes: number }>;
}

/** Why a checksum does not match, or null when it does. */
export function checksumMismatch(bytes: Uint8Array, expected: Checksum): string | null {
  for (const algo of ['md5', 'sha256'] as const) {
    const want = expected[algo];
    if (!want) continue;
    const got = createHash(algo).update(bytes).digest('hex');
    if (got !== want.toLowerCase()) return `${algo} ${got} is not the published ${want}`;
  }
  return null;
}

export function defaultMirrors(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env.SFL_MNIST_MIRROR?.split(',').map((s) => s.trim()).filter(Boolean);
  return given && given.length ? given : [...MNIST_MIRRORS];
}

class NetworkError extends Error {}

/**
 * GETs `url`. A server that has not answered within `connectMs` counts as unreachable (a network
 * that silently drops packets would otherwise hold each attempt for the whole `timeoutMs`);
 * the body then has until `timeoutMs`.
 */
async function fetchBytes(url: string, timeoutMs: number, connectMs: number): Promise<Uint8Array> {
  const abort = new AbortController();
  const total = setTimeout(() => abort.abort(new Error(`no complete answer within ${timeoutMs / 1000} s`)), timeoutMs);
  const connect = setTimeout(() => abort.abort(new NetworkError(`no answer within ${connectMs / 1000} s`)), connectMs);
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: abort.signal, redirect: 'follow' });
    } catch (e) {
      if (abort.signal.reason instanceof NetworkError) throw abort.signal.reason;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new NetworkError(cause?.code ?? cause?.message ?? (e as Error).message);
    } finally {
      clearTimeout(connect);
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    try {
      return new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new Error(abort.signal.aborted ? String((abort.signal.reason as Error).message) : (e as Error).message);
    }
  } finally {
    clearTimeout(total);
  }
}

function whereToPut(dir: string): string {
  return `download ${MNIST_GZ_FILES.join(', ')} by hand and put them in ${dir} (or in any folder given by --mnist DIR or SFL_MNIST_DIR)`;
}

export async function downloadMnist(opts: DownloadOptions = {}): Promise<DownloadResult> {
  const env = opts.env ?? process.env;
  const dir = opts.dir ?? mnistCacheDir(env);
  const mirrors = opts.mirrors ?? defaultMirrors(env);
  const checksums = opts.checksums ?? MNIST_CHECKSUMS;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const connectMs = opts.connectTimeoutMs ?? 10_000;
  const log = opts.log ?? (() => {});
  const result: DownloadResult = { dir, files: {} };
  let reachedAny = false;

  for (const file of MNIST_GZ_FILES) {
    const expected = checksums[file];
    if (!expected || (!expected.md5 && !expected.sha256)) throw new Error(`no checksum known for ${file}`);
    const target = join(dir, file);
    if (existsSync(target)) {
      const bytes = readFileSync(target);
      if (checksumMismatch(bytes, expected) === null) {
        result.files[file] = { status: 'present', bytes: bytes.length };
        log(`${file}: already present and verified`);
        continue;
      }
      log(`${file}: the copy in ${dir} fails its checksum; downloading it again`);
    }
    const problems: string[] = [];
    let done = false;
    for (const base of mirrors) {
      const url = new URL(file, base.endsWith('/') ? base : `${base}/`).href;
      let bytes: Uint8Array;
      try {
        bytes = await fetchBytes(url, timeoutMs, connectMs);
        reachedAny = true;
      } catch (e) {
        if (!(e instanceof NetworkError)) reachedAny = true;
        problems.push(`${url}: ${(e as Error).message}`);
        continue;
      }
      const bad = checksumMismatch(bytes, expected);
      if (bad) {
        problems.push(`${url}: corrupted or not the published file (${bad}); not written`);
        continue;
      }
      writeFileAtomic(target, bytes);
      result.files[file] = { status: 'downloaded', source: url, bytes: bytes.length };
      log(`${file}: ${bytes.length} bytes from ${base}, checksum verified`);
      done = true;
      break;
    }
    if (done) continue;
    if (!reachedAny) {
      throw new SflError(`cannot reach any MNIST mirror (this machine seems to be offline: ${problems.join('; ')}); ${whereToPut(dir)}`);
    }
    throw new SflError(`could not get a verified copy of ${file}: ${problems.join('; ')}; ${whereToPut(dir)}`);
  }
  return result;
}
