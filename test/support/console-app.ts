import { join } from 'node:path';
import { buildApp, type App } from '../../server/app.js';
import { ensureStandInSdk } from '../../server/archive/index.js';
import { testConfig } from './app.js';
import { syncCorp } from './sidebar.js';

/** The built console (`npx vite build --config console/vite.config.ts`). */
export const CONSOLE_DIST = join(process.cwd(), 'dist', 'console');

/**
 * The console's e2e app: the archive app of test/support/archive.ts (the stand-in SDK reading the app's emulator,
 * corp mirrors synced), serving the built console at /console/ as the product does (server/plugins/static-pages.ts).
 */
export async function startConsoleApp(): Promise<App> {
  await ensureStandInSdk();
  const app = await buildApp(testConfig(), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await syncCorp(app);
  return app;
}
