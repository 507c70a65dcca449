import { dayInZone, zonedTime } from '../../../shared/time-zone.js';
import type { OverdueCounts, SnoozeBody, Task, TaskList, TaskQuery } from '../../../shared/schemas/automations.js';
import type { Database } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { SessionUser } from '../auth/session-service.js';
import type { TaskRepo, TaskRow } from './repo.js';

/** The start of the corp-zone day containing `ms`: a task still open past the day it was due is overdue. */
export function dayStart(ms: number, timeZone: string): number {
  const [y, m, d] = dayInZone(ms, timeZone).split('-').map(Number) as [number, number, number];
  return zonedTime(timeZone, y, m, d, 0, 0);
}

/**
 * Tasks for reps: what the automations found to do for a customer (a follow-up on day 3, a birthday greeting, a
 * thank-you after a repeat purchase …), each with a suggested script. A rep sees and changes only their own.
 */
export function createTaskService(deps: { db: Database; repo: TaskRepo; timeZone: string; now: () => number }) {
  const { db, repo } = deps;

  function view(row: { task: TaskRow; contactName: string | null; remark: string | null }, now: number): Task {
    const t = row.task;
    return {
      id: t.id,
      externalUserId: t.externalUserId,
      customerName: row.remark || row.contactName || t.externalUserId,
      kind: t.kind,
      title: t.title,
      detail: t.detail,
      script: t.script,
      dueAt: t.dueAt,
      overdue: t.status === 'open' && t.dueAt < dayStart(now, deps.timeZone),
      status: t.status,
      snoozedUntil: t.snoozedUntil,
      doneAt: t.doneAt,
    };
  }

  async function ownTask(user: SessionUser, id: number) {
    const row = await repo.find(db, user.corpId, id);
    // Another rep's task is as absent as a task that does not exist.
    if (!row || row.task.userId !== user.userId) throw new NotFoundError('任务不存在');
    return row;
  }

  return {
    async list(user: SessionUser, q: TaskQuery): Promise<TaskList> {
      const now = deps.now();
      const rows = await repo.open(db, user.corpId, user.userId, now, {
        externalUserId: q.externalUserId,
        limit: q.limit ?? 50,
      });
      const { open, overdue } = await repo.counts(db, user.corpId, user.userId, now, dayStart(now, deps.timeZone));
      return { items: rows.map((r) => view(r, now)), openCount: open, overdueCount: overdue };
    },

    async done(user: SessionUser, id: number): Promise<Task> {
      const row = await ownTask(user, id);
      const now = deps.now();
      if (row.task.status === 'open')
        await repo.update(db, user.corpId, id, { status: 'done', doneAt: now, updatedAt: now });
      return view((await repo.find(db, user.corpId, id))!, now);
    },

    async snooze(user: SessionUser, id: number, body: SnoozeBody): Promise<Task> {
      const row = await ownTask(user, id);
      const now = deps.now();
      if (row.task.status !== 'open') throw new BadRequestError('任务已完成或已取消，不能推迟');
      const until = body.until ?? (body.minutes !== undefined ? now + body.minutes * 60_000 : undefined);
      if (until === undefined) throw new BadRequestError('请指定推迟多久（minutes）或推迟到何时（until）');
      if (until <= now) throw new BadRequestError('推迟到的时间应晚于现在', 'until');
      if (until > now + 30 * 86_400_000) throw new BadRequestError('最多推迟 30 天', 'until');
      await repo.update(db, user.corpId, id, {
        snoozedUntil: until,
        visibleAt: until,
        snoozeCount: row.task.snoozeCount + 1,
        updatedAt: now,
      });
      return view((await repo.find(db, user.corpId, id))!, now);
    },

    /**
     * Open and overdue tasks per rep (for the managers' figures): open = due by now and not done; overdue = still open
     * after the corp day it was due (a snooze does not hide it from the manager).
     */
    async overdue(corpId: string, q: { departmentId?: number } = {}): Promise<OverdueCounts> {
      const now = deps.now();
      let rows = await repo.perRep(db, corpId, now, dayStart(now, deps.timeZone));
      if (q.departmentId !== undefined) {
        const members = new Set(await repo.repsInDepartment(db, corpId, q.departmentId));
        rows = rows.filter((r) => members.has(r.userId));
      }
      const names = await repo.repNames(db, corpId);
      return {
        at: now,
        reps: rows
          .map((r) => ({ ...r, name: names.get(r.userId) ?? r.userId }))
          .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.userId.localeCompare(b.userId)),
      };
    },
  };
}
export type TaskService = ReturnType<typeof createTaskService>;
