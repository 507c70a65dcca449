import { sql } from 'drizzle-orm';
import type { WecomEvent } from '../../wecom/events.js';
import type { Kit } from '../kit.js';
import { timestampColumns, type CoreTables } from './core.js';

/** States of an item of a durable queue (the events inbox, the jobs table). */
export const queueStatuses = ['pending', 'running', 'done', 'failed', 'ignored'] as const;
export type QueueStatus = (typeof queueStatuses)[number];

/** Only unfinished items take part in lane ordering, so the lane indexes stay small. */
const unfinished = sql`status in ('pending', 'running')`;

/**
 * The two durable queues. Items are claimed with a lease (owner, expiry) by any instance; items of one lane run one
 * at a time, in order (server/db/queue.ts).
 */
export function queueTables(k: Kit, { corps }: CoreTables) {
  /** Every accepted callback, keyed for exactly-once handling of WeCom's retries. */
  const events = k.table(
    'events',
    {
      id: k.id('id'),
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      idempotencyKey: k.text('idempotency_key').notNull(),
      eventType: k.text('event_type').notNull(),
      rawXml: k.text('raw_xml').notNull(),
      /** The typed event (server/wecom/events.ts). */
      payload: k.json<WecomEvent>('payload').notNull(),
      /** Items of one lane (a customer, a corp's tag library) are handled one at a time, in `occurred_at` order. */
      lane: k.text('lane'),
      /** WeCom's CreateTime in ms, adds before deletions within one second (events/lane.ts): the order of a lane. */
      occurredAt: k.ms('occurred_at').notNull().default(0),
      status: k.text('status', { enum: queueStatuses }).notNull().default('pending'),
      attempts: k.int('attempts').notNull().default(0),
      nextAttemptAt: k.ms('next_attempt_at').notNull(),
      leaseOwner: k.text('lease_owner'),
      leaseUntil: k.ms('lease_until'),
      lastError: k.text('last_error'),
      receivedAt: k.ms('received_at').notNull(),
      processedAt: k.ms('processed_at'),
      updatedAt: k.ms('updated_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.uniqueIndex('events_corp_key').on(t.corpId, t.idempotencyKey),
      k.index('events_due').on(t.status, t.nextAttemptAt),
      // The claim's first tier: events still inside the welcome window, newest first (modules/events/repo.ts).
      k.index('events_fresh').on(t.status, t.receivedAt),
      k.index('events_lane').on(t.lane, t.occurredAt, t.id).where(unfinished),
    ],
  );

  /** Durable outgoing work (calls to WeCom …). `dedupeKey` makes enqueueing the same work twice a no-op. */
  const jobs = k.table(
    'jobs',
    {
      id: k.id('id'),
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      kind: k.text('kind').notNull(),
      dedupeKey: k.text('dedupe_key').notNull(),
      payload: k.json<unknown>('payload').notNull(),
      /** Jobs of one lane (e.g. one channel code's rotation) run one at a time, in enqueue order. */
      lane: k.text('lane'),
      status: k.text('status', { enum: queueStatuses }).notNull().default('pending'),
      attempts: k.int('attempts').notNull().default(0),
      maxAttempts: k.int('max_attempts').notNull().default(8),
      runAt: k.ms('run_at').notNull(),
      /** Past this moment the job is pointless (e.g. the 20 s welcome window) and is failed instead of run. */
      deadlineAt: k.ms('deadline_at'),
      leaseOwner: k.text('lease_owner'),
      leaseUntil: k.ms('lease_until'),
      lastError: k.text('last_error'),
      result: k.text('result'),
      doneAt: k.ms('done_at'),
      ...timestampColumns(k),
    },
    (t) => [
      k.uniqueIndex('jobs_corp_kind_key').on(t.corpId, t.kind, t.dedupeKey),
      k.index('jobs_due').on(t.status, t.runAt),
      // The claim's first tier: jobs whose deadline can still be met, latest first (modules/jobs/repo.ts).
      k.index('jobs_deadline').on(t.status, t.deadlineAt),
      k.index('jobs_lane').on(t.lane, t.id).where(unfinished),
    ],
  );

  return { events, jobs };
}
