import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Database, Executor } from '../../db/database.js';
import type { EventRepo } from '../events/repo.js';
import type { JobRepo } from '../jobs/repo.js';

const DAY_MS = 86_400_000;

/**
 * Keeps the database from growing without end: handled inbox events (done or ignored) and done jobs older than the
 * retention period are deleted. Failed and unfinished work always stays. WeCom retries a callback within minutes,
 * so the inbox still recognises every retry; and the steps an event caused (timeline items, tags, welcome) are keyed
 * by the relation, not by the inbox row, so even a very late replay of a pruned event changes nothing.
 *
 * Rows go in small batches, each its own statement, with a turn of the event loop between them, so a large backlog
 * never holds the write lock (or the event loop) for long. Repeating a run deletes nothing more: it is safe to run
 * again, from any instance.
 */
export function createRetentionService(deps: {
  db: Database;
  events: Pick<EventRepo, 'deleteHandledBefore'>;
  jobs: Pick<JobRepo, 'deleteDoneBefore'>;
  retentionDays: number;
  now?: () => number;
  batchSize?: number;
}) {
  const now = deps.now ?? Date.now;
  const batchSize = deps.batchSize ?? 2000;

  async function drain(
    deleteBatch: (ex: Executor, before: number, limit: number) => Promise<number>,
    before: number,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch(deps.db, before, batchSize);
      total += deleted;
      if (deleted < batchSize) return total;
      await nextTurn();
    }
  }

  return {
    async prune(): Promise<{ before: string; events: number; jobs: number }> {
      const before = now() - deps.retentionDays * DAY_MS;
      return {
        before: new Date(before).toISOString(),
        events: await drain(deps.events.deleteHandledBefore, before),
        jobs: await drain(deps.jobs.deleteDoneBefore, before),
      };
    },
  };
}
export type RetentionService = ReturnType<typeof createRetentionService>;
