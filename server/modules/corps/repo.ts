import { eq } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { sqlNow } from '../../db/sql-now.js';

export type CorpRow = Database['t']['corps']['$inferSelect'];
export type CorpInsert = Database['t']['corps']['$inferInsert'];

export function createCorpRepo(db: Database) {
  const { corps } = db.t;
  const now = sqlNow(db);
  return {
    async find(ex: Executor, corpId: string): Promise<CorpRow | undefined> {
      const [row] = await ex.select().from(corps).where(eq(corps.corpId, corpId)).limit(1);
      return row;
    },
    async all(ex: Executor): Promise<CorpRow[]> {
      return ex.select().from(corps);
    },
    async upsert(ex: Executor, row: CorpInsert): Promise<void> {
      await ex
        .insert(corps)
        .values(row)
        .onConflictDoUpdate({
          target: corps.corpId,
          set: {
            name: row.name,
            agentId: row.agentId,
            secretSealed: row.secretSealed,
            tokenSealed: row.tokenSealed,
            encodingAesKeySealed: row.encodingAesKeySealed,
            updatedAt: now,
          },
        });
    },
  };
}
export type CorpRepo = ReturnType<typeof createCorpRepo>;
