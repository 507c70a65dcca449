import { Type } from 'typebox';
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { OutgoingMessage } from '../../db/schema/automations.js';
import type { WecomApi } from '../../wecom/api.js';
import { WecomApiError, WecomNetworkError } from '../../wecom/errors.js';
import type { AppMessageContent, RobotMessage } from '../../wecom/types.js';
import type { Outcome } from '../../worker/runner.js';
import { defineJob } from '../jobs/define.js';
import { appText, robotMarkdown } from './messages.js';
import type { NotificationRow, NotifyRepo, RobotRow } from './repo.js';
import { ROBOT_WINDOW_MS, type NotifyService } from './service.js';
import { cutByBytes, utf8Bytes } from './split.js';

/** Failed attempts (network, WeCom busy) before a notification is given up; a throttled wait is not an attempt. */
const MAX_FAILURES = 6;
/** WeCom drops an app message identical to one sent within this interval (enable_duplicate_check). */
const DUPLICATE_CHECK_SECONDS = 1800;
/** A repeat is safe only well inside the interval: our clock and WeCom's may differ. */
const SAFE_REPEAT_MS = (DUPLICATE_CHECK_SECONDS - 300) * 1000;

const ROBOT_DISABLED = 93000;
const TOO_LONG = 40058;
const TOO_FAST = new Set([45009, 45033, -1]);

const backoff = (failures: number) => Math.min(10 * 60_000, 5_000 * 2 ** Math.max(0, failures - 1));

/**
 * The `notify_send` job: sends one notification. Robot notifications run in the robot's lane (one at a time, in the
 * order they were queued, across instances) and take a slot of the robot's send budget in the database before each
 * part, so instances together stay within 20 a minute; a throttled part waits for the next free slot (later, never
 * dropped). Before a part leaves, `sending_since` is committed: a run that finds it set knows an earlier attempt
 * ended without an answer (a crash, a lost lease) and does not repeat that part blindly — a robot part is recorded as
 * unknown; an app message is repeated only within WeCom's duplicate-check interval, where WeCom drops a copy.
 */
