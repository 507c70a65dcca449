/**
 * Loaded before the server (node --import) by `npm run bench -- callback` to measure the SQLite inbox's durability
 * designs against the product's (BENCH_SQLITE_DURABILITY):
 *   none — commits with synchronous = NORMAL and nothing synced before the 200: how the inbox was before
 *          db.durable() (an acknowledged event may be lost on power failure);
 *   full — synchronous = FULL on the connection: every commit fsyncs the WAL on the event loop (durable), and
 *          db.durable() has nothing left to do.
 * Unset, the product runs as shipped: synchronous = NORMAL and db.durable() syncing the WAL on libuv's thread pool.
 * Never loaded by the product.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import Sqlite from 'better-sqlite3';

const variant = process.env.BENCH_SQLITE_DURABILITY;
if (variant === 'none' || variant === 'full') {
  // db.durable() syncs with fdatasync: a no-op here (the server's only other syncs are SQLite's own, in C).
  (fs as { fdatasync: typeof fs.fdatasync }).fdatasync = ((_fd: number, done: (err: null) => void) =>
    done(null)) as typeof fs.fdatasync;
  syncBuiltinESMExports();
}
if (variant === 'full') {
  const pragma = Sqlite.prototype.pragma;
  Sqlite.prototype.pragma = function (this: Sqlite.Database, source: string, options?: Sqlite.PragmaOptions) {
    return pragma.call(this, /^synchronous\s*=/i.test(source) ? 'synchronous = FULL' : source, options);
  } as typeof pragma;
}
