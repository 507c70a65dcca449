import fp from 'fastify-plugin';
import { openDatabase, type Db } from '../db/open.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

/** Opens the SQLite file with migrations applied; closes it last, after the worker has drained. */
export default fp(
  async (app, opts: { databasePath: string }) => {
    const db = openDatabase(opts.databasePath);
    app.decorate('db', db);
    app.addHook('onClose', async () => {
      db.$client.close();
    });
  },
  { name: 'db' },
);
