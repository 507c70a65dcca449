import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type StageRow = Database['t']['stages']['$inferSelect'];

/**
 * A name no stage can have while the list is rewritten: names are stored trimmed, so none starts with a space.
 * (Not a NUL character: PostgreSQL's text refuses it.)
 */
const parkedName = (stageId: number) => ` parked:${stageId}`;

export function createStageRepo(db: Database) {
  const { contacts, stages } = db.t;
  return {
    async list(ex: Executor, corpId: string): Promise<StageRow[]> {
      return ex.select().from(stages).where(eq(stages.corpId, corpId)).orderBy(asc(stages.order), asc(stages.stageId));
    },

    /** Inserts the names in order; names that exist already are left alone (two first readers racing is fine). */
    async insertMissing(ex: Executor, corpId: string, names: readonly string[]): Promise<void> {
      await ex
        .insert(stages)
        .values(names.map((name, order) => ({ corpId, name, order })))
        .onConflictDoNothing();
    },

    /**
     * Makes the corp's stages exactly `next`, in that order; run it in a transaction. Kept stages keep their id (and
     * so their customers); dropped stages' customers go back to "no stage" (the first stage).
     */
    async replace(ex: Executor, corpId: string, next: { stageId?: number; name: string }[]): Promise<void> {
      const existing = await ex.select({ stageId: stages.stageId }).from(stages).where(eq(stages.corpId, corpId));
      const kept = new Set(next.flatMap((s) => (s.stageId === undefined ? [] : [s.stageId])));
      const dropped = existing.filter((s) => !kept.has(s.stageId)).map((s) => s.stageId);
      if (dropped.length > 0) {
        await ex
          .update(contacts)
          .set({ stageId: null })
          .where(and(eq(contacts.corpId, corpId), inArray(contacts.stageId, dropped)));
        await ex.delete(stages).where(and(eq(stages.corpId, corpId), inArray(stages.stageId, dropped)));
      }
      // Names are unique per corp: park kept stages on unique temporary names so swaps and renames cannot collide.
      for (const id of kept) {
        await ex
          .update(stages)
          .set({ name: parkedName(id) })
          .where(and(eq(stages.corpId, corpId), eq(stages.stageId, id)));
      }
      for (const [order, s] of next.entries()) {
        if (s.stageId === undefined) await ex.insert(stages).values({ corpId, name: s.name, order });
        else {
          await ex
            .update(stages)
            .set({ name: s.name, order })
            .where(and(eq(stages.corpId, corpId), eq(stages.stageId, s.stageId)));
        }
      }
    },
  };
}
export type StageRepo = ReturnType<typeof createStageRepo>;
