import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { contacts, stages } from '../../db/schema.js';

export type StageRow = typeof stages.$inferSelect;

export function createStageRepo(db: Db) {
  return {
    list(corpId: string): StageRow[] {
      return db
        .select()
        .from(stages)
        .where(eq(stages.corpId, corpId))
        .orderBy(asc(stages.order), asc(stages.stageId))
        .all();
    },

    /** Inserts the names in order; names that exist already are left alone (two first readers racing is fine). */
    insertMissing(corpId: string, names: readonly string[]): void {
      db.insert(stages)
        .values(names.map((name, order) => ({ corpId, name, order })))
        .onConflictDoNothing()
        .run();
    },

    /**
     * Makes the corp's stages exactly `next`, in that order, in one transaction. Kept stages keep their id (and so
     * their customers); dropped stages' customers go back to "no stage" (the first stage).
     */
    replace(corpId: string, next: { stageId?: number; name: string }[]): void {
      db.transaction((tx) => {
        const existing = tx.select().from(stages).where(eq(stages.corpId, corpId)).all();
        const kept = new Set(next.flatMap((s) => (s.stageId === undefined ? [] : [s.stageId])));
        const dropped = existing.filter((s) => !kept.has(s.stageId)).map((s) => s.stageId);
        if (dropped.length > 0) {
          tx.update(contacts)
            .set({ stageId: null })
            .where(and(eq(contacts.corpId, corpId), inArray(contacts.stageId, dropped)))
            .run();
          tx.delete(stages)
            .where(and(eq(stages.corpId, corpId), inArray(stages.stageId, dropped)))
            .run();
        }
        // Names are unique per corp: park kept stages on unique temporary names so swaps and renames cannot collide.
        for (const id of kept) {
          tx.update(stages)
            .set({ name: `\u0000${id}` })
            .where(and(eq(stages.corpId, corpId), eq(stages.stageId, id)))
            .run();
        }
        next.forEach((s, order) => {
          if (s.stageId === undefined) tx.insert(stages).values({ corpId, name: s.name, order }).run();
          else {
            tx.update(stages)
              .set({ name: s.name, order })
              .where(and(eq(stages.corpId, corpId), eq(stages.stageId, s.stageId)))
              .run();
          }
        });
      });
    },
  };
}
export type StageRepo = ReturnType<typeof createStageRepo>;
