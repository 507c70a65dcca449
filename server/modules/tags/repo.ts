import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { sqlNow } from '../../db/sql-now.js';

export type TagRow = Database['t']['tags']['$inferSelect'];
export type TagGroupRow = Database['t']['tagGroups']['$inferSelect'];

export interface TagGroupRecord {
  groupId: string;
  name: string;
  order: number;
  deleted: boolean;
}

export interface TagRecord {
  tagId: string;
  groupId: string;
  name: string;
  order: number;
  deleted: boolean;
}

/** The local mirror of WeCom's corp tags (企业客户标签). */
export function createTagRepo(db: Database) {
  const { followTags, tagGroups, tags } = db.t;
  const now = sqlNow(db);

  return {
    async upsertGroup(ex: Executor, corpId: string, g: TagGroupRecord): Promise<void> {
      await ex
        .insert(tagGroups)
        .values({ corpId, ...g })
        .onConflictDoUpdate({
          target: [tagGroups.corpId, tagGroups.groupId],
          set: { name: g.name, order: g.order, deleted: g.deleted, updatedAt: now },
        });
    },

    async upsertTag(ex: Executor, corpId: string, t: TagRecord): Promise<void> {
      await ex
        .insert(tags)
        .values({ corpId, ...t })
        .onConflictDoUpdate({
          target: [tags.corpId, tags.tagId],
          set: { groupId: t.groupId, name: t.name, order: t.order, deleted: t.deleted, updatedAt: now },
        });
    },

    /** Before a full sync: everything is presumed gone until WeCom lists it again. */
    async markAllDeleted(ex: Executor, corpId: string): Promise<void> {
      await ex.update(tagGroups).set({ deleted: true, updatedAt: now }).where(eq(tagGroups.corpId, corpId));
      await ex.update(tags).set({ deleted: true, updatedAt: now }).where(eq(tags.corpId, corpId));
    },

    async markTagsDeleted(ex: Executor, corpId: string, tagIds: string[]): Promise<void> {
      if (tagIds.length === 0) return;
      await ex
        .update(tags)
        .set({ deleted: true, updatedAt: now })
        .where(and(eq(tags.corpId, corpId), inArray(tags.tagId, tagIds)));
    },

    /** A group and every tag in it. */
    async markGroupDeleted(ex: Executor, corpId: string, groupId: string): Promise<void> {
      await ex
        .update(tagGroups)
        .set({ deleted: true, updatedAt: now })
        .where(and(eq(tagGroups.corpId, corpId), eq(tagGroups.groupId, groupId)));
      await ex
        .update(tags)
        .set({ deleted: true, updatedAt: now })
        .where(and(eq(tags.corpId, corpId), eq(tags.groupId, groupId)));
    },

    async updateTag(ex: Executor, corpId: string, tagId: string, patch: { name?: string; order?: number }) {
      await ex
        .update(tags)
        .set({ ...patch, updatedAt: now })
        .where(and(eq(tags.corpId, corpId), eq(tags.tagId, tagId)));
    },

    async updateGroup(ex: Executor, corpId: string, groupId: string, patch: { name?: string; order?: number }) {
      await ex
        .update(tagGroups)
        .set({ ...patch, updatedAt: now })
        .where(and(eq(tagGroups.corpId, corpId), eq(tagGroups.groupId, groupId)));
    },

    /** Live groups and tags, WeCom's display order (larger `order` first). */
    async liveGroups(ex: Executor, corpId: string): Promise<TagGroupRow[]> {
      return ex
        .select()
        .from(tagGroups)
        .where(and(eq(tagGroups.corpId, corpId), eq(tagGroups.deleted, false)))
        .orderBy(desc(tagGroups.order), asc(tagGroups.createdAt), asc(tagGroups.groupId));
    },

    async liveTags(ex: Executor, corpId: string, groupId?: string): Promise<TagRow[]> {
      const conditions = [eq(tags.corpId, corpId), eq(tags.deleted, false)];
      if (groupId !== undefined) conditions.push(eq(tags.groupId, groupId));
      return ex
        .select()
        .from(tags)
        .where(and(...conditions))
        .orderBy(desc(tags.order), asc(tags.createdAt), asc(tags.tagId));
    },

    /** The given tags as mirrored, deleted ones included. */
    async findTags(ex: Executor, corpId: string, tagIds: string[]): Promise<TagRow[]> {
      if (tagIds.length === 0) return [];
      return ex
        .select()
        .from(tags)
        .where(and(eq(tags.corpId, corpId), inArray(tags.tagId, [...new Set(tagIds)])));
    },

    async findTag(ex: Executor, corpId: string, tagId: string): Promise<TagRow | undefined> {
      const [row] = await ex
        .select()
        .from(tags)
        .where(and(eq(tags.corpId, corpId), eq(tags.tagId, tagId)))
        .limit(1);
      return row;
    },

    async findGroup(ex: Executor, corpId: string, groupId: string): Promise<TagGroupRow | undefined> {
      const [row] = await ex
        .select()
        .from(tagGroups)
        .where(and(eq(tagGroups.corpId, corpId), eq(tagGroups.groupId, groupId)))
        .limit(1);
      return row;
    },

    async findGroups(ex: Executor, corpId: string, groupIds: string[]): Promise<TagGroupRow[]> {
      if (groupIds.length === 0) return [];
      return ex
        .select()
        .from(tagGroups)
        .where(and(eq(tagGroups.corpId, corpId), inArray(tagGroups.groupId, [...new Set(groupIds)])));
    },

    /** Records tags WeCom now has on a follow (after mark_tag succeeded); existing rows stay. */
    async addFollowTags(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
      tagIds: string[],
    ): Promise<void> {
      if (tagIds.length === 0) return;
      await ex
        .insert(followTags)
        .values([...new Set(tagIds)].map((tagId) => ({ corpId, userId, externalUserId, tagId })))
        .onConflictDoNothing();
    },
  };
}
export type TagRepo = ReturnType<typeof createTagRepo>;
