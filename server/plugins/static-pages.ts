import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');

/** Serves the built front end (`npm run build`): the rep sidebar at /sidebar/. */
export default fp(
  async (app) => {
    const sidebar = resolve(dist, 'sidebar');
    if (!existsSync(sidebar)) {
      app.log.warn({ dir: sidebar }, 'the sidebar is not built: run npm run build');
      return;
    }
    await app.register(fastifyStatic, { root: sidebar, prefix: '/sidebar/', wildcard: false, index: ['index.html'] });
    app.get('/sidebar', (_req, reply) => reply.redirect('/sidebar/'));
  },
  { name: 'static-pages' },
);
