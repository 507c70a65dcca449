import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:pg`: the same suites on PostgreSQL. The cluster starts once for the run (test/support/pg-setup.ts);
 * every app a test builds gets its own database on it. Tests about SQLite itself (its file, WAL, backup, migrations
 * of old files) run in `npm test` only; they are listed here.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      globalSetup: ['test/support/temp-root.ts', 'test/support/pg-setup.ts'],
      exclude: ['**/node_modules/**', 'test/**/*.sqlite.test.ts'],
    },
  }),
);
