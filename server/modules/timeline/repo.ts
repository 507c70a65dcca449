import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type TimelineRow = Database['t']['timelineItems']['$inferSelect'];

/** What happened to a customer. Kinds are open-ended strings; these are the ones the product writes. */
export type TimelineKind =
  | 'added'
  | 'tagged'
  | 'tag_skipped'
  | 'untagged'
  | 'welcome_sent'
  | 'welcome_skipped'
  | 'lost'
  | 'stage_changed'
  | 'remark_changed'
  | 'note'
  | 'script_sent'
  | 'message';

export interface NewTimelineItem {
  corpId: string;
  externalUserId: string;
  userId?: string | null;
  kind: TimelineKind;
  content?: string;
  payload?: Record<string, unknown>;
  dueAt?: number | null;
  /** Recording the same source twice is a no-op (an event replayed after a crash, say). */
  sourceKey?: string | null;
  occurredAt: number;
}

/** Keyset cursor: the (occurredAt, id) of the last item of the previous page. */
export interface TimelineCursor {
  occurredAt: number;
  id: number;
}

export function createTimelineRepo(db: Database) {
  const { timelineItems, reps } = db.t;
  const p = (name: keyof NewTimelineItem) => sql.placeholder(name);
  // Every add writes three items: built once (server/db/database.ts `prepared`).
  const insertItem = db.prepared<Required<NewTimelineItem>, { id: number }[]>('timeline_add', (ex) =>
    ex
      .insert(timelineItems)
      .values({
        corpId: p('corpId'),
        externalUserId: p('externalUserId'),
        userId: p('userId'),
        kind: p('kind'),
        content: p('content'),
        payload: p('payload'),
        dueAt: p('dueAt'),
        sourceKey: p('sourceKey'),
        occurredAt: p('occurredAt'),
      })
      .onConflictDoNothing()
      .returning({ id: timelineItems.id }),
  );
  return {
    /** Returns the new item's id, or null if an item with the same sourceKey exists. */
    async add(ex: Executor, item: NewTimelineItem): Promise<number | null> {
      const [row] = await insertItem(ex, {
        corpId: item.corpId,
        externalUserId: item.externalUserId,
        userId: item.userId ?? null,
        kind: item.kind,
        content: item.content ?? '',
        payload: item.payload ?? {},
        dueAt: item.dueAt ?? null,
        sourceKey: item.sourceKey ?? null,
        occurredAt: item.occurredAt,
      });
      return row?.id ?? null;
    },

    /** Newest first; `kinds` filters; pass the last row of a page as `before` for the next one. */
    async page(
      ex: Executor,
      corpId: string,
      externalUserId: string,
      opts: { limit: number; before?: TimelineCursor; kinds?: string[]; viewerUserId?: string },
    ): Promise<TimelineRow[]> {
      const conditions = [eq(timelineItems.corpId, corpId), eq(timelineItems.externalUserId, externalUserId)];
      if (opts.kinds && opts.kinds.length > 0) conditions.push(inArray(timelineItems.kind, opts.kinds));
      // Chat messages are the rep's own: another rep's chat with the same customer is not theirs to read.
      if (opts.viewerUserId !== undefined)
        conditions.push(sql`(${timelineItems.kind} <> 'message' OR ${timelineItems.userId} = ${opts.viewerUserId})`);
      if (opts.before) {
        const b = opts.before;
        // A row-value comparison, so SQLite seeks the index to the cursor instead of walking every newer item.
        conditions.push(sql`(${timelineItems.occurredAt}, ${timelineItems.id}) < (${b.occurredAt}, ${b.id})`);
      }
      return ex
        .select()
        .from(timelineItems)
        .where(and(...conditions))
        .orderBy(desc(timelineItems.occurredAt), desc(timelineItems.id))
        .limit(opts.limit);
    },

    async find(ex: Executor, corpId: string, id: number): Promise<TimelineRow | undefined> {
      const [row] = await ex
        .select()
        .from(timelineItems)
        .where(and(eq(timelineItems.corpId, corpId), eq(timelineItems.id, id)))
        .limit(1);
      return row;
    },

    async update(
      ex: Executor,
      corpId: string,
      id: number,
      patch: { content?: string; dueAt?: number | null; payload?: Record<string, unknown> },
      at: number,
    ): Promise<void> {
      await ex
        .update(timelineItems)
        .set({
          ...(patch.content !== undefined ? { content: patch.content } : {}),
          ...(patch.dueAt !== undefined ? { dueAt: patch.dueAt } : {}),
          ...(patch.payload !== undefined ? { payload: patch.payload } : {}),
          updatedAt: at,
        })
        .where(and(eq(timelineItems.corpId, corpId), eq(timelineItems.id, id)));
    },

    /** Display names of reps, for the authors of items. */
    async repNames(ex: Executor, corpId: string, userIds: string[]): Promise<Map<string, string>> {
      if (userIds.length === 0) return new Map();
      const rows = await ex
        .select({ userId: reps.userId, name: reps.name })
        .from(reps)
        .where(and(eq(reps.corpId, corpId), inArray(reps.userId, userIds)));
      return new Map(rows.map((r) => [r.userId, r.name]));
    },

    async countByKind(ex: Executor, corpId: string, externalUserId: string): Promise<Record<string, number>> {
      const rows = await ex
        .select({ kind: timelineItems.kind, n: sql<number>`count(*)` })
        .from(timelineItems)
        .where(and(eq(timelineItems.corpId, corpId), eq(timelineItems.externalUserId, externalUserId)))
        .groupBy(timelineItems.kind);
      return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
    },
  };
}
export type TimelineRepo = ReturnType<typeof createTimelineRepo>;
