/**
 * The page's script bundles for the browser: every module it reaches must do without Node (its
 * `node:*` imports go to src/web/node-shims.ts, which must export each name they import), so a new
 * Node-only import in the front end fails here rather than in the browser test alone. The decoders
 * of compressed formats and the resampler are chunks the page loads only when a file needs them,
 * so they must not be reachable from sfl-page.js through static imports.
 */
import { describe, expect, it } from 'vitest';
import { pageScript } from '../../src/pipeline/web-site.ts';

/** Specifiers a module imports: static (import ... from "x", import "x") and dynamic (import("x")). */
function importsOf(js: string): { static: string[]; dynamic: string[] } {
  return {
    static: [...js.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+)["']/g)].map((m) => m[1]),
    dynamic: [...js.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]),
  };
}

describe('the page script', () => {
  it('bundles the front end and TensorFlow.js for the browser, the decoders and the resampler in chunks loaded on demand', async () => {
    const files = await pageScript();
    expect(files[0].path).toBe('sfl-page.js');
    const text = new Map(files.map((f) => [f.path, new TextDecoder().decode(f.contents)]));
    // Every import is of a file of the bundle, relative to the importing file: nothing left for the browser to resolve.
    const resolve = (from: string, spec: string) => new URL(spec, `http://x/${from}`).pathname.slice(1);
    for (const [path, js] of text) {
      const { static: s, dynamic: d } = importsOf(js);
      for (const spec of [...s, ...d]) {
        expect(spec, `${path} imports ${spec}`).toMatch(/^\.\.?\//);
        expect(text.has(resolve(path, spec)), `${path} imports ${spec}, not in the bundle`).toBe(true);
      }
      expect(js).not.toMatch(/\brequire\(["']node:/);
    }
    // What the page loads before it is interactive: sfl-page.js and its static imports, transitively.
    const first = new Set<string>();
    const visit = (path: string) => {
      if (first.has(path)) return;
      first.add(path);
      for (const spec of importsOf(text.get(path)!).static) visit(resolve(path, spec));
    };
    visit('sfl-page.js');
    const entry = text.get('sfl-page.js')!;
    expect(entry.length).toBeGreaterThan(100_000); // TensorFlow.js and the front end
    const onDemand = ['libsamplerate', 'mpg123-decoder', 'flac', 'ogg-vorbis', 'ogg-opus-decoder'];
    for (const name of onDemand) {
      const chunk = files.find((f) => f.path.startsWith(`chunks/${name}-`));
      expect(chunk, `a chunk of its own for ${name}`).toBeDefined();
      expect(first.has(chunk!.path), `${chunk!.path} is loaded before the page is interactive`).toBe(false);
      expect(importsOf(entry).dynamic.map((s) => resolve('sfl-page.js', s))).toContain(chunk!.path);
    }
    const firstBytes = [...first].reduce((n, p) => n + text.get(p)!.length, 0);
    const allBytes = [...text.values()].reduce((n, js) => n + js.length, 0);
    expect(firstBytes).toBeLessThan(allBytes / 3);
  }, 60_000);
});
