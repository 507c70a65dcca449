import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  // The sidebar imports the API types from shared/ as @shared (as in sidebar/vite.config.ts).
  resolve: { alias: { '@shared': fileURLToPath(new URL('./shared', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    // `*.pg.test.ts` need PostgreSQL itself (several instances on one database): `npm run test:pg` runs them.
    exclude: ['**/node_modules/**', 'test/**/*.pg.test.ts'],
    // Integration tests listen on ports and write SQLite files; e2e drives Chromium.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for what the app does in the background (a debounced search, the worker): 1 s by default,
    // which a search on PostgreSQL right after a script was added, or a loaded CI machine, can exceed.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    globalSetup: ['test/support/temp-root.ts'],
  },
});
