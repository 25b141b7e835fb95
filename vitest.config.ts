import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // The browser tests drive the built web app; this builds it when a source is newer.
    globalSetup: ['test/support/build-web.ts'],
    // Generous: on a 2-core machine the browser tests, server processes and test-run workers share the CPU with everything else.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // expect.poll returns as soon as it passes; its 1 s default fails a browser page
    // that is merely slow to draw while the other workers load the CPU.
    expect: { poll: { timeout: 15_000 } },
    // Many tests wait on PostgreSQL or on child processes, not on the CPU: on a
    // 2-core machine the default (cores - 1 = one worker) leaves it idle.
    maxWorkers: 3,
  },
});
