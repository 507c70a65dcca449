import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:pg`: the same suites on PostgreSQL. The cluster starts once for the run (test/support/pg-setup.ts);
 * every app a test builds gets its own database on it. Tests about SQLite itself (its file, WAL, backup, migrations
 * of old files) are `*.sqlite.test.ts` and run in `npm test` only; `*.pg.test.ts` (several instances on one
 * database) run here only.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    globalSetup: ['test/support/temp-root.ts', 'test/support/pg-setup.ts'],
    exclude: ['**/node_modules/**', 'test/**/*.sqlite.test.ts'],
  },
});
