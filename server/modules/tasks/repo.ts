import { and, asc, count, eq, lte, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type TaskRow = Database['t']['tasks']['$inferSelect'];

export interface NewTask {
  corpId: string;
  userId: string;
  externalUserId: string;
  kind: string;
  title: string;
  detail?: string;
  script?: string;
  dueAt: number;
  ruleId?: number | null;
  /** One task per source: `<rule>:<subject>:<period>`. */
  sourceKey: string;
  createdAt: number;
}

/** Tasks for reps (drizzle only). */
export function createTaskRepo(db: Database) {
  const { tasks, contacts, follows, reps, departments } = db.t;
  const withCustomer = {
    task: tasks,
    contactName: contacts.name,
    remark: follows.remark,
  };

  return {
    /** The new task's id, or null when its source made one before. */
    async add(ex: Executor, t: NewTask): Promise<number | null> {
      const [row] = await ex
        .insert(tasks)
        .values({
          corpId: t.corpId,
          userId: t.userId,
          externalUserId: t.externalUserId,
          kind: t.kind,
          title: t.title,
          detail: t.detail ?? '',
          script: t.script ?? '',
          dueAt: t.dueAt,
          visibleAt: t.dueAt,
          ruleId: t.ruleId ?? null,
          sourceKey: t.sourceKey,
          createdAt: t.createdAt,
          updatedAt: t.createdAt,
        })
        .onConflictDoNothing()
        .returning({ id: tasks.id });
      return row?.id ?? null;
    },

    /** The rep's open tasks showing at `now` (not snoozed past it), soonest due first; one customer's when given. */
    async open(
      ex: Executor,
      corpId: string,
      userId: string,
      now: number,
      opts: { externalUserId?: string; limit: number },
    ) {
      const where = [
        eq(tasks.corpId, corpId),
        eq(tasks.userId, userId),
        eq(tasks.status, 'open'),
        lte(tasks.visibleAt, now),
      ];
      if (opts.externalUserId) where.push(eq(tasks.externalUserId, opts.externalUserId));
      return ex
        .select(withCustomer)
        .from(tasks)
        .leftJoin(contacts, and(eq(contacts.corpId, tasks.corpId), eq(contacts.externalUserId, tasks.externalUserId)))
        .leftJoin(
          follows,
          and(
            eq(follows.corpId, tasks.corpId),
            eq(follows.userId, tasks.userId),
            eq(follows.externalUserId, tasks.externalUserId),
          ),
        )
        .where(and(...where))
        .orderBy(asc(tasks.dueAt), asc(tasks.id))
        .limit(opts.limit);
    },

    /** How many open tasks show for the rep at `now`, and how many of them were due before `overdueBefore`. */
    async counts(ex: Executor, corpId: string, userId: string, now: number, overdueBefore: number) {
      const [row] = await ex
        .select({
          open: count(),
          overdue: sql<number>`coalesce(sum(case when ${tasks.dueAt} < ${overdueBefore} then 1 else 0 end), 0)`,
        })
        .from(tasks)
        .where(
          and(eq(tasks.corpId, corpId), eq(tasks.userId, userId), eq(tasks.status, 'open'), lte(tasks.visibleAt, now)),
        );
      return { open: Number(row?.open ?? 0), overdue: Number(row?.overdue ?? 0) };
    },

    async find(ex: Executor, corpId: string, id: number) {
      const [row] = await ex
        .select(withCustomer)
        .from(tasks)
        .leftJoin(contacts, and(eq(contacts.corpId, tasks.corpId), eq(contacts.externalUserId, tasks.externalUserId)))
        .leftJoin(
          follows,
          and(
            eq(follows.corpId, tasks.corpId),
            eq(follows.userId, tasks.userId),
            eq(follows.externalUserId, tasks.externalUserId),
          ),
        )
        .where(and(eq(tasks.corpId, corpId), eq(tasks.id, id)))
        .limit(1);
      return row;
    },

    async update(ex: Executor, corpId: string, id: number, patch: Partial<TaskRow>): Promise<boolean> {
      const rows = await ex
        .update(tasks)
        .set(patch)
        .where(and(eq(tasks.corpId, corpId), eq(tasks.id, id), eq(tasks.status, 'open')))
        .returning({ id: tasks.id });
      return rows.length === 1;
    },

    /** The customer is no longer the rep's: their open tasks go. */
    async cancelForFollow(ex: Executor, corpId: string, userId: string, externalUserId: string, at: number) {
      await ex
        .update(tasks)
        .set({ status: 'cancelled', updatedAt: at })
        .where(
          and(
            eq(tasks.corpId, corpId),
            eq(tasks.userId, userId),
            eq(tasks.externalUserId, externalUserId),
            eq(tasks.status, 'open'),
          ),
        );
    },

    /**
     * Open and overdue tasks per rep, for the managers' figures. The query (index tasks_due on corp, status, due_at):
     *   SELECT user_id, count(*) AS open, sum(CASE WHEN due_at < :dayStart THEN 1 ELSE 0 END) AS overdue
     *   FROM tasks WHERE corp_id = :corp AND status = 'open' AND due_at <= :now GROUP BY user_id
     */
    async perRep(ex: Executor, corpId: string, now: number, overdueBefore: number) {
      const rows = await ex
        .select({
          userId: tasks.userId,
          open: count(),
          overdue: sql<number>`coalesce(sum(case when ${tasks.dueAt} < ${overdueBefore} then 1 else 0 end), 0)`,
        })
        .from(tasks)
        .where(and(eq(tasks.corpId, corpId), eq(tasks.status, 'open'), lte(tasks.dueAt, now)))
        .groupBy(tasks.userId);
      return rows.map((r) => ({ userId: r.userId, open: Number(r.open), overdue: Number(r.overdue) }));
    },

    async repNames(ex: Executor, corpId: string): Promise<Map<string, string>> {
      const rows = await ex.select({ userId: reps.userId, name: reps.name }).from(reps).where(eq(reps.corpId, corpId));
      return new Map(rows.map((r) => [r.userId, r.name]));
    },

    /** Members of a department and of the departments under it. */
    async repsInDepartment(ex: Executor, corpId: string, departmentId: number): Promise<string[]> {
      const tree = await ex
        .select({ id: departments.departmentId, parentId: departments.parentId })
        .from(departments)
        .where(eq(departments.corpId, corpId));
      const inTree = new Set([departmentId]);
      for (let grew = true; grew;) {
        grew = false;
        for (const d of tree) {
          if (d.parentId !== null && inTree.has(d.parentId) && !inTree.has(d.id)) {
            inTree.add(d.id);
            grew = true;
          }
        }
      }
      const members = await ex
        .select({ userId: reps.userId, departmentIds: reps.departmentIds })
        .from(reps)
        .where(eq(reps.corpId, corpId));
      return members.filter((m) => m.departmentIds.some((id) => inTree.has(id))).map((m) => m.userId);
    },
  };
}
export type TaskRepo = ReturnType<typeof createTaskRepo>;
