import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type ChannelRow = Database['t']['channels']['$inferSelect'];
export type ChannelRepRow = Database['t']['channelReps']['$inferSelect'];
export type ChannelMovement = Database['t']['channelMovements']['$inferInsert'];

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
export function createChannelRepo(db: Database) {
  const { channelMovements, channelReps, channels, follows, jobs, repDailyAdds } = db.t;
  // Read by every add's intake.
  const findByState = db.prepared<{ corpId: string; state: string }, ChannelRow[]>('channels_by_state', (ex) =>
    ex
      .select()
      .from(channels)
      .where(and(eq(channels.corpId, sql.placeholder('corpId')), eq(channels.state, sql.placeholder('state'))))
      .limit(1),
  );

  return {
    async insert(ex: Executor, c: NewChannel, at: number): Promise<number> {
      const [row] = await ex
        .insert(channels)
        .values({ ...c, createdAt: at, updatedAt: at })
        .returning({ id: channels.id });
      return row!.id;
    },

    /** Sets only the fields in `patch`: a concurrent edit of other fields is not overwritten. */
    async update(ex: Executor, corpId: string, id: number, patch: ChannelPatch, at: number): Promise<void> {
      await ex
        .update(channels)
        .set({ ...patch, updatedAt: at })
        .where(and(eq(channels.corpId, corpId), eq(channels.id, id)));
    },

    async softDelete(ex: Executor, corpId: string, id: number, at: number): Promise<void> {
      await ex
        .update(channels)
        .set({ deletedAt: at, updatedAt: at })
        .where(and(eq(channels.corpId, corpId), eq(channels.id, id), isNull(channels.deletedAt)));
    },

    /** A live (not deleted) channel. */
    async find(ex: Executor, corpId: string, id: number): Promise<ChannelRow | undefined> {
      const [row] = await ex
        .select()
        .from(channels)
        .where(and(eq(channels.corpId, corpId), eq(channels.id, id), isNull(channels.deletedAt)))
        .limit(1);
      return row;
    },

    /** Any channel with this state, deleted ones included (a state is never reused). */
    async findByState(ex: Executor, corpId: string, state: string): Promise<ChannelRow | undefined> {
      const [row] = await findByState(ex, { corpId, state });
      return row;
    },

    /** A channel whether live or deleted (statistics outlive the code). */
    async findAny(ex: Executor, corpId: string, id: number): Promise<ChannelRow | undefined> {
      const [row] = await ex
        .select()
        .from(channels)
        .where(and(eq(channels.corpId, corpId), eq(channels.id, id)))
        .limit(1);
      return row;
    },

    async list(ex: Executor, corpId: string): Promise<ChannelRow[]> {
      return ex
        .select()
        .from(channels)
        .where(and(eq(channels.corpId, corpId), isNull(channels.deletedAt)))
        .orderBy(asc(channels.groupName), desc(channels.id));
    },

    async countLive(ex: Executor, corpId: string): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)` })
        .from(channels)
        .where(and(eq(channels.corpId, corpId), isNull(channels.deletedAt)));
      return Number(row?.n ?? 0);
    },

    /** Primary reps first, each role in its order. */
    async reps(ex: Executor, channelId: number): Promise<ChannelRepRow[]> {
      return ex
        .select()
        .from(channelReps)
        .where(eq(channelReps.channelId, channelId))
        .orderBy(desc(channelReps.role), asc(channelReps.order));
    },

    async replaceReps(ex: Executor, channelId: number, reps: ChannelRepInput[]): Promise<void> {
      await ex.delete(channelReps).where(eq(channelReps.channelId, channelId));
      if (reps.length > 0) await ex.insert(channelReps).values(reps.map((r) => ({ channelId, ...r })));
    },

    /**
     * Takes a primary rep off the code for `day`; false when they already were (or are no primary rep), so of two
     * adds reaching the cap at once only one decides, and only one push is asked for.
     */
    async capRep(ex: Executor, channelId: number, userId: string, day: string): Promise<boolean> {
      const changed = await ex
        .update(channelReps)
        .set({ cappedOn: day })
        .where(
          and(
            eq(channelReps.channelId, channelId),
            eq(channelReps.userId, userId),
            eq(channelReps.role, 'primary'),
            or(isNull(channelReps.cappedOn), ne(channelReps.cappedOn, day)),
          ),
        )
        .returning({ userId: channelReps.userId });
      return changed.length === 1;
    },

    /**
     * Puts back the reps of the corp's live channels taken off before `day`, in one statement; returns whom. A
     * second run (another instance's) finds nothing.
     */
    async uncapBefore(
      ex: Executor,
      corpId: string,
      day: string,
    ): Promise<Array<{ channelId: number; userId: string }>> {
      const live = ex
        .select({ id: channels.id })
        .from(channels)
        .where(and(eq(channels.corpId, corpId), isNull(channels.deletedAt)));
      return ex
        .update(channelReps)
        .set({ cappedOn: null })
        .where(
          and(inArray(channelReps.channelId, live), isNotNull(channelReps.cappedOn), lt(channelReps.cappedOn, day)),
        )
        .returning({ channelId: channelReps.channelId, userId: channelReps.userId });
    },

    /**
     * Counts one add for (channel, rep, day) and returns the new count, in one upsert: the database adds, so two
     * adds at once on two instances count 2 (on PostgreSQL the second waits for the first's row, then its
     * transaction reruns and sees it), and whoever reads the count decides on the value it counted.
     */
    async bumpDailyAdds(ex: Executor, corpId: string, channelId: number, userId: string, day: string): Promise<number> {
      const [row] = await ex
        .insert(repDailyAdds)
        .values({ corpId, channelId, userId, day, count: 1 })
        .onConflictDoUpdate({
          target: [repDailyAdds.corpId, repDailyAdds.channelId, repDailyAdds.userId, repDailyAdds.day],
          set: { count: sql`${repDailyAdds.count} + 1` },
        })
        .returning({ count: repDailyAdds.count });
      return Number(row!.count);
    },

    async dailyAdds(ex: Executor, corpId: string, channelId: number, day: string): Promise<Map<string, number>> {
      const rows = await ex
        .select({ userId: repDailyAdds.userId, count: repDailyAdds.count })
        .from(repDailyAdds)
        .where(and(eq(repDailyAdds.corpId, corpId), eq(repDailyAdds.channelId, channelId), eq(repDailyAdds.day, day)));
      return new Map(rows.map((r) => [r.userId, Number(r.count)]));
    },

    async setFollowChannel(
      ex: Executor,
      corpId: string,
      userId: string,
      externalUserId: string,
      channelId: number,
    ): Promise<void> {
      await ex
        .update(follows)
        .set({ channelId })
        .where(and(eq(follows.corpId, corpId), eq(follows.userId, userId), eq(follows.externalUserId, externalUserId)));
    },

    /** Records an add or a loss for the channel's statistics; false when this source was recorded before. */
    async recordMovement(ex: Executor, m: ChannelMovement): Promise<boolean> {
      const inserted = await ex
        .insert(channelMovements)
        .values(m)
        .onConflictDoNothing()
        .returning({ id: channelMovements.id });
      return inserted.length === 1;
    },

    /** The channel's adds and losses in [fromMs, toMs), as times. */
    async movements(
      ex: Executor,
      corpId: string,
      channelId: number,
      fromMs: number,
      toMs: number,
    ): Promise<{ adds: number[]; losses: number[] }> {
      const rows = await ex
        .select({ kind: channelMovements.kind, at: channelMovements.at })
        .from(channelMovements)
        .where(
          and(
            eq(channelMovements.corpId, corpId),
            eq(channelMovements.channelId, channelId),
            gte(channelMovements.at, fromMs),
            lt(channelMovements.at, toMs),
          ),
        );
      return {
        adds: rows.filter((r) => r.kind === 'add').map((r) => r.at),
        losses: rows.filter((r) => r.kind === 'loss').map((r) => r.at),
      };
    },

    /**
     * Where a job of the channel's lane stands (an admin request waits for its write to WeCom, run by whichever
     * instance claims it). Read here rather than through the jobs module, which has no such query yet.
     */
    async jobOutcome(ex: Executor, jobId: number) {
      const [row] = await ex
        .select({ status: jobs.status, lastError: jobs.lastError, deadlineAt: jobs.deadlineAt })
        .from(jobs)
        .where(eq(jobs.id, jobId))
        .limit(1);
      return row;
    },
  };
}
export type ChannelRepo = ReturnType<typeof createChannelRepo>;
