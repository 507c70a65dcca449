import { getTableName, sql, type Column, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Compiled, Database, Executor } from './database.js';
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
  /** Its condition, given the claim's time and the tier's bound as values of the (compiled) statement. */
  where: (now: unknown, bound: unknown) => SQL;
  /** The bound at `now` (e.g. the oldest receipt still inside the welcome window). Default: `now`. */
  bound?: (now: number) => number;
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
  const laneBlocked = (now: unknown) => {
    const before = c.laneOrder.reduceRight<SQL>(
      (rest, col) => sql`(o.${name(col)} < q.${name(col)} OR (o.${name(col)} = q.${name(col)} AND ${rest}))`,
      sql`o.${name(c.id)} < q.${name(c.id)}`,
    );
    return sql`EXISTS (SELECT 1 FROM ${table} o WHERE o.${name(c.lane)} = q.${name(c.lane)}
      AND o.${name(c.status)} IN ('pending', 'running') AND o.${name(c.id)} <> q.${name(c.id)}
      AND (${before} OR (o.${name(c.status)} = 'running' AND o.${name(c.leaseUntil)} >= ${now})))`;
  };
  const lock = db.backend === 'postgres' ? sql` FOR UPDATE SKIP LOCKED` : sql``;
  const due = (now: unknown) => sql`q.${name(c.status)} = 'pending' AND q.${name(c.runAt)} <= ${now}`;
  const expired: ClaimTier = {
    where: (now) => sql`q.${name(c.status)} = 'running' AND q.${name(c.leaseUntil)} < ${now}`,
    order: sql`q.${name(c.id)}`,
  };
  const pending: ClaimTier[] = (spec.tiers?.(c) ?? [{ where: () => sql`1 = 1`, order: sql`q.${name(c.id)}` }]).map(
    (t) => ({ ...t, where: (now, bound) => sql`${due(now)} AND ${t.where(now, bound)}` }),
  );
  type ClaimValues = { owner: string; now: number; bound: number; leaseUntil: number; limit: number };
  const eligible = (tier: ClaimTier, v: (n: keyof ClaimValues) => unknown) =>
    sql`${tier.where(v('now'), v('bound'))} AND (q.${name(c.lane)} IS NULL OR NOT ${laneBlocked(v('now'))})`;
  // Each tier's claim, and on SQLite a read that finds whether it has anything: a write statement that changes no row
  // still takes the write lock and commits (~130 µs under load against ~20 µs for the read), and most claims, woken
  // by each commit, find one tier or both empty.
  const statements = new Map(
    [expired, ...pending].map((tier) => [
      tier,
      {
        probe:
          db.backend === 'sqlite'
            ? db.compiled<ClaimValues>((v) => sql`SELECT 1 AS found FROM ${table} q WHERE ${eligible(tier, v)} LIMIT 1`)
            : null,
        claim: db.compiled<ClaimValues>(
          (v) => sql`UPDATE ${table} SET ${name(c.status)} = 'running', ${name(c.leaseOwner)} = ${v('owner')},
            ${name(c.leaseUntil)} = ${v('leaseUntil')}, ${name(c.attempts)} = ${name(c.attempts)} + 1,
            ${name(c.updatedAt)} = ${v('now')}
          WHERE ${name(c.id)} IN (
            SELECT q.${name(c.id)} FROM ${table} q WHERE ${eligible(tier, v)}
            ORDER BY ${tier.order}
            LIMIT ${v('limit')}${lock})
          RETURNING ${name(c.id)} AS id`,
        ),
      },
    ]),
  );
  type SettleValues = { id: number; owner: string; now: number; status: string; runAt: number; detail: unknown };
  const settleAs = (set: Array<[Column, 'status' | 'runAt' | 'detail' | 'now']>) =>
    db.compiled<SettleValues>(
      (v) =>
        sql`UPDATE ${table} SET ${sql.join(
          [...set, [c.leaseOwner, null], [c.leaseUntil, null], [c.updatedAt, 'now']].map(
            ([col, value]) =>
              sql`${name(col as Column)} = ${value === null ? sql`NULL` : v(value as keyof SettleValues)}`,
          ),
          sql`, `,
        )} WHERE ${name(c.id)} = ${v('id')} AND ${name(c.leaseOwner)} = ${v('owner')}`,
    );
  const settleRetry = settleAs([
    [c.status, 'status'],
    [c.runAt, 'runAt'],
    [c.lastError, 'detail'],
  ]);
  const settleError = settleAs([
    [c.status, 'status'],
    [c.finishedAt, 'now'],
    [c.lastError, 'detail'],
  ]);
  const settleResult = c.result
    ? settleAs([
        [c.status, 'status'],
        [c.finishedAt, 'now'],
        [c.result, 'detail'],
      ])
    : settleError;
  let expiredLookedAt = -Infinity;

  async function claimTier(tier: ClaimTier, values: ClaimValues): Promise<Array<{ id: number }>> {
    const { probe, claim } = statements.get(tier)!;
    if (probe && (await probe.rows(db, values)).length === 0) return [];
    return claim.rows<{ id: number }>(db, values);
  }

  return {
    /** Leases up to `limit` due items to `owner` until `now + leaseMs`; returns their ids (attempts counted). */
    async claim(owner: string, now: number, limit: number, leaseMs: number): Promise<number[]> {
      const taken: number[] = [];
      const lookForExpired = Math.abs(now - expiredLookedAt) >= EXPIRED_LOOK_MS;
      if (lookForExpired) expiredLookedAt = now;
      for (const tier of lookForExpired ? [expired, ...pending] : pending) {
        const left = limit - taken.length;
        if (left <= 0) break;
        const bound = tier.bound?.(now) ?? now;
        const rows = await claimTier(tier, { owner, now, bound, leaseUntil: now + leaseMs, limit: left });
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
      const [statement, values]: [Compiled<SettleValues>, Pick<SettleValues, 'status' | 'runAt' | 'detail'>] =
        outcome.status === 'retry'
          ? [settleRetry, { status: 'pending', runAt: outcome.at, detail: outcome.error }]
          : [
              outcome.status === 'failed' ? settleError : settleResult,
              { status: outcome.status, runAt: 0, detail: outcome.detail ?? null },
            ];
      return (await statement.exec(ex, { ...values, id, owner, now })) === 1;
    },
  };
}
export type QueueStore = ReturnType<typeof createQueueStore>;
