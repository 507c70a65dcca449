import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { contacts, follows, followTags } from '../../db/schema.js';

export type ContactRow = typeof contacts.$inferSelect;
export type FollowRow = typeof follows.$inferSelect;

export interface ContactProfile {
  corpId: string;
  externalUserId: string;
  name: string;
  avatar: string;
  type: number;
  gender: number;
  unionId: string | null;
  position: string;
  corpName: string;
  corpFullName: string;
}

export interface FollowProfile {
  corpId: string;
  userId: string;
  externalUserId: string;
  remark: string;
  description: string;
  remarkCorpName: string;
  remarkMobiles: string[];
  state: string;
  addWay: number;
  operUserId: string;
  addedAt: number;
}

const nowMs = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

export function createContactRepo(db: Db) {
  return {
    upsertContact(p: ContactProfile, syncedAt: number): void {
      db.insert(contacts)
        .values({ ...p, syncedAt })
        .onConflictDoUpdate({
          target: [contacts.corpId, contacts.externalUserId],
          set: {
            name: p.name,
            avatar: p.avatar,
            type: p.type,
            gender: p.gender,
            unionId: p.unionId,
            position: p.position,
            corpName: p.corpName,
            corpFullName: p.corpFullName,
            syncedAt,
            updatedAt: nowMs,
          },
        })
        .run();
    },

    /** Upserts a follow as WeCom reports it; a follow WeCom reports again is active again. */
    upsertFollow(f: FollowProfile): void {
      const values = { ...f, remarkMobiles: JSON.stringify(f.remarkMobiles) };
      db.insert(follows)
        .values({ ...values, status: 'active' })
        .onConflictDoUpdate({
          target: [follows.corpId, follows.userId, follows.externalUserId],
          set: {
            remark: values.remark,
            description: values.description,
            remarkCorpName: values.remarkCorpName,
            remarkMobiles: values.remarkMobiles,
            state: values.state,
            addWay: values.addWay,
            operUserId: values.operUserId,
            addedAt: values.addedAt,
            status: 'active',
            lostAt: null,
            lostReason: null,
            updatedAt: nowMs,
          },
        })
        .run();
    },

    /** Replaces the tags of one follow with WeCom's view of them. */
    replaceFollowTags(corpId: string, userId: string, externalUserId: string, tagIds: string[]): void {
      db.delete(followTags)
        .where(
          and(
            eq(followTags.corpId, corpId),
            eq(followTags.userId, userId),
            eq(followTags.externalUserId, externalUserId),
          ),
        )
        .run();
      if (tagIds.length > 0) {
        db.insert(followTags)
          .values([...new Set(tagIds)].map((tagId) => ({ corpId, userId, externalUserId, tagId })))
          .run();
      }
    },

    /** Ends a follow; returns false when there was no active follow to end. */
    loseFollow(corpId: string, userId: string, externalUserId: string, reason: string, at: number): boolean {
      return (
        db
          .update(follows)
          .set({ status: 'lost', lostAt: at, lostReason: reason, updatedAt: at })
          .where(
            and(
              eq(follows.corpId, corpId),
              eq(follows.userId, userId),
              eq(follows.externalUserId, externalUserId),
              eq(follows.status, 'active'),
            ),
          )
          .run().changes === 1
      );
    },

    findContact(corpId: string, externalUserId: string): ContactRow | undefined {
      return db
        .select()
        .from(contacts)
        .where(and(eq(contacts.corpId, corpId), eq(contacts.externalUserId, externalUserId)))
        .get();
    },

    findFollow(corpId: string, userId: string, externalUserId: string): FollowRow | undefined {
      return db
        .select()
        .from(follows)
        .where(and(eq(follows.corpId, corpId), eq(follows.userId, userId), eq(follows.externalUserId, externalUserId)))
        .get();
    },

    followsOf(corpId: string, externalUserId: string): FollowRow[] {
      return db
        .select()
        .from(follows)
        .where(and(eq(follows.corpId, corpId), eq(follows.externalUserId, externalUserId)))
        .all();
    },
  };
}
export type ContactRepo = ReturnType<typeof createContactRepo>;
