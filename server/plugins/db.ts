import fp from 'fastify-plugin';
import { startCheckpointer, type Checkpointer } from '../db/checkpointer.js';
import { openDatabase, type Db } from '../db/open.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

/**
 * Opens the SQLite file with migrations applied and, for a file, starts its WAL checkpointer thread; closes both
 * last, after the worker has drained.
 */
export default fp(
  async (app, opts: { databasePath: string }) => {
    const db = openDatabase(opts.databasePath);
    let checkpointer: Checkpointer | undefined;
    if (opts.databasePath !== ':memory:') {
      checkpointer = startCheckpointer(opts.databasePath, (err) =>
        app.log.error({ err }, 'WAL checkpointer stopped; SQLite auto-checkpoints on the main thread'),
      );
    }
    app.decorate('db', db);
    app.addHook('onClose', async () => {
      await checkpointer?.stop();
      db.$client.close();
    });
  },
  { name: 'db' },
);
