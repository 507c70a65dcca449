import { and, asc, desc, eq, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { channelMovements, channelReps, channels, follows, repDailyAdds } from '../../db/schema.js';

export type ChannelRow = typeof channels.$inferSelect;
export type ChannelRepRow = typeof channelReps.$inferSelect;

export interface NewChannel {
  corpId: string;
  name: string;
  groupName: string;
  remark: string;
  state: string;
  skipVerify: boolean;
  tagIds: string[];
  dailyCap: number | null;
  configId: string;
  qrCode: string;
}

export type ChannelPatch = Partial<Omit<NewChannel, 'corpId' | 'configId' | 'qrCode'>>;

export interface ChannelRepInput {
  userId: string;
  role: 'primary' | 'backup';
  order: number;
  cappedOn: string | null;
}

/** Channel codes (渠道活码), their reps and their per-rep daily add counts. */
export function createChannelRepo(db: Db) {
  const p = sql.placeholder;
  // The add path runs these for every customer: built and compiled once.
  const byState = db
    .select()
    .from(channels)
    .where(and(eq(channels.corpId, p('corpId')), eq(channels.state, p('state'))))
    .prepare();
  const liveById = db
    .select()
    .from(channels)
    .where(and(eq(channels.corpId, p('corpId')), eq(channels.id, p('id')), isNull(channels.deletedAt)))
    .prepare();
  const repsOf = db
    .select()
    .from(channelReps)
    .where(eq(channelReps.channelId, p('channelId')))
    .orderBy(desc(channelReps.role), asc(channelReps.order))
    .prepare();
  const bump = db
    .insert(repDailyAdds)
    .values({ corpId: p('corpId'), channelId: p('channelId'), userId: p('userId'), day: p('day'), count: 1 })
    .onConflictDoUpdate({
      target: [repDailyAdds.corpId, repDailyAdds.channelId, repDailyAdds.userId, repDailyAdds.day],
      set: { count: sql`${repDailyAdds.count} + 1` },
    })
    .returning({ count: repDailyAdds.count })
    .prepare();
  const attribute = db
    .update(follows)
    .set({ channelId: sql`${p('channelId')}` })
    .where(
      and(
        eq(follows.corpId, p('corpId')),
        eq(follows.userId, p('userId')),
        eq(follows.externalUserId, p('externalUserId')),
      ),
    )
    .prepare();

  return {
    insert(c: NewChannel, at: number): number {
      const row = db
        .insert(channels)
        .values({ ...c, tagIds: JSON.stringify(c.tagIds), createdAt: at, updatedAt: at })
        .returning({ id: channels.id })
        .get();
      return row.id;
    },

    update(corpId: string, id: number, patch: ChannelPatch, at: number): void {
      const { tagIds, ...rest } = patch;
      db.update(channels)
        .set({ ...rest, ...(tagIds !== undefined ? { tagIds: JSON.stringify(tagIds) } : {}), updatedAt: at })
        .where(and(eq(channels.corpId, corpId), eq(channels.id, id)))
        .run();
    },

    softDelete(corpId: string, id: number, at: number): void {
      db.update(channels)
        .set({ deletedAt: at, updatedAt: at })
        .where(and(eq(channels.corpId, corpId), eq(channels.id, id)))
        .run();
    },

    /** A live (not deleted) channel. */
    find(corpId: string, id: number): ChannelRow | undefined {
      return liveById.get({ corpId, id });
    },

    /** Any channel with this state, deleted ones included (a state is never reused). */
    findByState(corpId: string, state: string): ChannelRow | undefined {
      return byState.get({ corpId, state });
    },

    list(corpId: string): ChannelRow[] {
      return db
        .select()
        .from(channels)
        .where(and(eq(channels.corpId, corpId), isNull(channels.deletedAt)))
        .orderBy(asc(channels.groupName), desc(channels.id))
        .all();
    },

    countLive(corpId: string): number {
      const row = db
        .select({ n: sql<number>`count(*)` })
        .from(channels)
        .where(and(eq(channels.corpId, corpId), isNull(channels.deletedAt)))
        .get();
      return row?.n ?? 0;
    },

    /** Primary reps first, each role in its order. */
    reps(channelId: number): ChannelRepRow[] {
      return repsOf.all({ channelId });
    },

    replaceReps(channelId: number, reps: ChannelRepInput[]): void {
      db.delete(channelReps).where(eq(channelReps.channelId, channelId)).run();
      if (reps.length > 0)
        db.insert(channelReps)
          .values(reps.map((r) => ({ channelId, ...r })))
          .run();
    },

    setCapped(channelId: number, userId: string, day: string | null): void {
      db.update(channelReps)
        .set({ cappedOn: day })
        .where(and(eq(channelReps.channelId, channelId), eq(channelReps.userId, userId)))
        .run();
    },

    /** Reps of live channels of the corp taken off before `day`. */
    cappedBefore(corpId: string, day: string): Array<{ channelId: number; userId: string }> {
      return db
        .select({ channelId: channelReps.channelId, userId: channelReps.userId })
        .from(channelReps)
        .innerJoin(channels, eq(channels.id, channelReps.channelId))
        .where(
          and(
            eq(channels.corpId, corpId),
            isNull(channels.deletedAt),
            isNotNull(channelReps.cappedOn),
            lt(channelReps.cappedOn, day),
          ),
        )
        .all();
    },

    /** Counts one add for (channel, rep, day) and returns the new count. */
    bumpDailyAdds(corpId: string, channelId: number, userId: string, day: string): number {
      return bump.get({ corpId, channelId, userId, day })!.count;
    },

    dailyAdds(corpId: string, channelId: number, day: string): Map<string, number> {
      const rows = db
        .select({ userId: repDailyAdds.userId, count: repDailyAdds.count })
        .from(repDailyAdds)
        .where(and(eq(repDailyAdds.corpId, corpId), eq(repDailyAdds.channelId, channelId), eq(repDailyAdds.day, day)))
        .all();
      return new Map(rows.map((r) => [r.userId, r.count]));
    },

    setFollowChannel(corpId: string, userId: string, externalUserId: string, channelId: number): void {
      attribute.run({ corpId, userId, externalUserId, channelId });
    },

    /** Times (ms) of the channel's adds and losses within [fromMs, toMs). */
    /** Records an add or a loss for the channel's statistics; false when this source was recorded before. */
    recordMovement(m: typeof channelMovements.$inferInsert): boolean {
      return db.insert(channelMovements).values(m).onConflictDoNothing().run().changes === 1;
    },

    /** The channel's adds and losses in [fromMs, toMs), as times. */
    movements(corpId: string, channelId: number, fromMs: number, toMs: number): { adds: number[]; losses: number[] } {
      const rows = db
        .select({ kind: channelMovements.kind, at: channelMovements.at })
        .from(channelMovements)
        .where(
          and(
            eq(channelMovements.corpId, corpId),
            eq(channelMovements.channelId, channelId),
            gte(channelMovements.at, fromMs),
            lt(channelMovements.at, toMs),
          ),
        )
        .all();
      return {
        adds: rows.filter((r) => r.kind === 'add').map((r) => r.at),
        losses: rows.filter((r) => r.kind === 'loss').map((r) => r.at),
      };
    },

    /** A channel whether live or deleted (statistics outlive the code). */
    findAny(corpId: string, id: number): ChannelRow | undefined {
      return db
        .select()
        .from(channels)
        .where(and(eq(channels.corpId, corpId), eq(channels.id, id)))
        .get();
    },
  };
}
export type ChannelRepo = ReturnType<typeof createChannelRepo>;
