import type { SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { pgKit, sqliteKit } from './kit.js';

/** The database's clock in epoch milliseconds, for `updatedAt: sqlNow(db)` in upserts where no time is passed. */
export function sqlNow(db: Pick<Database, 'backend'>): SQL {
  return db.backend === 'postgres' ? pgKit.nowMs() : sqliteKit.nowMs();
}
