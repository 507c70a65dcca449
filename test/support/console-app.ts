import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { buildApp, type App } from '../../server/app.js';
import { ensureStandInSdk } from '../../server/archive/index.js';
import { testConfig } from './app.js';
import { syncCorp } from './sidebar.js';

/** The built console (`npx vite build --config console/vite.config.ts`). */
export const CONSOLE_DIST = join(process.cwd(), 'dist', 'console');

/**
 * The console's e2e app: the archive app of test/support/archive.ts (the stand-in SDK reading the app's emulator,
 * corp mirrors synced) that also serves the built console at /console/.
 *
 * The server does not serve /console/ itself yet (server/plugins/static-pages.ts mounts only the sidebar): until it
 * does, the test mounts the built files with the history fallback the console's router needs (a deep link such as
 * /console/overview is the console's index.html). When the server serves the console, its own routes are used.
 */
export async function startConsoleApp(): Promise<App> {
  await ensureStandInSdk();
  const app = await buildApp(testConfig(), { logger: false });
  if (!app.hasRoute({ method: 'GET', url: '/console/' })) {
    await app.register(fastifyStatic, {
      root: CONSOLE_DIST,
      prefix: '/console/',
      wildcard: false,
      index: ['index.html'],
      decorateReply: false,
    });
    const indexHtml = join(CONSOLE_DIST, 'index.html');
    app.get('/console', (_req, reply) => reply.redirect('/console/'));
    app.get('/console/*', (_req, reply) => {
      if (!existsSync(indexHtml)) return reply.code(404).send();
      return reply.type('text/html; charset=utf-8').send(readFileSync(indexHtml));
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  await syncCorp(app);
  return app;
}
