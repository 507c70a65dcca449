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

export interface QueueSpec {
  table: SQLiteTable;
  columns: QueueColumns;
  /** Which due items go first at `now` (e.g. those whose deadline can still be met); ties and the rest by id. */
  priority?: (c: QueueColumns, now: number) => SQL;
}

/** How an item ended: `done`/`ignored`/`failed` settle it, `retry` puts it back until `at`. */
export type Settlement =
  | { status: Extract<QueueStatus, 'done' | 'ignored' | 'failed'>; detail?: string }
  | { status: 'retry'; at: number; error: string };

const name = (c: Column) => sql.identifier(c.name);

/**
 * Claims and settles the items of a durable queue table, shared by any number of instances on one database.
 *
 * An item is claimed with a lease (owner, expiry) in one atomic statement: `UPDATE … WHERE id IN (SELECT … LIMIT n)
 * RETURNING id`, with `FOR UPDATE SKIP LOCKED` on PostgreSQL so instances claiming at once take different rows. An
 * item whose lease expired (its instance died) is due again for anyone; nothing is requeued at boot. Lanes keep
 * order across instances: only the first unfinished item of a lane can be claimed, and none while another item of
 * the lane is leased. Settling checks the lease is still ours, so a late finisher cannot overwrite a takeover.
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

  return {
    /** Leases up to `limit` due items to `owner` until `now + leaseMs`; returns their ids (attempts counted). */
    async claim(owner: string, now: number, limit: number, leaseMs: number): Promise<number[]> {
      if (limit <= 0) return [];
      const rows = await db.rows<{ id: number }>(
        db,
        sql`UPDATE ${table} SET ${name(c.status)} = 'running', ${name(c.leaseOwner)} = ${owner},
          ${name(c.leaseUntil)} = ${now + leaseMs}, ${name(c.attempts)} = ${name(c.attempts)} + 1,
          ${name(c.updatedAt)} = ${now}
        WHERE ${name(c.id)} IN (
          SELECT q.${name(c.id)} FROM ${table} q
          WHERE ((q.${name(c.status)} = 'pending' AND q.${name(c.runAt)} <= ${now})
              OR (q.${name(c.status)} = 'running' AND q.${name(c.leaseUntil)} < ${now}))
            AND (q.${name(c.lane)} IS NULL OR NOT ${laneBlocked(now)})
          ORDER BY ${spec.priority ? sql`${spec.priority(c, now)}, ` : sql``}q.${name(c.id)}
          LIMIT ${limit}${lock})
        RETURNING ${name(c.id)} AS id`,
      );
      return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    },

    /** Extends the leases of items `owner` still holds. */
    async renew(owner: string, ids: number[], until: number): Promise<void> {
      if (ids.length === 0) return;
      await db.exec(
        db,
        sql`UPDATE ${table} SET ${name(c.leaseUntil)} = ${until}
          WHERE ${name(c.id)} IN (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )})
            AND ${name(c.leaseOwner)} = ${owner} AND ${name(c.status)} = 'running'`,
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
