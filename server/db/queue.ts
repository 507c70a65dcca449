import { getTableName, sql, type Column, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Database, Executor } from './database.js';
import type { QueueStatus } from './schema/queue.js';

/** The columns every durable queue table has, whatever each calls them. */
export interface QueueColumns {
  id: SQLiteColumn;
  status: SQLiteColumn;
  attempts: SQLiteColumn;
  /** When a pending item may run (first time or retry). */
  runAt: SQLiteColumn;
  lane: SQLiteColumn;
  leaseOwner: SQLiteColumn;
  leaseUntil: SQLiteColumn;
  lastError: SQLiteColumn;
  finishedAt: SQLiteColumn;
  /** Where a done item's detail goes; without it, the detail goes to `lastError` (e.g. why it was ignored). */
  result?: SQLiteColumn;
  updatedAt: SQLiteColumn;
  /** Order of items within a lane (e.g. WeCom's CreateTime, then id). */
  laneOrder: SQLiteColumn[];
}

/**
 * One tier of due items: its condition on `q` (beside "pending and due") and its order. The order should be an
 * index's, so that a claim reads only the rows it takes: a computed order (a CASE over the deadline) made every
 * claim read and sort the whole backlog, which under overload grew with it (PostgreSQL: 11.7 ms a claim at 3,000
 * due events, npm run bench -- welcome).
 */
export interface ClaimTier {
  where: (now: number) => SQL;
  order: SQL;
}

export interface QueueSpec {
  table: SQLiteTable;
  columns: QueueColumns;
  /**
   * Which due items go first at `now`: tier by tier (e.g. those whose deadline can still be met, then the rest).
   * Items whose lease expired (their instance died) are taken before any tier. Default: one tier, by id.
   */
  tiers?: (c: QueueColumns) => ClaimTier[];
}

/** How an item ended: `done`/`ignored`/`failed` settle it, `retry` puts it back until `at`. */
export type Settlement =
  | { status: Extract<QueueStatus, 'done' | 'ignored' | 'failed'>; detail?: string }
  | { status: 'retry'; at: number; error: string };

const name = (c: Column) => sql.identifier(c.name);
/** How often an instance looks for items whose lease expired. */
const EXPIRED_LOOK_MS = 1_000;

/**
 * Claims and settles the items of a durable queue table, shared by any number of instances on one database.
 *
 * Items are claimed with a lease (owner, expiry) by atomic statements, one per tier: `UPDATE … WHERE id IN
 * (SELECT … ORDER BY … LIMIT n) RETURNING id`, with `FOR UPDATE SKIP LOCKED` on PostgreSQL so instances claiming at
 * once take different rows. An item whose lease expired (its instance died) is due again for anyone, looked for at
 * most once a second per instance (on PostgreSQL the `running` index range holds every item that ran since the last
 * vacuum, and reading it at every claim cost 2 ms); nothing is requeued at boot. Lanes keep order across instances:
 * only the first unfinished item of a lane can be claimed, and none while another item of the lane is leased.
 * Settling checks the lease is still ours, so a late finisher cannot overwrite a takeover.
 */
