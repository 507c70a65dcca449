import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/database.js';

/**
 * Inbox events and jobs still open (pending or running). With `dueBy`, jobs scheduled for later (reminders, next
 * day's follow-ups) do not count: they stay pending by design — except jobs of the kinds in `anyTime`, which count
 * whenever they are due.
 */
export async function openQueueItems(db: Database, dueBy?: number, anyTime: string[] = []): Promise<number> {
  const kinds = anyTime.length
    ? sql`OR kind IN (${sql.join(
        anyTime.map((k) => sql`${k}`),
        sql`, `,
      )})`
    : sql``;
  const jobs =
    dueBy === undefined
      ? sql`SELECT count(*) FROM jobs WHERE status IN ('pending', 'running')`
      : sql`SELECT count(*) FROM jobs WHERE status = 'running' OR (status = 'pending' AND (run_at <= ${dueBy} ${kinds}))`;
  const [row] = await db.rows<{ n: number }>(
    db,
    sql`SELECT (${jobs}) + (SELECT count(*) FROM events WHERE status IN ('pending', 'running')) AS n`,
  );
  return Number(row!.n);
}

/**
 * Waits until no inbox event and no job is open (`dueOnly`: no job due by now, but any job of the `anyTime` kinds),
 * read through `db` — the app's own handle or one opened beside a server running in another process.
 */
export async function queuesSettled(
  db: Database,
  timeoutMs: number,
  opts: { dueOnly?: boolean; anyTime?: string[] } = {},
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const open = await openQueueItems(db, opts.dueOnly ? Date.now() : undefined, opts.anyTime);
    if (open === 0) return;
    if (Date.now() > end) throw new Error(`${open} inbox events and jobs still open after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
