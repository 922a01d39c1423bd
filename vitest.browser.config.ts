import { defineConfig } from 'vitest/config';

// The browser tests (npm run test:browser): they need a chromium from the system packages, so
// they are kept out of `npm test` (vitest.config.ts excludes test/browser/).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
