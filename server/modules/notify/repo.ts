import { and, asc, desc, eq, inArray, isNull, lt, lte, min, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import type { OutgoingMessage } from '../../db/schema/automations.js';

export type RobotRow = Database['t']['robots']['$inferSelect'];
export type NotificationRow = Database['t']['notifications']['$inferSelect'];
type NotificationPatch = Partial<Omit<NotificationRow, 'id' | 'corpId' | 'key' | 'createdAt'>>;

export interface NewNotification {
  corpId: string;
  key: string;
  ruleId: number | null;
  kind: string;
  channel: 'robot' | 'app';
  robotId: number | null;
  toUserIds: string[];
  userId: string | null;
  externalUserId: string | null;
  parts: OutgoingMessage[];
  createdAt: number;
}

/** Group robots, their send budget, and the notifications outbox (drizzle only; rules in service.ts, send-job.ts). */
export function createNotifyRepo(db: Database) {
  const { robots, robotSendSlots: slots, notifications, departments, reps } = db.t;

  return {
    // ---- robots
    async insertRobot(
      ex: Executor,
      r: { corpId: string; name: string; departmentId: number | null; keySealed: string; keyHash: string; at: number },
    ): Promise<RobotRow | undefined> {
      const [row] = await ex
        .insert(robots)
        .values({
          corpId: r.corpId,
          name: r.name,
          departmentId: r.departmentId,
          keySealed: r.keySealed,
          keyHash: r.keyHash,
          createdAt: r.at,
          updatedAt: r.at,
        })
        .onConflictDoNothing()
        .returning();
      return row;
    },

    async robot(ex: Executor, corpId: string, id: number): Promise<RobotRow | undefined> {
      const [row] = await ex
        .select()
        .from(robots)
        .where(and(eq(robots.corpId, corpId), eq(robots.id, id)))
        .limit(1);
      return row;
    },

    async robots(ex: Executor, corpId: string): Promise<RobotRow[]> {
      return ex.select().from(robots).where(eq(robots.corpId, corpId)).orderBy(asc(robots.id));
    },

    async robotByKeyHash(ex: Executor, corpId: string, keyHash: string): Promise<RobotRow | undefined> {
      const [row] = await ex
        .select()
        .from(robots)
        .where(and(eq(robots.corpId, corpId), eq(robots.keyHash, keyHash)))
        .limit(1);
      return row;
    },

    async updateRobot(
      ex: Executor,
      corpId: string,
      id: number,
      patch: Partial<RobotRow>,
    ): Promise<RobotRow | undefined> {
      const [row] = await ex
        .update(robots)
        .set(patch)
        .where(and(eq(robots.corpId, corpId), eq(robots.id, id)))
        .returning();
      return row;
    },

    /** Switches an active robot off; false when it was off already (someone else told the admins). */
    async disableRobot(ex: Executor, id: number, reason: string, at: number): Promise<boolean> {
      const rows = await ex
        .update(robots)
        .set({ status: 'disabled', disabledReason: reason, disabledAt: at, updatedAt: at })
        .where(and(eq(robots.id, id), eq(robots.status, 'active')))
        .returning({ id: robots.id });
      return rows.length === 1;
    },

    async deleteRobot(ex: Executor, corpId: string, id: number): Promise<boolean> {
      const rows = await ex
        .delete(robots)
        .where(and(eq(robots.corpId, corpId), eq(robots.id, id)))
        .returning({ id: robots.id });
      await ex.delete(slots).where(eq(slots.robotId, id));
      return rows.length === 1;
    },

    async departmentNames(ex: Executor, corpId: string): Promise<Map<number, string>> {
      const rows = await ex
        .select({ id: departments.departmentId, name: departments.name })
        .from(departments)
        .where(eq(departments.corpId, corpId));
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    /** Every department of the corp with its parent, to walk up the tree. */
    async departmentTree(ex: Executor, corpId: string): Promise<Map<number, number | null>> {
      const rows = await ex
        .select({ id: departments.departmentId, parentId: departments.parentId })
        .from(departments)
        .where(eq(departments.corpId, corpId));
      return new Map(rows.map((r) => [r.id, r.parentId]));
    },

    async repDepartments(ex: Executor, corpId: string, userId: string): Promise<number[]> {
      const [row] = await ex
        .select({ departmentIds: reps.departmentIds })
        .from(reps)
        .where(and(eq(reps.corpId, corpId), eq(reps.userId, userId)))
        .limit(1);
      return row?.departmentIds ?? [];
    },

    // ---- the send budget
    async ensureSlots(ex: Executor, robotId: number, count: number): Promise<void> {
      await ex
        .insert(slots)
        .values(Array.from({ length: count }, (_, slot) => ({ robotId, slot, usedAt: 0 })))
        .onConflictDoNothing();
    },

    /**
     * Takes a slot free since `cutoff` (used at or before it) for a send at `now`; one conditional update, so two
     * instances never take the same slot. Null when every slot was used after `cutoff`.
     */
    async takeSlot(ex: Executor, robotId: number, now: number, cutoff: number): Promise<number | null> {
      const free = ex
        .select({ slot: slots.slot })
        .from(slots)
        .where(and(eq(slots.robotId, robotId), lte(slots.usedAt, cutoff)))
        .orderBy(asc(slots.usedAt), asc(slots.slot))
        .limit(1);
      const [row] = await ex
        .update(slots)
        .set({ usedAt: now })
        .where(and(eq(slots.robotId, robotId), eq(slots.slot, sql`(${free})`), lte(slots.usedAt, cutoff)))
        .returning({ slot: slots.slot });
      return row?.slot ?? null;
    },

    /** The oldest use among the robot's slots (when the next one frees up, a window later). */
    async oldestSlotUse(ex: Executor, robotId: number): Promise<number | null> {
      const [row] = await ex
        .select({ at: min(slots.usedAt) })
        .from(slots)
        .where(eq(slots.robotId, robotId));
      return row?.at == null ? null : Number(row.at);
    },

    /** WeCom said "too fast": every slot counts as used now, so nothing goes out for a whole window. */
    async exhaustSlots(ex: Executor, robotId: number, now: number): Promise<void> {
      await ex
        .update(slots)
        .set({ usedAt: now })
        .where(and(eq(slots.robotId, robotId), lt(slots.usedAt, now)));
    },

    // ---- notifications
    /** The new notification's id, or null when its key was taken (it exists already: nothing to do). */
    async insertNotification(ex: Executor, n: NewNotification): Promise<number | null> {
      const [row] = await ex
        .insert(notifications)
        .values({ ...n, updatedAt: n.createdAt })
        .onConflictDoNothing()
        .returning({ id: notifications.id });
      return row?.id ?? null;
    },

    async notification(ex: Executor, id: number): Promise<NotificationRow | undefined> {
      const [row] = await ex.select().from(notifications).where(eq(notifications.id, id)).limit(1);
      return row;
    },

    async notificationByKey(ex: Executor, corpId: string, key: string): Promise<NotificationRow | undefined> {
      const [row] = await ex
        .select()
        .from(notifications)
        .where(and(eq(notifications.corpId, corpId), eq(notifications.key, key)))
        .limit(1);
      return row;
    },

    /** Updates a notification if `where` still holds; false when it did not (another run moved it on). */
    async updateNotification(ex: Executor, id: number, patch: NotificationPatch, where?: SQL): Promise<boolean> {
      const rows = await ex
        .update(notifications)
        .set(patch)
        .where(where ? and(eq(notifications.id, id), where) : eq(notifications.id, id))
        .returning({ id: notifications.id });
      return rows.length === 1;
    },

    /** Marks part `part` as leaving now; false when another run is at it (or past it). */
    async markSending(ex: Executor, id: number, part: number, now: number): Promise<boolean> {
      const rows = await ex
        .update(notifications)
        .set({
          status: 'sending',
          sendingSince: now,
          firstAttemptAt: sql`coalesce(${notifications.firstAttemptAt}, ${now})`,
          updatedAt: now,
        })
        .where(
          and(
            eq(notifications.id, id),
            eq(notifications.partsSent, part),
            isNull(notifications.sendingSince),
            inArray(notifications.status, ['pending', 'sending']),
          ),
        )
        .returning({ id: notifications.id });
      return rows.length === 1;
    },

    async list(
      ex: Executor,
      corpId: string,
      q: { status?: string; kind?: string; limit: number; before?: number },
    ): Promise<NotificationRow[]> {
      const where = [eq(notifications.corpId, corpId)];
      if (q.status) where.push(eq(notifications.status, q.status as NotificationRow['status']));
      if (q.kind) where.push(eq(notifications.kind, q.kind));
      if (q.before) where.push(lt(notifications.id, q.before));
      return ex
        .select()
        .from(notifications)
        .where(and(...where))
        .orderBy(desc(notifications.id))
        .limit(q.limit);
    },
  };
}
export type NotifyRepo = ReturnType<typeof createNotifyRepo>;
