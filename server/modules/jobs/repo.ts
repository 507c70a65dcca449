import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { createQueueStore } from '../../db/queue.js';

export interface NewJob {
  corpId: string;
  kind: string;
  /** Same (corp, kind, dedupeKey) twice is one job: enqueueing is idempotent. */
  dedupeKey: string;
  payload: unknown;
  runAt: number;
  lane?: string | null;
  deadlineAt?: number | null;
  maxAttempts?: number;
}

/** The jobs table: durable outgoing work, claimed with leases by any instance (server/db/queue.ts). */
export function createJobRepo(db: Database) {
  const { jobs } = db.t;
  const queue = createQueueStore(db, {
    table: jobs,
    columns: {
      id: jobs.id,
      status: jobs.status,
      attempts: jobs.attempts,
      runAt: jobs.runAt,
      lane: jobs.lane,
      leaseOwner: jobs.leaseOwner,
      leaseUntil: jobs.leaseUntil,
      lastError: jobs.lastError,
      finishedAt: jobs.doneAt,
      updatedAt: jobs.updatedAt,
      result: jobs.result,
      laneOrder: [],
    },
    // Work with a deadline that can still be met first (welcome messages have 20 s), latest deadline first: earliest
    // first collapses under overload (the oldest jobs are the ones about to expire, so a backlog older than the window
    // sends nothing in time), while latest first sends as many as the machine can (npm run bench -- overload). Jobs
    // past their deadline and work without one wait, in order; the former are failed unrun when claimed. Each tier
    // reads an index in its order (jobs_deadline, jobs_due).
    tiers: (c) => [
      { where: (now) => sql`q.deadline_at >= ${now}`, order: sql`q.status DESC, q.deadline_at DESC, q.id DESC` },
      {
        where: (now) => sql`(q.deadline_at IS NULL OR q.deadline_at < ${now})`,
        order: sql`q.status, q.${sql.identifier(c.runAt.name)}, q.id`,
      },
    ],
  });

  const p = (name: string) => sql.placeholder(name);
  const insertJob = db.prepared<Record<string, unknown>, { id: number }[]>('jobs_enqueue', (ex) =>
    ex
      .insert(jobs)
      .values({
        corpId: p('corpId'),
        kind: p('kind'),
        dedupeKey: p('dedupeKey'),
        payload: p('payload'),
        lane: p('lane'),
        runAt: p('runAt'),
        deadlineAt: p('deadlineAt'),
        maxAttempts: p('maxAttempts'),
      })
      .onConflictDoNothing()
      .returning({ id: jobs.id }),
  );

  return {
    queue,

    /** Returns the new job's id, or null when that job already exists. */
    async enqueue(ex: Executor, job: NewJob): Promise<number | null> {
      const [row] = await insertJob(ex, {
        corpId: job.corpId,
        kind: job.kind,
        dedupeKey: job.dedupeKey,
        payload: job.payload,
        lane: job.lane ?? null,
        runAt: job.runAt,
        deadlineAt: job.deadlineAt ?? null,
        maxAttempts: job.maxAttempts ?? 8,
      });
      return row?.id ?? null;
    },

    async byIds(ex: Executor, ids: number[]) {
      if (ids.length === 0) return [];
      return ex.select().from(jobs).where(inArray(jobs.id, ids)).orderBy(jobs.id);
    },

    async find(ex: Executor, corpId: string, kind: string, dedupeKey: string) {
      const [row] = await ex
        .select()
        .from(jobs)
        .where(and(eq(jobs.corpId, corpId), eq(jobs.kind, kind), eq(jobs.dedupeKey, dedupeKey)))
        .limit(1);
      return row;
    },

    /** Deletes up to `limit` done jobs last run before `before` (failed ones stay); returns how many. */
    async deleteDoneBefore(ex: Executor, before: number, limit: number): Promise<number> {
      const batch = ex
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.status, 'done'), lt(jobs.runAt, before)))
        .limit(limit);
      const deleted = await ex.delete(jobs).where(inArray(jobs.id, batch)).returning({ id: jobs.id });
      return deleted.length;
    },
  };
}
export type JobRepo = ReturnType<typeof createJobRepo>;
export type JobRow = Database['t']['jobs']['$inferSelect'];
