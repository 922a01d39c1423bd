import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** The embedded FSDD recordings, found from this file so the tests run from any working folder. */
export const FSDD_DIR = fileURLToPath(new URL('../../audio/fsdd/recordings', import.meta.url));

/** The committed MNIST fixture (1,000 train + 200 test). */
export const MNIST_FIXTURE_DIR = fileURLToPath(new URL('../fixtures/mnist', import.meta.url));

const made: string[] = [];

/** A fresh temporary folder, removed after the current test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sfl-data-test-'));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Creates files (empty unless content is given) at the given paths relative to `root`. */
export function touch(root: string, files: Record<string, string | Uint8Array> | string[]): void {
  const entries = Array.isArray(files) ? files.map((f) => [f, ''] as const) : Object.entries(files);
  for (const [rel, content] of entries) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
