import { and, eq, sql, type Column } from 'drizzle-orm';
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
  const p = (name: string) => sql.placeholder(name);
  // Every add syncs its customer: these shapes are built once (server/db/database.ts `prepared`).
  // An upsert's update takes the row it tried to insert (`excluded`, on both backends), so no value is bound twice.
  const excluded = (c: Column) => sql.raw(`excluded."${c.name}"`);
  const contactFields = {
    name: p('name'),
    avatar: p('avatar'),
    type: p('type'),
    gender: p('gender'),
    unionId: p('unionId'),
    position: p('position'),
    corpName: p('corpName'),
    corpFullName: p('corpFullName'),
    syncedAt: p('syncedAt'),
  };
  const updated = (table: object, fields: Record<string, unknown>) =>
    Object.fromEntries(Object.keys(fields).map((k) => [k, excluded((table as Record<string, Column>)[k]!)]));
  const upsertContact = db.prepared<ContactProfile & { syncedAt: number }, unknown>('contacts_upsert', (ex) =>
    ex
      .insert(contacts)
      .values({ corpId: p('corpId'), externalUserId: p('externalUserId'), ...contactFields })
      .onConflictDoUpdate({
        target: [contacts.corpId, contacts.externalUserId],
        set: { ...updated(contacts, contactFields), updatedAt: now },
      }),
  );
  const followFields = {
    remark: p('remark'),
    description: p('description'),
    remarkCorpName: p('remarkCorpName'),
    remarkMobiles: p('remarkMobiles'),
    state: p('state'),
    addWay: p('addWay'),
    operUserId: p('operUserId'),
    addedAt: p('addedAt'),
  };
  const upsertFollow = db.prepared<FollowProfile, unknown>('follows_upsert', (ex) =>
    ex
      .insert(follows)
      .values({
        corpId: p('corpId'),
        userId: p('userId'),
        externalUserId: p('externalUserId'),
        ...followFields,
        status: 'active',
      })
      .onConflictDoUpdate({
        target: [follows.corpId, follows.userId, follows.externalUserId],
        set: { ...updated(follows, followFields), status: 'active', lostAt: null, lostReason: null, updatedAt: now },
        setWhere: sql`${follows.status} = 'active' OR ${follows.lostAt} IS NULL OR ${excluded(follows.addedAt)} > ${follows.lostAt}`,
      }),
  );
  const findContact = db.prepared<{ corpId: string; externalUserId: string }, ContactRow[]>('contacts_find', (ex) =>
    ex
      .select()
      .from(contacts)
      .where(and(eq(contacts.corpId, p('corpId')), eq(contacts.externalUserId, p('externalUserId'))))
      .limit(1),
  );
  const findFollow = db.prepared<{ corpId: string; userId: string; externalUserId: string }, FollowRow[]>(
    'follows_find',
    (ex) =>
      ex
        .select()
        .from(follows)
        .where(
          and(
            eq(follows.corpId, p('corpId')),
            eq(follows.userId, p('userId')),
            eq(follows.externalUserId, p('externalUserId')),
          ),
        )
        .limit(1),
  );
  return {
    async upsertContact(ex: Executor, profile: ContactProfile, syncedAt: number): Promise<void> {
      await upsertContact(ex, { ...profile, syncedAt });
    },

    /**
     * Upserts a follow as WeCom reports it; a follow WeCom reports again is active again, unless it was lost after
     * the add WeCom reports (a stale profile fetched before a deletion must not bring the relation back).
     */
    async upsertFollow(ex: Executor, f: FollowProfile): Promise<void> {
      await upsertFollow(ex, f);
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
      const [row] = await findContact(ex, { corpId, externalUserId });
      return row;
    },

    async findFollow(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
    ): Promise<FollowRow | undefined> {
      const [row] = await findFollow(ex, { corpId, userId, externalUserId });
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
