import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { followTags, tagGroups, tags } from '../../db/schema.js';

export type TagRow = typeof tags.$inferSelect;
export type TagGroupRow = typeof tagGroups.$inferSelect;

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

const nowMs = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

/** The local mirror of WeCom's corp tags (企业客户标签). */
export function createTagRepo(db: Db) {
  // Tagging a new customer reads its channel's few tags one by one: built and compiled once.
  const p = sql.placeholder;
  const tagById = db
    .select()
    .from(tags)
    .where(and(eq(tags.corpId, p('corpId')), eq(tags.tagId, p('tagId'))))
    .prepare();
  const groupById = db
    .select()
    .from(tagGroups)
    .where(and(eq(tagGroups.corpId, p('corpId')), eq(tagGroups.groupId, p('groupId'))))
    .prepare();
  const addFollowTag = db
    .insert(followTags)
    .values({ corpId: p('corpId'), userId: p('userId'), externalUserId: p('externalUserId'), tagId: p('tagId') })
    .onConflictDoNothing()
    .prepare();

  return {
    upsertGroup(corpId: string, g: TagGroupRecord): void {
      db.insert(tagGroups)
        .values({ corpId, ...g })
        .onConflictDoUpdate({
          target: [tagGroups.corpId, tagGroups.groupId],
          set: { name: g.name, order: g.order, deleted: g.deleted, updatedAt: nowMs },
        })
        .run();
    },

    upsertTag(corpId: string, t: TagRecord): void {
      db.insert(tags)
        .values({ corpId, ...t })
        .onConflictDoUpdate({
          target: [tags.corpId, tags.tagId],
          set: { groupId: t.groupId, name: t.name, order: t.order, deleted: t.deleted, updatedAt: nowMs },
        })
        .run();
    },

    /** Before a full sync: everything is presumed gone until WeCom lists it again. */
    markAllDeleted(corpId: string): void {
      db.update(tagGroups).set({ deleted: true, updatedAt: nowMs }).where(eq(tagGroups.corpId, corpId)).run();
      db.update(tags).set({ deleted: true, updatedAt: nowMs }).where(eq(tags.corpId, corpId)).run();
    },

    markTagsDeleted(corpId: string, tagIds: string[]): void {
      if (tagIds.length === 0) return;
      db.update(tags)
        .set({ deleted: true, updatedAt: nowMs })
        .where(and(eq(tags.corpId, corpId), inArray(tags.tagId, tagIds)))
        .run();
    },

    /** A group and every tag in it. */
    markGroupDeleted(corpId: string, groupId: string): void {
      db.update(tagGroups)
        .set({ deleted: true, updatedAt: nowMs })
        .where(and(eq(tagGroups.corpId, corpId), eq(tagGroups.groupId, groupId)))
        .run();
      db.update(tags)
        .set({ deleted: true, updatedAt: nowMs })
        .where(and(eq(tags.corpId, corpId), eq(tags.groupId, groupId)))
        .run();
    },

    updateTag(corpId: string, tagId: string, patch: { name?: string; order?: number }): void {
      db.update(tags)
        .set({ ...patch, updatedAt: nowMs })
        .where(and(eq(tags.corpId, corpId), eq(tags.tagId, tagId)))
        .run();
    },

    updateGroup(corpId: string, groupId: string, patch: { name?: string; order?: number }): void {
      db.update(tagGroups)
        .set({ ...patch, updatedAt: nowMs })
        .where(and(eq(tagGroups.corpId, corpId), eq(tagGroups.groupId, groupId)))
        .run();
    },

    /** Live groups and tags, WeCom's display order (larger `order` first). */
    liveGroups(corpId: string): TagGroupRow[] {
      return db
        .select()
        .from(tagGroups)
        .where(and(eq(tagGroups.corpId, corpId), eq(tagGroups.deleted, false)))
        .orderBy(desc(tagGroups.order), asc(tagGroups.createdAt), asc(tagGroups.groupId))
        .all();
    },

    liveTags(corpId: string, groupId?: string): TagRow[] {
      const conditions = [eq(tags.corpId, corpId), eq(tags.deleted, false)];
      if (groupId !== undefined) conditions.push(eq(tags.groupId, groupId));
      return db
        .select()
        .from(tags)
        .where(and(...conditions))
        .orderBy(desc(tags.order), asc(tags.createdAt), asc(tags.tagId))
        .all();
    },

    /** The given tags as mirrored, deleted ones included. */
    findTags(corpId: string, tagIds: string[]): TagRow[] {
      return [...new Set(tagIds)].flatMap((tagId) => tagById.get({ corpId, tagId }) ?? []);
    },

    findTag(corpId: string, tagId: string): TagRow | undefined {
      return tagById.get({ corpId, tagId });
    },

    findGroup(corpId: string, groupId: string): TagGroupRow | undefined {
      return groupById.get({ corpId, groupId });
    },

    findGroups(corpId: string, groupIds: string[]): TagGroupRow[] {
      return [...new Set(groupIds)].flatMap((groupId) => groupById.get({ corpId, groupId }) ?? []);
    },

    /** Records tags WeCom now has on a follow (after mark_tag succeeded); existing rows stay. */
    addFollowTags(corpId: string, userId: string, externalUserId: string, tagIds: string[]): void {
      for (const tagId of new Set(tagIds)) addFollowTag.run({ corpId, userId, externalUserId, tagId });
    },
  };
}
export type TagRepo = ReturnType<typeof createTagRepo>;
