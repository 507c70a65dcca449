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
 * Items are claimed with a lease (owner, expiry) by atomic statements: `UPDATE … WHERE id IN (SELECT … ORDER BY …
 * LIMIT n) RETURNING id`, one per tier on SQLite (whose one writer claims alone); on PostgreSQL one statement for all
 * tiers, each a CTE `… FOR UPDATE SKIP LOCKED`, so instances claiming at once take different rows. An item whose
 * lease expired (its instance died) is due again for anyone, looked for at most once a second per instance (on
 * PostgreSQL the `running` index range holds every item that ran since the last vacuum, and reading it at every
 * claim cost 2 ms); nothing is requeued at boot. Lanes keep order across instances:
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
  /** A claim's values; `bound<i>` is the i-th tier's bound (the tiers of one statement, in order). */
  type ClaimValues = {
    owner: string;
    now: number;
    leaseUntil: number;
    limit: number;
    bound0: number;
    bound1: number;
    bound2: number;
  };
  type Bound = 'bound0' | 'bound1' | 'bound2';
  const BOUNDS: Bound[] = ['bound0', 'bound1', 'bound2'];
  const eligible = (tier: ClaimTier, v: (n: keyof ClaimValues) => unknown, bound: Bound = 'bound0') =>
    sql`${tier.where(v('now'), v(bound))} AND (q.${name(c.lane)} IS NULL OR NOT ${laneBlocked(v('now'))})`;
  const lease = (v: (n: keyof ClaimValues) => unknown) =>
    sql`UPDATE ${table} SET ${name(c.status)} = 'running', ${name(c.leaseOwner)} = ${v('owner')},
      ${name(c.leaseUntil)} = ${v('leaseUntil')}, ${name(c.attempts)} = ${name(c.attempts)} + 1,
      ${name(c.updatedAt)} = ${v('now')}`;
  // SQLite: each tier's claim, and a read that finds whether it has anything: a write statement that changes no row
  // still takes the write lock and commits (~130 µs under load against ~20 µs for the read), and most claims, woken
  // by each commit, find one tier or both empty.
  const sqliteTiers = new Map(
    (db.backend === 'sqlite' ? [expired, ...pending] : []).map((tier) => [
      tier,
      {
        probe: db.compiled<ClaimValues>(
          (v) => sql`SELECT 1 AS found FROM ${table} q WHERE ${eligible(tier, v)} LIMIT 1`,
        ),
        claim: db.compiled<ClaimValues>(
          (v) => sql`${lease(v)} WHERE ${name(c.id)} IN (
            SELECT q.${name(c.id)} FROM ${table} q WHERE ${eligible(tier, v)} ORDER BY ${tier.order} LIMIT ${v('limit')})
          RETURNING ${name(c.id)} AS id`,
        ),
      },
    ]),
  );
  // PostgreSQL: every tier in one statement, one round trip, whether a tier has anything or not. Each tier is a CTE
  // that locks (SKIP LOCKED) up to what the tiers before it left of the limit. Two tiers claimed one by one cost
  // ~10 statements per add, most of them finding nothing (npm run bench -- welcome, pg_stat_statements).
  const combined = (tiers: ClaimTier[]) => {
    if (tiers.length > BOUNDS.length) throw new Error(`a queue has at most ${BOUNDS.length - 1} tiers`);
    return db.compiled<ClaimValues>((v) => {
      const cte = (i: number) => sql.identifier(`tier${i}`);
      const ctes = tiers.map((tier, i) => {
        const before = tiers.slice(0, i).map((_, j) => sql` - (SELECT count(*) FROM ${cte(j)})`);
        const limit = i === 0 ? v('limit') : sql`greatest(0, ${v('limit')}${sql.join(before)})`;
        return sql`${cte(i)} AS (SELECT q.${name(c.id)} AS id FROM ${table} q WHERE ${eligible(tier, v, BOUNDS[i])}
          ORDER BY ${tier.order} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
      });
      const picked = sql.join(
        tiers.map((_, i) => sql`SELECT id FROM ${cte(i)}`),
        sql` UNION ALL `,
      );
      return sql`WITH ${sql.join(ctes, sql`, `)} ${lease(v)} WHERE ${name(c.id)} IN (${picked})
        RETURNING ${name(c.id)} AS id`;
    });
  };
  const postgresClaims =
    db.backend === 'postgres' ? { pending: combined(pending), withExpired: combined([expired, ...pending]) } : null;
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

  const boundsOf = (tiers: ClaimTier[], now: number) => {
    const bounds = { bound0: now, bound1: now, bound2: now };
    tiers.forEach((tier, i) => (bounds[BOUNDS[i]!] = tier.bound?.(now) ?? now));
    return bounds;
  };

  async function claimSqlite(tiers: ClaimTier[], values: Omit<ClaimValues, Bound>): Promise<number[]> {
    const taken: number[] = [];
    for (const tier of tiers) {
      const left = values.limit - taken.length;
      if (left <= 0) break;
      const { probe, claim } = sqliteTiers.get(tier)!;
      const tierValues = { ...values, ...boundsOf([tier], values.now), limit: left };
      if ((await probe.rows(db, tierValues)).length === 0) continue;
      for (const r of await claim.rows<{ id: number }>(db, tierValues)) taken.push(Number(r.id));
    }
    return taken;
  }

  return {
    /** Leases up to `limit` due items to `owner` until `now + leaseMs`; returns their ids (attempts counted). */
    async claim(owner: string, now: number, limit: number, leaseMs: number): Promise<number[]> {
      const lookForExpired = Math.abs(now - expiredLookedAt) >= EXPIRED_LOOK_MS;
      if (lookForExpired) expiredLookedAt = now;
      const tiers = lookForExpired ? [expired, ...pending] : pending;
      const values = { owner, now, leaseUntil: now + leaseMs, limit };
      if (db.backend === 'sqlite') return (await claimSqlite(tiers, values)).sort((a, b) => a - b);
      const statement = lookForExpired ? postgresClaims!.withExpired : postgresClaims!.pending;
      const rows = await statement.rows<{ id: number }>(db, { ...values, ...boundsOf(tiers, now) });
      return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
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
