import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { channels, contacts, follows, followTags, reps, tagGroups, tags } from '../../db/schema.js';
import { contains } from '../like-pattern.js';

/** Keyset position in a rep's customer list: the (addedAt, follow id) of the last row shown. */
export interface CustomerCursor {
  addedAt: number;
  id: number;
}

export interface FollowTagRow {
  tagId: string;
  name: string;
  groupId: string;
  groupName: string;
}

/** Reads and writes behind the rep sidebar's customer card. */
export function createCustomerRepo(db: Db) {
  return {
    /** The rep's active customers, newest added first; `q` is a substring of the name or the rep's remark. */
    listOwn(corpId: string, userId: string, opts: { q?: string; after?: CustomerCursor; limit: number }) {
      const conditions = [eq(follows.corpId, corpId), eq(follows.userId, userId), eq(follows.status, 'active')];
      if (opts.q) conditions.push(or(contains(contacts.name, opts.q), contains(follows.remark, opts.q))!);
      if (opts.after) {
        // Row values: SQLite seeks the (…, added_at, id) index to the cursor.
        conditions.push(sql`(${follows.addedAt}, ${follows.id}) < (${opts.after.addedAt}, ${opts.after.id})`);
      }
      return db
        .select({
          followId: follows.id,
          externalUserId: follows.externalUserId,
          name: contacts.name,
          avatar: contacts.avatar,
          remark: follows.remark,
          addedAt: follows.addedAt,
          channelName: channels.name,
        })
        .from(follows)
        .innerJoin(
          contacts,
          and(eq(contacts.corpId, follows.corpId), eq(contacts.externalUserId, follows.externalUserId)),
        )
        .leftJoin(channels, eq(channels.id, follows.channelId))
        .where(and(...conditions))
        .orderBy(desc(follows.addedAt), desc(follows.id))
        .limit(opts.limit)
        .all();
    },

    /** Every rep who follows or followed the customer, first added first. */
    followers(corpId: string, externalUserId: string) {
      return db
        .select({
          userId: follows.userId,
          name: reps.name,
          avatar: reps.avatar,
          addedAt: follows.addedAt,
          status: follows.status,
          lostReason: follows.lostReason,
          channelId: follows.channelId,
        })
        .from(follows)
        .leftJoin(reps, and(eq(reps.corpId, follows.corpId), eq(reps.userId, follows.userId)))
        .where(and(eq(follows.corpId, corpId), eq(follows.externalUserId, externalUserId)))
        .orderBy(asc(follows.addedAt), asc(follows.id))
        .all();
    },

    /** The corp tags this rep put on the customer (deleted tags and groups left out), in WeCom's display order. */
    followTags(corpId: string, userId: string, externalUserId: string): FollowTagRow[] {
      return (
        db
          .select({ tagId: tags.tagId, name: tags.name, groupId: tagGroups.groupId, groupName: tagGroups.name })
          .from(followTags)
          .innerJoin(tags, and(eq(tags.corpId, followTags.corpId), eq(tags.tagId, followTags.tagId)))
          .innerJoin(tagGroups, and(eq(tagGroups.corpId, tags.corpId), eq(tagGroups.groupId, tags.groupId)))
          .where(
            and(
              eq(followTags.corpId, corpId),
              eq(followTags.userId, userId),
              eq(followTags.externalUserId, externalUserId),
              eq(tags.deleted, false),
              eq(tagGroups.deleted, false),
            ),
          )
          // WeCom shows larger `order` first.
          .orderBy(desc(tagGroups.order), asc(tagGroups.groupId), desc(tags.order), asc(tags.tagId))
          .all()
      );
    },

    channel(corpId: string, channelId: number): { id: number; name: string } | undefined {
      return db
        .select({ id: channels.id, name: channels.name })
        .from(channels)
        .where(and(eq(channels.corpId, corpId), eq(channels.id, channelId)))
        .get();
    },

    /** Tags of the local mirror among these ids. */
    tagsById(corpId: string, tagIds: string[]) {
      if (tagIds.length === 0) return [];
      return db
        .select({ tagId: tags.tagId, name: tags.name, deleted: tags.deleted })
        .from(tags)
        .where(and(eq(tags.corpId, corpId), inArray(tags.tagId, tagIds)))
        .all();
    },

    updateRemark(
      corpId: string,
      userId: string,
      externalUserId: string,
      patch: { remark?: string; description?: string },
      at: number,
    ): void {
      db.update(follows)
        .set({ ...patch, updatedAt: at })
        .where(and(eq(follows.corpId, corpId), eq(follows.userId, userId), eq(follows.externalUserId, externalUserId)))
        .run();
    },

    /** Adds tags to the follow; returns those that were not there yet. */
    addFollowTags(corpId: string, userId: string, externalUserId: string, tagIds: string[]): string[] {
      if (tagIds.length === 0) return [];
      return db
        .insert(followTags)
        .values(tagIds.map((tagId) => ({ corpId, userId, externalUserId, tagId })))
        .onConflictDoNothing()
        .returning({ tagId: followTags.tagId })
        .all()
        .map((r) => r.tagId);
    },

    /** Removes tags from the follow; returns those that were there. */
    removeFollowTags(corpId: string, userId: string, externalUserId: string, tagIds: string[]): string[] {
      if (tagIds.length === 0) return [];
      return db
        .delete(followTags)
        .where(
          and(
            eq(followTags.corpId, corpId),
            eq(followTags.userId, userId),
            eq(followTags.externalUserId, externalUserId),
            inArray(followTags.tagId, tagIds),
          ),
        )
        .returning({ tagId: followTags.tagId })
        .all()
        .map((r) => r.tagId);
    },

    setStage(corpId: string, externalUserId: string, stageId: number, at: number): void {
      db.update(contacts)
        .set({ stageId, updatedAt: at })
        .where(and(eq(contacts.corpId, corpId), eq(contacts.externalUserId, externalUserId)))
        .run();
    },

    /** Display names of reps, for timeline authors. */
    repNames(corpId: string, userIds: string[]): Map<string, string> {
      if (userIds.length === 0) return new Map();
      const rows = db
        .select({ userId: reps.userId, name: reps.name })
        .from(reps)
        .where(and(eq(reps.corpId, corpId), inArray(reps.userId, userIds)))
        .all();
      return new Map(rows.map((r) => [r.userId, r.name]));
    },

    /** Runs `fn` in one SQLite transaction (local changes plus their timeline items). */
    transaction<T>(fn: () => T): T {
      return db.transaction(() => fn());
    },
  };
}
export type CustomerRepo = ReturnType<typeof createCustomerRepo>;
