import { and, asc, count, desc, eq, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { scriptFavorites, scriptGroups, scripts, scriptSends } from '../../db/schema.js';
import { contains } from '../like-pattern.js';

export type ScriptRow = typeof scripts.$inferSelect;
export type ScriptGroupRow = typeof scriptGroups.$inferSelect;
export type ScriptKind = ScriptRow['kind'];

export interface ScriptQuery {
  q?: string;
  groupId?: number;
  /** Only this rep's favourites. */
  favoritesOf?: string;
  limit: number;
  offset: number;
}

export interface NewScript {
  groupId: number;
  title: string;
  kind: ScriptKind;
  content: string;
  payload: Record<string, string>;
  order: number;
}

const live = (corpId: string) => and(eq(scripts.corpId, corpId), isNull(scripts.deletedAt));

/** The script library (话术库): groups, scripts, favourites and sends. */
export function createScriptRepo(db: Db) {
  return {
    /** Live groups with how many live scripts each holds. */
    groups(corpId: string) {
      return db
        .select({
          id: scriptGroups.id,
          name: scriptGroups.name,
          order: scriptGroups.order,
          count: sql<number>`count(${scripts.id})`,
        })
        .from(scriptGroups)
        .leftJoin(scripts, and(eq(scripts.groupId, scriptGroups.id), isNull(scripts.deletedAt)))
        .where(and(eq(scriptGroups.corpId, corpId), isNull(scriptGroups.deletedAt)))
        .groupBy(scriptGroups.id)
        .orderBy(asc(scriptGroups.order), asc(scriptGroups.id))
        .all();
    },

    group(corpId: string, id: number): ScriptGroupRow | undefined {
      return db
        .select()
        .from(scriptGroups)
        .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.id, id), isNull(scriptGroups.deletedAt)))
        .get();
    },

    groupByName(corpId: string, name: string): ScriptGroupRow | undefined {
      return db
        .select()
        .from(scriptGroups)
        .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.name, name), isNull(scriptGroups.deletedAt)))
        .get();
    },

    insertGroup(corpId: string, group: { name: string; order: number }): number {
      return db
        .insert(scriptGroups)
        .values({ corpId, ...group })
        .returning({ id: scriptGroups.id })
        .get().id;
    },

    updateGroup(corpId: string, id: number, patch: { name?: string; order?: number }, at: number): void {
      db.update(scriptGroups)
        .set({ ...patch, updatedAt: at })
        .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.id, id)))
        .run();
    },

    /** Soft-deletes the group if it holds no live script; false otherwise. */
    deleteEmptyGroup(corpId: string, id: number, at: number): boolean {
      return db.transaction((tx) => {
        const inUse = tx
          .select({ n: count() })
          .from(scripts)
          .where(and(live(corpId), eq(scripts.groupId, id)))
          .get();
        if ((inUse?.n ?? 0) > 0) return false;
        tx.update(scriptGroups)
          .set({ deletedAt: at, updatedAt: at })
          .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.id, id)))
          .run();
        return true;
      });
    },

    /** A page of live scripts in live groups, with the group name and whether `userId` favours each. */
    list(corpId: string, userId: string | null, query: ScriptQuery) {
      const conditions: SQL[] = [live(corpId)!, isNull(scriptGroups.deletedAt)];
      if (query.groupId !== undefined) conditions.push(eq(scripts.groupId, query.groupId));
      if (query.favoritesOf !== undefined) conditions.push(isNotNull(scriptFavorites.scriptId));
      if (query.q) conditions.push(or(contains(scripts.title, query.q), contains(scripts.content, query.q))!);
      const where = and(...conditions);
      const favoriteJoin = and(
        eq(scriptFavorites.corpId, scripts.corpId),
        eq(scriptFavorites.userId, userId ?? ''),
        eq(scriptFavorites.scriptId, scripts.id),
      );
      const groupJoin = eq(scriptGroups.id, scripts.groupId);
      const total =
        db
          .select({ n: count() })
          .from(scripts)
          .innerJoin(scriptGroups, groupJoin)
          .leftJoin(scriptFavorites, favoriteJoin)
          .where(where)
          .get()?.n ?? 0;
      // With a query, title hits come before hits in the text only.
      const titleFirst = query.q ? [desc(contains(scripts.title, query.q))] : [];
      const rows = db
        .select({
          script: scripts,
          groupName: scriptGroups.name,
          favorite: sql<number>`${scriptFavorites.scriptId} IS NOT NULL`,
        })
        .from(scripts)
        .innerJoin(scriptGroups, groupJoin)
        .leftJoin(scriptFavorites, favoriteJoin)
        .where(where)
        .orderBy(...titleFirst, asc(scriptGroups.order), asc(scriptGroups.id), asc(scripts.order), asc(scripts.id))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return { rows, total };
    },

    /** A live script of a live group, with the group's name. */
    script(corpId: string, id: number): { script: ScriptRow; groupName: string } | undefined {
      return db
        .select({ script: scripts, groupName: scriptGroups.name })
        .from(scripts)
        .innerJoin(scriptGroups, eq(scriptGroups.id, scripts.groupId))
        .where(and(live(corpId), eq(scripts.id, id), isNull(scriptGroups.deletedAt)))
        .get();
    },

    isFavorite(corpId: string, userId: string, scriptId: number): boolean {
      return !!db
        .select({ id: scriptFavorites.scriptId })
        .from(scriptFavorites)
        .where(
          and(
            eq(scriptFavorites.corpId, corpId),
            eq(scriptFavorites.userId, userId),
            eq(scriptFavorites.scriptId, scriptId),
          ),
        )
        .get();
    },

    insert(corpId: string, s: NewScript): number {
      return db
        .insert(scripts)
        .values({ corpId, ...s, payload: JSON.stringify(s.payload) })
        .returning({ id: scripts.id })
        .get().id;
    },

    update(corpId: string, id: number, s: NewScript, at: number): void {
      db.update(scripts)
        .set({ ...s, payload: JSON.stringify(s.payload), updatedAt: at })
        .where(and(live(corpId), eq(scripts.id, id)))
        .run();
    },

    /** Soft delete: past sends and timeline items keep pointing at it. Favourites of it go. */
    softDelete(corpId: string, id: number, at: number): boolean {
      return db.transaction((tx) => {
        const changed = tx
          .update(scripts)
          .set({ deletedAt: at, updatedAt: at })
          .where(and(live(corpId), eq(scripts.id, id)))
          .run().changes;
        tx.delete(scriptFavorites)
          .where(and(eq(scriptFavorites.corpId, corpId), eq(scriptFavorites.scriptId, id)))
          .run();
        return changed === 1;
      });
    },

    setFavorite(corpId: string, userId: string, scriptId: number, favorite: boolean): void {
      if (favorite) {
        db.insert(scriptFavorites).values({ corpId, userId, scriptId }).onConflictDoNothing().run();
      } else {
        db.delete(scriptFavorites)
          .where(
            and(
              eq(scriptFavorites.corpId, corpId),
              eq(scriptFavorites.userId, userId),
              eq(scriptFavorites.scriptId, scriptId),
            ),
          )
          .run();
      }
    },

    /** Records a send and counts it on the script; the caller wraps this with the timeline item in a transaction. */
    recordSend(send: {
      corpId: string;
      userId: string;
      externalUserId: string;
      scriptId: number;
      sentAt: number;
    }): number {
      const id = db.insert(scriptSends).values(send).returning({ id: scriptSends.id }).get().id;
      db.update(scripts)
        .set({ sendCount: sql`${scripts.sendCount} + 1` })
        .where(and(eq(scripts.corpId, send.corpId), eq(scripts.id, send.scriptId)))
        .run();
      return id;
    },

    transaction<T>(fn: () => T): T {
      return db.transaction(() => fn());
    },
  };
}
export type ScriptRepo = ReturnType<typeof createScriptRepo>;
