import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { jobs, type JobStatus } from '../../db/schema.js';

export type JobRow = typeof jobs.$inferSelect;

export interface NewJob {
  corpId: string;
  kind: string;
  /** Same (corp, kind, dedupeKey) twice is one job: enqueueing is idempotent. */
  dedupeKey: string;
  payload: unknown;
  runAt: number;
  deadlineAt?: number | null;
  maxAttempts?: number;
}

export function createJobRepo(db: Db) {
  const deleteDone = db.$client.prepare(
    `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = 'done' AND run_at < ? LIMIT ?)`,
  );

  return {
    /** Deletes up to `limit` done jobs last run before `before` (failed ones stay); returns how many. */
    deleteDoneBefore(before: number, limit: number): number {
      return deleteDone.run(before, limit).changes;
    },

    /** Returns the new job's id, or null when that job already exists. */
    enqueue(job: NewJob): number | null {
      const row = db
        .insert(jobs)
        .values({
          corpId: job.corpId,
          kind: job.kind,
          dedupeKey: job.dedupeKey,
          payload: JSON.stringify(job.payload),
          runAt: job.runAt,
          deadlineAt: job.deadlineAt ?? null,
          maxAttempts: job.maxAttempts ?? 8,
        })
        .onConflictDoNothing()
        .returning({ id: jobs.id })
        .get();
      return row?.id ?? null;
    },
    due(now: number, limit: number): JobRow[] {
      return db
        .select()
        .from(jobs)
        .where(and(eq(jobs.status, 'pending'), lte(jobs.runAt, now)))
        .orderBy(asc(jobs.runAt), asc(jobs.id))
        .limit(limit)
        .all();
    },
    claim(ids: number[], now: number): void {
      if (ids.length === 0) return;
      db.update(jobs)
        .set({ status: 'running', attempts: sql`${jobs.attempts} + 1`, updatedAt: now })
        .where(inArray(jobs.id, ids))
        .run();
    },
    finish(id: number, status: Extract<JobStatus, 'done' | 'failed'>, now: number, detail?: string): void {
      db.update(jobs)
        .set(
          status === 'done'
            ? { status, doneAt: now, updatedAt: now, result: detail ?? null }
            : { status, doneAt: now, updatedAt: now, lastError: detail ?? null },
        )
        .where(eq(jobs.id, id))
        .run();
    },
    retryAt(id: number, at: number, now: number, error: string): void {
      db.update(jobs)
        .set({ status: 'pending', runAt: at, updatedAt: now, lastError: error })
        .where(eq(jobs.id, id))
        .run();
    },
    requeueInterrupted(now: number): number {
      return db.update(jobs).set({ status: 'pending', updatedAt: now }).where(eq(jobs.status, 'running')).run().changes;
    },
    find(corpId: string, kind: string, dedupeKey: string): JobRow | undefined {
      return db
        .select()
        .from(jobs)
        .where(and(eq(jobs.corpId, corpId), eq(jobs.kind, kind), eq(jobs.dedupeKey, dedupeKey)))
        .get();
    },
  };
}
export type JobRepo = ReturnType<typeof createJobRepo>;