export function createQueueStore(db: Database, spec: QueueSpec) {
  const c = spec.columns;
  const table = sql.identifier(getTableName(spec.table));
  const laneBlocked = (now: number) => {
    const before = c.laneOrder.reduceRight<SQL>(
      (rest, col) => sql`(o.${name(col)} < q.${name(col)} OR (o.${name(col)} = q.${name(col)} AND ${rest}))`,
      sql`o.${name(c.id)} < q.${name(c.id)}`,
    );
    return sql`EXISTS (SELECT 1 FROM ${table} o WHERE o.${name(c.lane)} = q.${name(c.lane)}
      AND o.${name(c.status)} IN ('pending', 'running') AND o.${name(c.id)} <> q.${name(c.id)}
      AND (${before} OR (o.${name(c.status)} = 'running' AND o.${name(c.leaseUntil)} >= ${now})))`;
  };
  const lock = db.backend === 'postgres' ? sql` FOR UPDATE SKIP LOCKED` : sql``;
  const due = (now: number) => sql`q.${name(c.status)} = 'pending' AND q.${name(c.runAt)} <= ${now}`;
  const expired: ClaimTier = {
    where: (now) => sql`q.${name(c.status)} = 'running' AND q.${name(c.leaseUntil)} < ${now}`,
    order: sql`q.${name(c.id)}`,
  };
  const pending: ClaimTier[] = (spec.tiers?.(c) ?? [{ where: () => sql`1 = 1`, order: sql`q.${name(c.id)}` }]).map(
    (t) => ({ where: (now: number) => sql`${due(now)} AND ${t.where(now)}`, order: t.order }),
  );
  let expiredLookedAt = -Infinity;

  return {
    /** Leases up to `limit` due items to `owner` until `now + leaseMs`; returns their ids (attempts counted). */
    async claim(owner: string, now: number, limit: number, leaseMs: number): Promise<number[]> {
      const taken: number[] = [];
      const lookForExpired = Math.abs(now - expiredLookedAt) >= EXPIRED_LOOK_MS;
      if (lookForExpired) expiredLookedAt = now;
      for (const tier of lookForExpired ? [expired, ...pending] : pending) {
        const left = limit - taken.length;
        if (left <= 0) break;
        const rows = await db.rows<{ id: number }>(
          db,
          sql`UPDATE ${table} SET ${name(c.status)} = 'running', ${name(c.leaseOwner)} = ${owner},
            ${name(c.leaseUntil)} = ${now + leaseMs}, ${name(c.attempts)} = ${name(c.attempts)} + 1,
            ${name(c.updatedAt)} = ${now}
          WHERE ${name(c.id)} IN (
            SELECT q.${name(c.id)} FROM ${table} q
            WHERE ${tier.where(now)} AND (q.${name(c.lane)} IS NULL OR NOT ${laneBlocked(now)})
            ORDER BY ${tier.order}
            LIMIT ${left}${lock})
          RETURNING ${name(c.id)} AS id`,
        );
        for (const r of rows) taken.push(Number(r.id));
      }
      return taken.sort((a, b) => a - b);
    },

    /**
     * Extends the leases of items `owner` still holds. A row locked right now is being settled (by us) or taken over
     * (from us): it is skipped rather than waited for, since waiting on a settle transaction that holds several
     * rows, in another order, deadlocked (PostgreSQL, 1 s each, npm run bench -- welcome).
     */
    async renew(owner: string, ids: number[], until: number): Promise<void> {
      if (ids.length === 0) return;
      await db.exec(
        db,
        sql`UPDATE ${table} SET ${name(c.leaseUntil)} = ${until}
          WHERE ${name(c.id)} IN (SELECT ${name(c.id)} FROM ${table} WHERE ${name(c.id)} IN (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )})
            AND ${name(c.leaseOwner)} = ${owner} AND ${name(c.status)} = 'running'${lock})`,
      );
    },

    /** Records an item's outcome; false when the lease was lost to another instance (the outcome is dropped). */
    async settle(ex: Executor, id: number, owner: string, now: number, outcome: Settlement): Promise<boolean> {
      const set: Array<[Column, unknown]> =
        outcome.status === 'retry'
          ? [
              [c.status, 'pending'],
              [c.runAt, outcome.at],
              [c.lastError, outcome.error],
            ]
          : outcome.status === 'failed' || !c.result
            ? [
                [c.status, outcome.status],
                [c.finishedAt, now],
                [c.lastError, outcome.detail ?? null],
              ]
            : [
                [c.status, outcome.status],
                [c.finishedAt, now],
                [c.result, outcome.detail ?? null],
              ];
      set.push([c.leaseOwner, null], [c.leaseUntil, null], [c.updatedAt, now]);
      const changed = await db.exec(
        ex,
        sql`UPDATE ${table} SET ${sql.join(
          set.map(([col, value]) => sql`${name(col)} = ${value}`),
          sql`, `,
        )} WHERE ${name(c.id)} = ${id} AND ${name(c.leaseOwner)} = ${owner}`,
      );
      return changed === 1;
    },
  };
}
export type QueueStore = ReturnType<typeof createQueueStore>;
