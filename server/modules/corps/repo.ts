import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { corps } from '../../db/schema.js';

export type CorpRow = typeof corps.$inferSelect;
export type CorpInsert = typeof corps.$inferInsert;

export function createCorpRepo(db: Db) {
  return {
    find(corpId: string): CorpRow | undefined {
      return db.select().from(corps).where(eq(corps.corpId, corpId)).get();
    },
    upsert(row: CorpInsert): void {
      db.insert(corps)
        .values(row)
        .onConflictDoUpdate({
          target: corps.corpId,
          set: {
            name: row.name,
            agentId: row.agentId,
            secretSealed: row.secretSealed,
            tokenSealed: row.tokenSealed,
            encodingAesKeySealed: row.encodingAesKeySealed,
            updatedAt: sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`,
          },
        })
        .run();
    },
    listIds(): string[] {
      return db
        .select({ corpId: corps.corpId })
        .from(corps)
        .all()
        .map((r) => r.corpId);
    },
  };
}
export type CorpRepo = ReturnType<typeof createCorpRepo>;