export function createSendJob(deps: {
  db: Database;
  repo: NotifyRepo;
  service: () => Pick<NotifyService, 'keyOf' | 'leadersOfDepartment' | 'toMembers'>;
  api: (corpId: string) => Pick<WecomApi, 'sendRobotMessage' | 'sendAppMessage'>;
  agentId: (corpId: string) => number;
  now: () => number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}) {
  const { db, repo } = deps;

  const update = (n: NotificationRow, patch: Parameters<NotifyRepo['updateNotification']>[2]) =>
    repo.updateNotification(db, n.id, { ...patch, updatedAt: deps.now() });

  async function finish(n: NotificationRow, status: 'failed' | 'skipped', error: string): Promise<Outcome> {
    await update(n, { status, lastError: error, sendingSince: null });
    return { kind: 'done', result: `${status}: ${error}` };
  }

  /** A part that left without an answer: recorded, not repeated; the notification goes on with its next part. */
  async function partUnknown(n: NotificationRow, part: number, why: string): Promise<NotificationRow> {
    const last = part + 1 >= n.parts.length;
    const patch = {
      partsSent: part + 1,
      unknownParts: n.unknownParts + 1,
      sendingSince: null,
      status: last ? ('unknown' as const) : ('pending' as const),
      lastError: `第 ${part + 1}/${n.parts.length} 段${why}，结果未知，未重发`,
      updatedAt: deps.now(),
    };
    await repo.updateNotification(db, n.id, patch);
    deps.log.warn({ notification: n.id, part, why }, 'notification part outcome unknown; not repeated');
    return { ...n, ...patch };
  }

  async function partSent(n: NotificationRow, part: number): Promise<NotificationRow> {
    const at = deps.now();
    const last = part + 1 >= n.parts.length;
    const status = last ? (n.unknownParts > 0 ? ('unknown' as const) : ('sent' as const)) : ('pending' as const);
    const patch = { partsSent: part + 1, sendingSince: null, status, updatedAt: at, ...(last ? { sentAt: at } : {}) };
    await repo.updateNotification(db, n.id, patch);
    return { ...n, ...patch };
  }

  /** Not sent (certainly): back to pending, counted as a failure, tried again later or given up. */
  async function notSent(n: NotificationRow, error: string): Promise<Outcome> {
    const failures = n.failures + 1;
    if (failures >= MAX_FAILURES) return finish({ ...n, failures }, 'failed', `${error}（已重试 ${failures} 次）`);
    await update(n, { failures, status: 'pending', sendingSince: null, lastError: error });
    return { kind: 'retry', delayMs: backoff(failures), error };
  }

  /** WeCom says the webhook address is not valid (93000): the robot is switched off and its admins are told. */
  async function robotGone(n: NotificationRow, robot: RobotRow): Promise<Outcome> {
    const at = deps.now();
    const reason = '企业微信返回 93000：Webhook 地址无效（机器人可能已被移出群聊或删除）';
    const first = await repo.disableRobot(db, robot.id, reason, at);
    deps.log.error({ robot: robot.id, name: robot.name }, 'group robot rejected (93000): switched off');
    if (first) {
      try {
        const admins = await deps.service().leadersOfDepartment(n.corpId, robot.departmentId);
        await db.tx((tx) =>
          deps.service().toMembers(tx, {
            corpId: n.corpId,
            key: `robot_disabled:${robot.id}:${at}`,
            kind: 'robot_disabled',
            userIds: admins,
            message: appText(
              `群机器人「${robot.name}」已停用：企业微信返回 93000（Webhook 地址无效，机器人可能已被移出群聊或删除）。` +
                `发往它的提醒和日报暂停发送，请在管理后台更新它的 Webhook 地址。`,
            ),
          }),
        );
      } catch (err) {
        deps.log.error({ err, robot: robot.id }, 'could not tell the admins that a robot was switched off');
      }
    }
    return finish(n, 'failed', '群机器人已停用（93000 Webhook 地址无效）');
  }

  /** 40058 (too long or invalid): the part is split again into smaller pieces, sent in its place. */
  async function resplit(n: NotificationRow, part: number): Promise<NotificationRow | null> {
    const message = n.parts[part]!;
    const inner = (message[message.msgtype] ?? {}) as { content?: unknown };
    if (typeof inner.content !== 'string') return null;
    const bytes = utf8Bytes(inner.content);
    if (bytes <= 512) return null; // already small: the problem is not its length
    const limit = Math.max(512, Math.floor(bytes / 2));
    const pieces: OutgoingMessage[] =
      message.msgtype === 'markdown'
        ? robotMarkdown(inner.content, limit)
        : cutByBytes(inner.content, limit).map((content) => ({ ...message, [message.msgtype]: { ...inner, content } }));
    const parts = [...n.parts.slice(0, part), ...pieces, ...n.parts.slice(part + 1)];
    const patch = { parts, sendingSince: null, status: 'pending' as const, updatedAt: deps.now() };
    await repo.updateNotification(db, n.id, patch);
    return { ...n, ...patch };
  }

  async function sendRobot(start: NotificationRow): Promise<Outcome> {
    let n = start;
    const [robot] = await db
      .select()
      .from(db.t.robots)
      .where(eq(db.t.robots.id, n.robotId ?? -1))
      .limit(1);
    if (!robot) return finish(n, 'failed', '群机器人已删除');
    if (robot.status !== 'active') return finish(n, 'failed', `群机器人已停用：${robot.disabledReason ?? ''}`);
    if (n.sendingSince !== null) n = await partUnknown(n, n.partsSent, '上次发送中断（进程退出或租约失效）');

    while (n.partsSent < n.parts.length) {
      const part = n.partsSent;
      const now = deps.now();
      if ((await repo.takeSlot(db, robot.id, now, now - ROBOT_WINDOW_MS)) === null) {
        await repo.ensureSlots(db, robot.id, 20);
        const oldest = (await repo.oldestSlotUse(db, robot.id)) ?? now;
        // Throttled: later, never dropped. The lane keeps this robot's later messages behind this one.
        return { kind: 'retry', delayMs: Math.max(250, oldest + ROBOT_WINDOW_MS - now), error: 'throttled' };
      }
      if (!(await repo.markSending(db, n.id, part, now)))
        return { kind: 'ignored', reason: 'another run is sending it' };
      try {
        await deps.api(n.corpId).sendRobotMessage(deps.service().keyOf(robot), n.parts[part] as RobotMessage, {
          retryBusy: false,
        });
      } catch (err) {
        if (err instanceof WecomApiError) {
          if (err.errcode === ROBOT_DISABLED) return robotGone(n, robot);
          if (err.errcode === TOO_LONG) {
            const smaller = await resplit(n, part);
            if (smaller) {
              n = smaller;
              continue;
            }
            return finish(n, 'failed', `企业微信拒绝了这条消息（40058 参数不合法）：${err.errmsg}`);
          }
          if (TOO_FAST.has(err.errcode)) {
            // WeCom counts differently from us (another sender on this robot?): wait a whole window.
            await repo.exhaustSlots(db, robot.id, deps.now());
            await update(n, {
              status: 'pending',
              sendingSince: null,
              lastError: `企业微信限流（${err.errcode}），稍后重发`,
            });
            return { kind: 'retry', delayMs: ROBOT_WINDOW_MS, error: `WeCom errcode ${err.errcode}` };
          }
          if (!err.retryable) return finish(n, 'failed', `企业微信返回错误 ${err.errcode}：${err.errmsg}`);
          return notSent(n, `企业微信返回错误 ${err.errcode}：${err.errmsg}`);
        }
        if (err instanceof WecomNetworkError) {
          if (err.outcomeUnknown) {
            n = await partUnknown(n, part, `请求无应答（${err.code}）`);
            continue;
          }
          return notSent(n, `网络错误（${err.code}）`);
        }
        throw err;
      }
      n = await partSent(n, part);
      await repo.updateRobot(db, n.corpId, robot.id, { lastSentAt: deps.now(), lastError: null });
    }
    return { kind: 'done', result: `${n.status}: ${n.parts.length} part(s)` };
  }

  async function sendApp(n: NotificationRow): Promise<Outcome> {
    const now = deps.now();
    if (n.sendingSince !== null) {
      // An earlier attempt left without an answer. Within WeCom's duplicate-check interval an identical request is
      // dropped by WeCom if the first one arrived, so repeating it cannot deliver it twice; past it, we do not know.
      if (n.firstAttemptAt === null || now - n.firstAttemptAt > SAFE_REPEAT_MS) {
        await partUnknown(n, 0, '上次发送中断且已超过企业微信去重时间');
        return { kind: 'done', result: 'unknown' };
      }
      await update(n, { sendingSince: null });
      n = { ...n, sendingSince: null };
    }
    if (!(await repo.markSending(db, n.id, 0, now))) return { kind: 'ignored', reason: 'another run is sending it' };
    const message = n.parts[0]!;
    try {
      await deps.api(n.corpId).sendAppMessage({
        ...(message as unknown as AppMessageContent),
        touser: n.toUserIds.join('|'),
        agentid: deps.agentId(n.corpId),
        enable_duplicate_check: 1,
        duplicate_check_interval: DUPLICATE_CHECK_SECONDS,
      });
    } catch (err) {
      if (err instanceof WecomApiError) {
        if (!err.retryable) return finish(n, 'failed', `企业微信返回错误 ${err.errcode}：${err.errmsg}`);
        return notSent(n, `企业微信返回错误 ${err.errcode}：${err.errmsg}`);
      }
      if (err instanceof WecomNetworkError) {
        const first = n.firstAttemptAt ?? now;
        if (err.outcomeUnknown && deps.now() - first > SAFE_REPEAT_MS) {
          await partUnknown(n, 0, `请求无应答（${err.code}）`);
          return { kind: 'done', result: 'unknown' };
        }
        // Certainly not sent, or still inside the duplicate-check interval: WeCom drops a copy.
        return notSent({ ...n, firstAttemptAt: first }, `网络错误（${err.code}）`);
      }
      throw err;
    }
    await partSent(n, 0);
    return { kind: 'done', result: 'sent' };
  }

  return defineJob(
    'notify_send',
    Type.Object({ notificationId: Type.Integer(), robotId: Type.Union([Type.Integer(), Type.Null()]) }),
    async (_job, { notificationId }) => {
      const n = await repo.notification(db, notificationId);
      if (!n) return { kind: 'ignored', reason: 'notification deleted' };
      if (n.status === 'sent' || n.status === 'failed' || n.status === 'unknown' || n.status === 'skipped') {
        return { kind: 'done', result: `already ${n.status}` };
      }
      return n.channel === 'robot' ? sendRobot(n) : sendApp(n);
    },
    {
      // One robot's messages go out one at a time, in order, whichever instance runs them.
      lane: (_corpId, payload) => (payload.robotId === null ? null : `robot:${payload.robotId}`),
      // Throttled waits come back as retries; real failures are counted on the notification (MAX_FAILURES).
      maxAttempts: 100_000,
    },
  );
}
export type SendJob = ReturnType<typeof createSendJob>;
