import { and, asc, count, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { contains } from '../like-pattern.js';

export type ScriptRow = Database['t']['scripts']['$inferSelect'];
export type ScriptGroupRow = Database['t']['scriptGroups']['$inferSelect'];
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

export interface ScriptGroupView {
  id: number;
  name: string;
  order: number;
  count: number;
}

/** The script library (话术库): groups, scripts, favourites and sends. */
export function createScriptRepo(db: Database) {
  const { scriptFavorites, scriptGroups, scripts, scriptSends } = db.t;
  const live = (corpId: string) => and(eq(scripts.corpId, corpId), isNull(scripts.deletedAt));

  return {
    /** Live groups with how many live scripts each holds. */
    async groups(ex: Executor, corpId: string): Promise<ScriptGroupView[]> {
      return ex
        .select({
          id: scriptGroups.id,
          name: scriptGroups.name,
          order: scriptGroups.order,
          count: count(scripts.id),
        })
        .from(scriptGroups)
        .leftJoin(scripts, and(eq(scripts.groupId, scriptGroups.id), isNull(scripts.deletedAt)))
        .where(and(eq(scriptGroups.corpId, corpId), isNull(scriptGroups.deletedAt)))
        .groupBy(scriptGroups.id, scriptGroups.name, scriptGroups.order)
        .orderBy(asc(scriptGroups.order), asc(scriptGroups.id));
    },

    async group(ex: Executor, corpId: string, id: number): Promise<ScriptGroupRow | undefined> {
      const [row] = await ex
        .select()
        .from(scriptGroups)
        .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.id, id), isNull(scriptGroups.deletedAt)))
        .limit(1);
      return row;
    },

    async groupByName(ex: Executor, corpId: string, name: string): Promise<ScriptGroupRow | undefined> {
      const [row] = await ex
        .select()
        .from(scriptGroups)
        .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.name, name), isNull(scriptGroups.deletedAt)))
        .limit(1);
      return row;
    },

    async insertGroup(ex: Executor, corpId: string, group: { name: string; order: number }): Promise<number> {
      const [row] = await ex
        .insert(scriptGroups)
        .values({ corpId, ...group })
        .returning({ id: scriptGroups.id });
      return row!.id;
    },

    async updateGroup(
      ex: Executor,
      corpId: string,
      id: number,
      patch: { name?: string; order?: number },
      at: number,
    ): Promise<void> {
      await ex
        .update(scriptGroups)
        .set({ ...patch, updatedAt: at })
        .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.id, id)));
    },

    /** How many live scripts the group holds. */
    async countLiveInGroup(ex: Executor, corpId: string, groupId: number): Promise<number> {
      const [row] = await ex
        .select({ n: count() })
        .from(scripts)
        .where(and(live(corpId), eq(scripts.groupId, groupId)));
      return Number(row?.n ?? 0);
    },

    async softDeleteGroup(ex: Executor, corpId: string, id: number, at: number): Promise<void> {
      await ex
        .update(scriptGroups)
        .set({ deletedAt: at, updatedAt: at })
        .where(and(eq(scriptGroups.corpId, corpId), eq(scriptGroups.id, id)));
    },

    /** A page of live scripts in live groups, with the group name and whether `userId` favours each. */
    async list(ex: Executor, corpId: string, userId: string | null, query: ScriptQuery) {
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
      const [counted] = await ex
        .select({ n: count() })
        .from(scripts)
        .innerJoin(scriptGroups, groupJoin)
        .leftJoin(scriptFavorites, favoriteJoin)
        .where(where);
      // With a query, title hits come before hits in the text only.
      const titleFirst = query.q ? [desc(contains(scripts.title, query.q))] : [];
      const rows = await ex
        .select({
          script: scripts,
          groupName: scriptGroups.name,
          // 0/1 on SQLite, a boolean on PostgreSQL.
          favorite: sql<boolean>`${scriptFavorites.scriptId} IS NOT NULL`.mapWith(Boolean),
        })
        .from(scripts)
        .innerJoin(scriptGroups, groupJoin)
        .leftJoin(scriptFavorites, favoriteJoin)
        .where(where)
        .orderBy(...titleFirst, asc(scriptGroups.order), asc(scriptGroups.id), asc(scripts.order), asc(scripts.id))
        .limit(query.limit)
        .offset(query.offset);
      return { rows, total: Number(counted?.n ?? 0) };
    },

    /** Live scripts holding `q` literally in the title or text, title hits first (a ranked search's fallback). */
    async literalIds(ex: Executor, corpId: string, q: string, limit: number): Promise<number[]> {
      const rows = await ex
        .select({ id: scripts.id })
        .from(scripts)
        .innerJoin(scriptGroups, eq(scriptGroups.id, scripts.groupId))
        .where(
          and(
            live(corpId),
            isNull(scriptGroups.deletedAt),
            or(contains(scripts.title, q), contains(scripts.content, q)),
          ),
        )
        .orderBy(desc(contains(scripts.title, q)), asc(scriptGroups.order), asc(scripts.order), asc(scripts.id))
        .limit(limit);
      return rows.map((r) => r.id);
    },

    /** The live scripts among `ids` that pass the query's group and favourites filters (in no particular order). */
    async byIds(
      ex: Executor,
      corpId: string,
      userId: string | null,
      ids: number[],
      query: Pick<ScriptQuery, 'groupId' | 'favoritesOf'>,
    ) {
      if (ids.length === 0) return [];
      const conditions: SQL[] = [live(corpId)!, isNull(scriptGroups.deletedAt), inArray(scripts.id, ids)];
      if (query.groupId !== undefined) conditions.push(eq(scripts.groupId, query.groupId));
      if (query.favoritesOf !== undefined) conditions.push(isNotNull(scriptFavorites.scriptId));
      return ex
        .select({
          script: scripts,
          groupName: scriptGroups.name,
          favorite: sql<boolean>`${scriptFavorites.scriptId} IS NOT NULL`.mapWith(Boolean),
        })
        .from(scripts)
        .innerJoin(scriptGroups, eq(scriptGroups.id, scripts.groupId))
        .leftJoin(
          scriptFavorites,
          and(
            eq(scriptFavorites.corpId, scripts.corpId),
            eq(scriptFavorites.userId, userId ?? ''),
            eq(scriptFavorites.scriptId, scripts.id),
          ),
        )
        .where(and(...conditions));
    },

    /** A live script of a live group, with the group's name. */
    async script(
      ex: Executor,
      corpId: string,
      id: number,
    ): Promise<{ script: ScriptRow; groupName: string } | undefined> {
      const [row] = await ex
        .select({ script: scripts, groupName: scriptGroups.name })
        .from(scripts)
        .innerJoin(scriptGroups, eq(scriptGroups.id, scripts.groupId))
        .where(and(live(corpId), eq(scripts.id, id), isNull(scriptGroups.deletedAt)))
        .limit(1);
      return row;
    },

    async isFavorite(ex: Executor, corpId: string, userId: string, scriptId: number): Promise<boolean> {
      const rows = await ex
        .select({ id: scriptFavorites.scriptId })
        .from(scriptFavorites)
        .where(
          and(
            eq(scriptFavorites.corpId, corpId),
            eq(scriptFavorites.userId, userId),
            eq(scriptFavorites.scriptId, scriptId),
          ),
        )
        .limit(1);
      return rows.length > 0;
    },

    async insert(ex: Executor, corpId: string, s: NewScript): Promise<number> {
      const [row] = await ex
        .insert(scripts)
        .values({ corpId, ...s })
        .returning({ id: scripts.id });
      return row!.id;
    },

    async update(ex: Executor, corpId: string, id: number, s: NewScript, at: number): Promise<void> {
      await ex
        .update(scripts)
        .set({ ...s, updatedAt: at })
        .where(and(live(corpId), eq(scripts.id, id)));
    },

    /** Soft delete: past sends and timeline items keep pointing at it. False when no live script had this id. */
    async softDelete(ex: Executor, corpId: string, id: number, at: number): Promise<boolean> {
      const changed = await ex
        .update(scripts)
        .set({ deletedAt: at, updatedAt: at })
        .where(and(live(corpId), eq(scripts.id, id)))
        .returning({ id: scripts.id });
      return changed.length === 1;
    },

    /** Everyone's favourites of a script (it was deleted). */
    async clearFavorites(ex: Executor, corpId: string, scriptId: number): Promise<void> {
      await ex
        .delete(scriptFavorites)
        .where(and(eq(scriptFavorites.corpId, corpId), eq(scriptFavorites.scriptId, scriptId)));
    },

    async setFavorite(ex: Executor, corpId: string, userId: string, scriptId: number, favorite: boolean) {
      if (favorite) {
        await ex.insert(scriptFavorites).values({ corpId, userId, scriptId }).onConflictDoNothing();
      } else {
        await ex
          .delete(scriptFavorites)
          .where(
            and(
              eq(scriptFavorites.corpId, corpId),
              eq(scriptFavorites.userId, userId),
              eq(scriptFavorites.scriptId, scriptId),
            ),
          );
      }
    },

    /** Records a send and counts it on the script; run it in the transaction that puts it on the timeline. */
    async recordSend(
      ex: Executor,
      send: { corpId: string; userId: string; externalUserId: string; scriptId: number; sentAt: number },
    ): Promise<number> {
      const [row] = await ex.insert(scriptSends).values(send).returning({ id: scriptSends.id });
      await ex
        .update(scripts)
        .set({ sendCount: sql`${scripts.sendCount} + 1` })
        .where(and(eq(scripts.corpId, send.corpId), eq(scripts.id, send.scriptId)));
      return row!.id;
    },
  };
}
export type ScriptRepo = ReturnType<typeof createScriptRepo>;
