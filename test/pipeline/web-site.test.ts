/**
 * The page's script bundles for the browser: every module it reaches must do without Node (its
 * `node:*` imports go to src/web/node-shims.ts, which must export each name they import), so a new
 * Node-only import in the front end fails here rather than in the browser test alone.
 */
import { describe, expect, it } from 'vitest';
import { pageScript } from '../../src/pipeline/web-site.ts';

describe('the page script', () => {
  it('bundles the front end and TensorFlow.js for the browser', async () => {
    const js = new TextDecoder().decode(await pageScript());
    expect(js.length).toBeGreaterThan(100_000);
    // The bundle is self-contained: no import left for the browser to resolve.
    expect(js).not.toMatch(/\bfrom\s*["'](node:|@tensorflow|\.\.?\/)/);
    expect(js).not.toMatch(/\brequire\(["']node:/);
  }, 60_000);
});
