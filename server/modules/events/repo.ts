import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { createQueueStore } from '../../db/queue.js';
import type { WecomEvent } from '../../wecom/events.js';

export type EventRow = Database['t']['events']['$inferSelect'];

export interface NewInboxEvent {
  corpId: string;
  idempotencyKey: string;
  eventType: string;
  rawXml: string;
  payload: WecomEvent;
  lane: string | null;
  /** WeCom's CreateTime in ms. */
  occurredAt: number;
  receivedAt: number;
}

/**
 * How long after an add its welcome can still be sent (WeCom's window is 20 s; the welcome job gives up at 18 s).
 * Events younger than this are the ones whose customer can still be welcomed.
 */
export const WELCOME_FEASIBLE_MS = 18_000;

/** The events inbox: what WeCom sent us, keyed so a retried delivery is a no-op, and claimed with leases. */
export function createEventRepo(db: Database) {
  const { events } = db.t;
  const queue = createQueueStore(db, {
    table: events,
    columns: {
      id: events.id,
      status: events.status,
      attempts: events.attempts,
      runAt: events.nextAttemptAt,
      lane: events.lane,
      leaseOwner: events.leaseOwner,
      leaseUntil: events.leaseUntil,
      lastError: events.lastError,
      finishedAt: events.processedAt,
      updatedAt: events.updatedAt,
      laneOrder: [events.occurredAt],
    },
    // Latest feasible first: events still inside the welcome window go first, newest first; then the older ones,
    // oldest first. Oldest first collapses under overload: once the backlog is older than the window, every add is
    // handled too late to be welcomed, while newest first welcomes as many customers as the machine can serve (npm
    // run bench -- overload). A customer's own events still run in order (their lane). Each tier reads an index in
    // its order (events_fresh, events_due).
    tiers: (c) => [
      {
        where: (_now, since) => sql`q.received_at >= ${since}`,
        bound: (now) => now - WELCOME_FEASIBLE_MS,
        order: sql`q.status DESC, q.received_at DESC, q.id DESC`,
      },
      {
        where: (_now, since) => sql`q.received_at < ${since}`,
        bound: (now) => now - WELCOME_FEASIBLE_MS,
        order: sql`q.status, q.${sql.identifier(c.runAt.name)}, q.id`,
      },
    ],
  });

  return {
    queue,

    /**
     * Several events in one statement (one commit): per event, false when it was a duplicate (a WeCom retry, or the
     * same event twice in the batch).
     */
    async insertMany(ex: Executor, rows: NewInboxEvent[]): Promise<boolean[]> {
      if (rows.length === 0) return [];
      const inserted = await ex
        .insert(events)
        .values(
          rows.map((e) => ({
            corpId: e.corpId,
            idempotencyKey: e.idempotencyKey,
            eventType: e.eventType,
            rawXml: e.rawXml,
            payload: e.payload,
            lane: e.lane,
            occurredAt: e.occurredAt,
            nextAttemptAt: e.receivedAt,
            receivedAt: e.receivedAt,
            updatedAt: e.receivedAt,
          })),
        )
        .onConflictDoNothing()
        .returning({ corpId: events.corpId, key: events.idempotencyKey });
      const fresh = new Set(inserted.map((r) => `${r.corpId}\n${r.key}`));
      return rows.map((e) => fresh.delete(`${e.corpId}\n${e.idempotencyKey}`));
    },

    async byIds(ex: Executor, ids: number[]): Promise<EventRow[]> {
      if (ids.length === 0) return [];
      return ex.select().from(events).where(inArray(events.id, ids)).orderBy(events.id);
    },

    async get(ex: Executor, id: number): Promise<EventRow | undefined> {
      const [row] = await ex.select().from(events).where(eq(events.id, id)).limit(1);
      return row;
    },

    /**
     * Deletes up to `limit` handled events (done or ignored) whose last attempt is older than `before`; failed and
     * unfinished ones stay. Returns how many were deleted. (`events_due` covers status + next_attempt_at.)
     */
    async deleteHandledBefore(ex: Executor, before: number, limit: number): Promise<number> {
      const batch = ex
        .select({ id: events.id })
        .from(events)
        .where(and(inArray(events.status, ['done', 'ignored']), lt(events.nextAttemptAt, before)))
        .limit(limit);
      const deleted = await ex.delete(events).where(inArray(events.id, batch)).returning({ id: events.id });
      return deleted.length;
    },

    async countByStatus(ex: Executor): Promise<Record<string, number>> {
      const rows = await ex
        .select({ status: events.status, n: sql<number>`count(*)` })
        .from(events)
        .groupBy(events.status);
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
  };
}
export type EventRepo = ReturnType<typeof createEventRepo>;
