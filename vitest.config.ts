import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real git, real sandboxes and real servers: allow them time, and keep the
    // two cores of a CI machine from being oversubscribed.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    allowOnly: false,
    globalSetup: ['test/global-setup.ts'],
  },
});
