import { and, desc, eq } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type AlertRow = Database['t']['alerts']['$inferSelect'];

export interface NewAlert {
  corpId: string;
  kind: string;
  userId: string | null;
  externalUserId: string | null;
  detail: Record<string, unknown>;
  /** Recording the same source twice is a no-op. */
  sourceKey: string;
  createdAt: number;
}

/** Alert records; delivery (group robot) comes later and sets `delivered_at`. */
export function createAlertRepo(db: Database) {
  const { alerts } = db.t;
  return {
    /** Returns the new alert's id, or null if an alert with the same sourceKey exists. */
    async add(ex: Executor, a: NewAlert): Promise<number | null> {
      const [row] = await ex.insert(alerts).values(a).onConflictDoNothing().returning({ id: alerts.id });
      return row?.id ?? null;
    },
    async recent(ex: Executor, corpId: string, limit: number): Promise<AlertRow[]> {
      return ex
        .select()
        .from(alerts)
        .where(eq(alerts.corpId, corpId))
        .orderBy(desc(alerts.createdAt), desc(alerts.id))
        .limit(limit);
    },
    async bySource(ex: Executor, corpId: string, sourceKey: string): Promise<AlertRow | undefined> {
      const [row] = await ex
        .select()
        .from(alerts)
        .where(and(eq(alerts.corpId, corpId), eq(alerts.sourceKey, sourceKey)))
        .limit(1);
      return row;
    },
  };
}
export type AlertRepo = ReturnType<typeof createAlertRepo>;
