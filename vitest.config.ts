import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each run its own os.tmpdir(): runs side by side must not clear each other's work folders.
    globalSetup: ['test/support/isolated-tmp.ts'],
    reporters: ['default'],
  },
});
