import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { NotFoundError } from '../errors.js';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');

/**
 * Serves the built front ends (`npm run build`): the rep sidebar at /sidebar/ and the manager console at /console/.
 * The console routes in the browser (history mode): a deep link such as /console/reps/lina is its index.html.
 */
export default fp(
  async (app) => {
    const sidebar = resolve(dist, 'sidebar');
    const consoleDir = resolve(dist, 'console');
    if (!existsSync(sidebar) || !existsSync(consoleDir)) {
      app.log.warn({ dir: dist }, 'the front ends are not built: run npm run build');
    }
    if (existsSync(sidebar)) {
      await app.register(fastifyStatic, { root: sidebar, prefix: '/sidebar/', wildcard: false, index: ['index.html'] });
      app.get('/sidebar', (_req, reply) => reply.redirect('/sidebar/'));
    }
    if (existsSync(consoleDir)) {
      await app.register(fastifyStatic, {
        root: consoleDir,
        prefix: '/console/',
        wildcard: false,
        index: ['index.html'],
        decorateReply: false,
      });
      const indexHtml = resolve(consoleDir, 'index.html');
      app.get('/console', (_req, reply) => reply.redirect('/console/'));
      // Any other page path under /console/ (no file extension): the app's page, which its router resolves. A
      // missing file (an asset of an older build) stays a 404.
      app.get('/console/*', async (request, reply) => {
        const last = request.url.split('?')[0]!.split('/').pop() ?? '';
        if (last.includes('.')) throw new NotFoundError('文件不存在');
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-cache')
          .send(await readFile(indexHtml));
      });
    }
  },
  { name: 'static-pages' },
);
