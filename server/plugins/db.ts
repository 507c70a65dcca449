import fp from 'fastify-plugin';
import type { DatabaseConfig } from '../config.js';
import { startCheckpointer, type Checkpointer } from '../db/checkpointer.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

/**
 * Opens the database with migrations applied (SQLite, or PostgreSQL under an advisory lock) and, for a SQLite file,
 * starts its WAL checkpointer thread; closes both last, after the worker has drained.
 */
export default fp(
  async (app, opts: { database: DatabaseConfig }) => {
    const db = await openDatabase(opts.database);
    let checkpointer: Checkpointer | undefined;
    if (opts.database.backend === 'sqlite' && opts.database.path !== ':memory:') {
      checkpointer = startCheckpointer(opts.database.path, (err) =>
        app.log.error({ err }, 'WAL checkpointer stopped; SQLite auto-checkpoints on the main thread'),
      );
    }
    app.decorate('db', db);
    app.addHook('onClose', async () => {
      await checkpointer?.stop();
      await db.close();
    });
  },
  { name: 'db' },
);
