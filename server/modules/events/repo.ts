import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { events, type InboxStatus } from '../../db/schema.js';

export type EventRow = typeof events.$inferSelect;

export interface NewInboxEvent {
  corpId: string;
  idempotencyKey: string;
  eventType: string;
  rawXml: string;
  payload: string;
  receivedAt: number;
}

/** The events inbox: what WeCom sent us, keyed so a retried delivery is a no-op. */
export function createEventRepo(db: Db) {
  // Positional parameters: binding by name costs a property lookup per parameter, on the callback hot path.
  const insertStatement = db.$client.prepare(
    `INSERT INTO events (corp_id, idempotency_key, event_type, raw_xml, payload, status, attempts, next_attempt_at, received_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
     ON CONFLICT (corp_id, idempotency_key) DO NOTHING`,
  );
  /** False when the event was already in the inbox (a WeCom retry). */
  const insert = (e: NewInboxEvent): boolean =>
    insertStatement.run(
      e.corpId,
      e.idempotencyKey,
      e.eventType,
      e.rawXml,
      e.payload,
      e.receivedAt,
      e.receivedAt,
      e.receivedAt,
    ).changes === 1;

  const deleteHandled = db.$client.prepare(
    `DELETE FROM events WHERE id IN (
       SELECT id FROM events WHERE status IN ('done', 'ignored') AND next_attempt_at < ? LIMIT ?)`,
  );

  return {
    /** Several events in one transaction (one commit): per event, false when it was a duplicate. */
    insertMany: db.$client.transaction((rows: NewInboxEvent[]): boolean[] => rows.map(insert)),

    /** Pending events whose time has come, oldest first. */
    due(now: number, limit: number): EventRow[] {
      return db
        .select()
        .from(events)
        .where(and(eq(events.status, 'pending'), lte(events.nextAttemptAt, now)))
        .orderBy(asc(events.id))
        .limit(limit)
        .all();
    },

    claim(ids: number[], now: number): void {
      if (ids.length === 0) return;
      db.update(events)
        .set({ status: 'processing', attempts: sql`${events.attempts} + 1`, updatedAt: now })
        .where(inArray(events.id, ids))
        .run();
    },

    finish(id: number, status: Extract<InboxStatus, 'done' | 'ignored' | 'failed'>, now: number, error?: string): void {
      db.update(events)
        .set({ status, processedAt: now, updatedAt: now, lastError: error ?? null })
        .where(eq(events.id, id))
        .run();
    },

    retryAt(id: number, at: number, now: number, error: string): void {
      db.update(events)
        .set({ status: 'pending', nextAttemptAt: at, updatedAt: now, lastError: error })
        .where(eq(events.id, id))
        .run();
    },

    /** After a crash or restart, events that were being processed go back to the queue. */
    requeueInterrupted(now: number): number {
      return db
        .update(events)
        .set({ status: 'pending', nextAttemptAt: now, updatedAt: now })
        .where(eq(events.status, 'processing'))
        .run().changes;
    },

    /**
     * Deletes up to `limit` handled events (done or ignored) whose last attempt is older than `before`; failed and
     * unfinished ones stay. Returns how many were deleted. (`events_due` covers status + next_attempt_at.)
     */
    deleteHandledBefore(before: number, limit: number): number {
      return deleteHandled.run(before, limit).changes;
    },

    get(id: number): EventRow | undefined {
      return db.select().from(events).where(eq(events.id, id)).get();
    },

    countByStatus(): Record<string, number> {
      const rows = db
        .select({ status: events.status, n: sql<number>`count(*)` })
        .from(events)
        .groupBy(events.status)
        .all();
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
  };
}
export type EventRepo = ReturnType<typeof createEventRepo>;
