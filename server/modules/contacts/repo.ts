import { and, eq, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { sqlNow } from '../../db/sql-now.js';

export type ContactRow = Database['t']['contacts']['$inferSelect'];
export type FollowRow = Database['t']['follows']['$inferSelect'];

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

export function createContactRepo(db: Database) {
  const { contacts, follows, followTags } = db.t;
  const now = sqlNow(db);
  return {
    async upsertContact(ex: Executor, p: ContactProfile, syncedAt: number): Promise<void> {
      await ex
        .insert(contacts)
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
            updatedAt: now,
          },
        });
    },

    /**
     * Upserts a follow as WeCom reports it; a follow WeCom reports again is active again, unless it was lost after
     * the add WeCom reports (a stale profile fetched before a deletion must not bring the relation back).
     */
    async upsertFollow(ex: Executor, f: FollowProfile): Promise<void> {
      await ex
        .insert(follows)
        .values({ ...f, status: 'active' })
        .onConflictDoUpdate({
          target: [follows.corpId, follows.userId, follows.externalUserId],
          set: {
            remark: f.remark,
            description: f.description,
            remarkCorpName: f.remarkCorpName,
            remarkMobiles: f.remarkMobiles,
            state: f.state,
            addWay: f.addWay,
            operUserId: f.operUserId,
            addedAt: f.addedAt,
            status: 'active',
            lostAt: null,
            lostReason: null,
            updatedAt: now,
          },
          setWhere: sql`${follows.status} = 'active' OR ${follows.lostAt} IS NULL OR ${f.addedAt} > ${follows.lostAt}`,
        });
    },

    /** Replaces the tags of one follow with WeCom's view of them. */
    async replaceFollowTags(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
      tagIds: string[],
    ): Promise<void> {
      await ex
        .delete(followTags)
        .where(
          and(
            eq(followTags.corpId, corpId),
            eq(followTags.userId, userId),
            eq(followTags.externalUserId, externalUserId),
          ),
        );
      if (tagIds.length > 0) {
        await ex
          .insert(followTags)
          .values([...new Set(tagIds)].map((tagId) => ({ corpId, userId, externalUserId, tagId })));
      }
    },

    /** Ends a follow; returns false when there was no active follow to end. */
    async loseFollow(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
      reason: string,
      at: number,
    ): Promise<boolean> {
      const ended = await ex
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
        .returning({ id: follows.id });
      return ended.length === 1;
    },

    async findContact(ex: Executor, corpId: string, externalUserId: string): Promise<ContactRow | undefined> {
      const [row] = await ex
        .select()
        .from(contacts)
        .where(and(eq(contacts.corpId, corpId), eq(contacts.externalUserId, externalUserId)))
        .limit(1);
      return row;
    },

    async findFollow(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
    ): Promise<FollowRow | undefined> {
      const [row] = await ex
        .select()
        .from(follows)
        .where(and(eq(follows.corpId, corpId), eq(follows.userId, userId), eq(follows.externalUserId, externalUserId)))
        .limit(1);
      return row;
    },

    async followsOf(ex: Executor, corpId: string, externalUserId: string): Promise<FollowRow[]> {
      return ex
        .select()
        .from(follows)
        .where(and(eq(follows.corpId, corpId), eq(follows.externalUserId, externalUserId)));
    },
  };
}
export type ContactRepo = ReturnType<typeof createContactRepo>;
