import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { ruleKinds } from '../../shared/schemas/automations.js';
import { robotsOf, webhookUrlOf } from '../emulator/robots.js';
import { ConflictError } from '../errors.js';

/**
 * The demo's notifications: the emulated corp's group robots (one per department) added to the product, and the
 * rules switched on — the loss alert, the keyword alerts and the daily digest go to the department robots; reps get
 * their reminders and tasks as app messages and in the sidebar. Done once: when the corp has robots already (an
 * admin's choices since), nothing changes. A few follow-up tasks are created for the demo customers, so the
 * sidebar's task list has something to show on the first start.
 */
export async function seedAutomations(
  app: FastifyInstance,
  corpId = app.defaultCorp.corpId,
): Promise<{ robots: number }> {
  const emulator = app.emulator;
  if (!emulator) return { robots: 0 };
  const { notify, automations, tasks } = app.modules;
  if ((await notify.service.robotsOf(corpId)).length > 0) return { robots: 0 };

  let robots = 0;
  for (const robot of robotsOf(emulator.core)) {
    if (robot.disabled) continue;
    try {
      await notify.service.createRobot(corpId, {
        name: robot.name,
        webhookUrl: webhookUrlOf(emulator.core, robot),
        departmentId: robot.departmentId,
      });
      robots += 1;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  for (const kind of ruleKinds) await automations.service.updateRule(corpId, kind, { enabled: true });

  // Tasks for the demo customers: each rep's two most recent customers get a day-1 follow-up, due now.
  const now = Date.now();
  const { follows, contacts, reps } = app.db.t;
  const rows = await app.db
    .select({
      userId: follows.userId,
      externalUserId: follows.externalUserId,
      addedAt: follows.addedAt,
      name: contacts.name,
      remark: follows.remark,
      repName: reps.name,
    })
    .from(follows)
    .innerJoin(contacts, and(eq(contacts.corpId, follows.corpId), eq(contacts.externalUserId, follows.externalUserId)))
    .innerJoin(reps, and(eq(reps.corpId, follows.corpId), eq(reps.userId, follows.userId)))
    .where(and(eq(follows.corpId, corpId), eq(follows.status, 'active')));
  const byRep = new Map<string, typeof rows>();
  for (const r of rows.sort((a, b) => b.addedAt - a.addedAt)) {
    const list = byRep.get(r.userId) ?? [];
    if (list.length < 2) list.push(r);
    byRep.set(r.userId, list);
  }
  for (const list of byRep.values()) {
    for (const r of list) {
      const customer = r.remark || r.name;
      await tasks.repo.add(app.db, {
        corpId,
        userId: r.userId,
        externalUserId: r.externalUserId,
        kind: 'lifecycle',
        title: `首日回访：${customer}`,
        detail: '新添加的客户，记得第一时间回访',
        script: `${customer}您好，我是${r.repName}，刚加上您，想了解下您最关心哪方面？我帮您对照着介绍～`,
        dueAt: now,
        sourceKey: `demo:lifecycle:${r.userId}:${r.externalUserId}`,
        createdAt: now,
      });
    }
  }
  return { robots };
}
