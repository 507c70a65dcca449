import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { alerts } from '../../db/schema.js';

export type AlertRow = typeof alerts.$inferSelect;

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
export function createAlertRepo(db: Db) {
  return {
    add(a: NewAlert): number | null {
      const row = db
        .insert(alerts)
        .values({ ...a, detail: JSON.stringify(a.detail) })
        .onConflictDoNothing()
        .returning({ id: alerts.id })
        .get();
      return row?.id ?? null;
    },
    recent(corpId: string, limit: number): AlertRow[] {
      return db
        .select()
        .from(alerts)
        .where(eq(alerts.corpId, corpId))
        .orderBy(desc(alerts.createdAt), desc(alerts.id))
        .limit(limit)
        .all();
    },
    bySource(corpId: string, sourceKey: string): AlertRow | undefined {
      return db
        .select()
        .from(alerts)
        .where(and(eq(alerts.corpId, corpId), eq(alerts.sourceKey, sourceKey)))
        .get();
    },
  };
}
export type AlertRepo = ReturnType<typeof createAlertRepo>;
