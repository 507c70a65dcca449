import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { contains } from '../like-pattern.js';

/** Keyset position in a rep's customer list: the (addedAt, follow id) of the last row shown. */
export interface CustomerCursor {
  addedAt: number;
  id: number;
}

export interface CustomerListRow {
  followId: number;
  externalUserId: string;
  name: string;
  avatar: string;
  remark: string;
  addedAt: number;
  channelName: string | null;
}

export interface FollowerRow {
  userId: string;
  name: string | null;
  avatar: string | null;
  addedAt: number;
  status: 'active' | 'lost';
  lostReason: string | null;
  channelId: number | null;
}

export interface FollowTagRow {
  tagId: string;
  name: string;
  groupId: string;
  groupName: string;
}

/** Reads and writes behind the rep sidebar's customer card. */
export function createCustomerRepo(db: Database) {
  const { channels, contacts, follows, followTags, reps, tagGroups, tags } = db.t;
  return {
    /** The rep's active customers, newest added first; `q` is a substring of the name or the rep's remark. */
    async listOwn(
      ex: Executor,
      corpId: string,
      userId: string,
      opts: { q?: string; after?: CustomerCursor; limit: number },
    ): Promise<CustomerListRow[]> {
      const conditions = [eq(follows.corpId, corpId), eq(follows.userId, userId), eq(follows.status, 'active')];
      if (opts.q) conditions.push(or(contains(contacts.name, opts.q), contains(follows.remark, opts.q))!);
      if (opts.after) {
        // Row values: the database seeks the (…, added_at, id) index to the cursor.
        conditions.push(sql`(${follows.addedAt}, ${follows.id}) < (${opts.after.addedAt}, ${opts.after.id})`);
      }
      return ex
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
        .limit(opts.limit);
    },

    /** Every rep who follows or followed the customer, first added first. */
    async followers(ex: Executor, corpId: string, externalUserId: string): Promise<FollowerRow[]> {
      const rows = await ex
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
        .where(and(eq(follows.corpId, corpId), eq(follows.externalUserId, externalUserId)));
      // Sorted here: an ORDER BY added_at let SQLite (no statistics) walk follows_corp_added over all of the corp's
      // relationships instead of the customer's few through follows_corp_contact.
      return rows.sort((a, b) => a.addedAt - b.addedAt || a.userId.localeCompare(b.userId));
    },

    /** The corp tags this rep put on the customer (deleted tags and groups left out), in WeCom's display order. */
    async followTags(ex: Executor, corpId: string, userId: string, externalUserId: string): Promise<FollowTagRow[]> {
      return (
        ex
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
      );
    },

    async channel(ex: Executor, corpId: string, channelId: number): Promise<{ id: number; name: string } | undefined> {
      const [row] = await ex
        .select({ id: channels.id, name: channels.name })
        .from(channels)
        .where(and(eq(channels.corpId, corpId), eq(channels.id, channelId)))
        .limit(1);
      return row;
    },

    /** Tags of the local mirror among these ids. */
    async tagsById(
      ex: Executor,
      corpId: string,
      tagIds: string[],
    ): Promise<{ tagId: string; name: string; deleted: boolean }[]> {
      if (tagIds.length === 0) return [];
      return ex
        .select({ tagId: tags.tagId, name: tags.name, deleted: tags.deleted })
        .from(tags)
        .where(and(eq(tags.corpId, corpId), inArray(tags.tagId, tagIds)));
    },

    async updateRemark(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
      patch: { remark?: string; description?: string },
      at: number,
    ): Promise<void> {
      await ex
        .update(follows)
        .set({ ...patch, updatedAt: at })
        .where(and(eq(follows.corpId, corpId), eq(follows.userId, userId), eq(follows.externalUserId, externalUserId)));
    },

    /** Adds tags to the follow; returns those that were not there yet. */
    async addFollowTags(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
      tagIds: string[],
    ): Promise<string[]> {
      if (tagIds.length === 0) return [];
      const rows = await ex
        .insert(followTags)
        .values(tagIds.map((tagId) => ({ corpId, userId, externalUserId, tagId })))
        .onConflictDoNothing()
        .returning({ tagId: followTags.tagId });
      return rows.map((r) => r.tagId);
    },

    /** Removes tags from the follow; returns those that were there. */
    async removeFollowTags(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
      tagIds: string[],
    ): Promise<string[]> {
      if (tagIds.length === 0) return [];
      const rows = await ex
        .delete(followTags)
        .where(
          and(
            eq(followTags.corpId, corpId),
            eq(followTags.userId, userId),
            eq(followTags.externalUserId, externalUserId),
            inArray(followTags.tagId, tagIds),
          ),
        )
        .returning({ tagId: followTags.tagId });
      return rows.map((r) => r.tagId);
    },

    async setStage(ex: Executor, corpId: string, externalUserId: string, stageId: number, at: number): Promise<void> {
      await ex
        .update(contacts)
        .set({ stageId, updatedAt: at })
        .where(and(eq(contacts.corpId, corpId), eq(contacts.externalUserId, externalUserId)));
    },
  };
}
export type CustomerRepo = ReturnType<typeof createCustomerRepo>;
