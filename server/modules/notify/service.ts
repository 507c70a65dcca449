import type { Database, Executor } from '../../db/database.js';
import type { OutgoingMessage } from '../../db/schema/automations.js';
import type { SecretBox } from '../../db/secret-box.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js';
import type { WecomApi } from '../../wecom/api.js';
import type { CreateRobotBody, Notification, Robot, UpdateRobotBody } from '../../../shared/schemas/automations.js';
import type { JobDefinition } from '../jobs/define.js';
import type { JobService } from '../jobs/service.js';
import { previewOf, robotText } from './messages.js';
import type { NotificationRow, NotifyRepo, RobotRow } from './repo.js';
import { robotKeyHash, robotKeyOf } from './robot-key.js';

/** WeCom allows a group robot 20 messages a minute. */
export const ROBOT_PER_MINUTE = 20;
/** A slot is used again a window after its last send; a second more than WeCom's minute, for clock skew. */
export const ROBOT_WINDOW_MS = 61_000;

export interface NotificationInput {
  corpId: string;
  /** One notification per key, ever: `<rule>:<subject>:<period>`. */
  key: string;
  kind: string;
  ruleId?: number | null;
  /** The rep and the customer it is about, if any (for the log and the links). */
  userId?: string | null;
  externalUserId?: string | null;
}

/** The payload of the send job: which notification. */
export interface SendPayload {
  notificationId: number;
  /** Robot notifications run in the robot's lane. */
  robotId: number | null;
}

/**
 * Notifications to people: group robots (群机器人) and app messages (应用消息) to members. A notification is a row
 * keyed per (rule, subject, period) plus one durable job, written in the caller's transaction: a rerun, a retry or a
 * second instance finds the key taken and sends nothing more. The job (send-job.ts) does the sending.
 */
export function createNotifyService(deps: {
  db: Database;
  repo: NotifyRepo;
  box: SecretBox;
  jobs: Pick<JobService, 'enqueue'>;
  /** The send job (defined by the module, with its handler). */
  sendJob: () => JobDefinition<SendPayload>;
  api: (corpId: string) => Pick<WecomApi, 'listDepartments'>;
  now: () => number;
}) {
  const { db, repo } = deps;
  /** Department leaders read from WeCom, kept a few minutes (a read cache: every instance may keep its own). */
  const leaders = new Map<string, { at: number; byDepartment: Map<number, string[]> }>();

  async function enqueue(tx: Executor, input: NotificationInput, row: Omit<NotificationRowInput, 'createdAt'>) {
    const id = await repo.insertNotification(tx, {
      corpId: input.corpId,
      key: input.key,
      ruleId: input.ruleId ?? null,
      kind: input.kind,
      userId: input.userId ?? null,
      externalUserId: input.externalUserId ?? null,
      ...row,
      createdAt: deps.now(),
    });
    if (id === null) return null;
    await deps.jobs.enqueue(
      tx,
      deps.sendJob(),
      { notificationId: id, robotId: row.robotId },
      {
        corpId: input.corpId,
        dedupeKey: `notification:${id}`,
      },
    );
    return id;
  }

  function robotView(row: RobotRow, departments: Map<number, string>): Robot {
    return {
      id: row.id,
      name: row.name,
      departmentId: row.departmentId,
      departmentName: row.departmentId === null ? null : (departments.get(row.departmentId) ?? null),
      status: row.status,
      disabledReason: row.disabledReason,
      lastSentAt: row.lastSentAt,
      lastError: row.lastError,
      createdAt: row.createdAt,
    };
  }

  async function requireRobot(corpId: string, id: number): Promise<RobotRow> {
    const row = await repo.robot(db, corpId, id);
    if (!row) throw new NotFoundError('机器人不存在');
    return row;
  }

  async function checkDepartment(corpId: string, departmentId: number | null | undefined): Promise<void> {
    if (departmentId == null) return;
    const names = await repo.departmentNames(db, corpId);
    if (names.size > 0 && !names.has(departmentId)) throw new BadRequestError('部门不存在', 'departmentId');
  }

  async function departmentLeaders(corpId: string): Promise<Map<number, string[]>> {
    const cached = leaders.get(corpId);
    if (cached && deps.now() - cached.at < 10 * 60_000) return cached.byDepartment;
    const { department } = await deps.api(corpId).listDepartments();
    const byDepartment = new Map(department.map((d) => [d.id, d.department_leader ?? []]));
    leaders.set(corpId, { at: deps.now(), byDepartment });
    return byDepartment;
  }

  /** The department and its parents, nearest first. */
  async function upTheTree(corpId: string, departmentIds: number[]): Promise<number[]> {
    const tree = await repo.departmentTree(db, corpId);
    const out: number[] = [];
    for (const start of departmentIds) {
      let at: number | null | undefined = start;
      for (let hops = 0; at != null && hops < 32; hops++) {
        if (!out.includes(at)) out.push(at);
        at = tree.get(at);
      }
    }
    return out;
  }

  return {
    /** A group robot message (one or more parts, sent in order), once per key. In the caller's transaction. */
    toRobot(tx: Executor, input: NotificationInput & { robotId: number; parts: OutgoingMessage[] }) {
      return enqueue(tx, input, { channel: 'robot', robotId: input.robotId, toUserIds: [], parts: input.parts });
    },

    /** An app message to members (one message, one request), once per key. In the caller's transaction. */
    toMembers(tx: Executor, input: NotificationInput & { userIds: string[]; message: OutgoingMessage }) {
      const userIds = [...new Set(input.userIds)].filter(Boolean);
      if (userIds.length === 0) return Promise.resolve(null);
      return enqueue(tx, input, { channel: 'app', robotId: null, toUserIds: userIds, parts: [input.message] });
    },

    /**
     * The group robot that hears about a rep's customers: the robot of the rep's department, or of the nearest
     * department above it that has one (active robots only). Null when there is none.
     */
    async departmentRobot(corpId: string, userId: string): Promise<RobotRow | null> {
      const chain = await upTheTree(corpId, await repo.repDepartments(db, corpId, userId));
      if (chain.length === 0) return null;
      const robots = (await repo.robots(db, corpId)).filter((r) => r.status === 'active' && r.departmentId !== null);
      for (const departmentId of chain) {
        const found = robots.find((r) => r.departmentId === departmentId);
        if (found) return found;
      }
      return null;
    },

    /** The rep's managers: the leaders (部门负责人) of the rep's department, or of the nearest one above that has any. */
    async managersOf(corpId: string, userId: string): Promise<string[]> {
      const chain = await upTheTree(corpId, await repo.repDepartments(db, corpId, userId));
      const byDepartment = await departmentLeaders(corpId);
      for (const departmentId of chain) {
        const found = (byDepartment.get(departmentId) ?? []).filter((u) => u !== userId);
        if (found.length > 0) return found;
      }
      return [];
    },

    /** Leaders of a department (or of the nearest one above it that has any); of the root when none given. */
    async leadersOfDepartment(corpId: string, departmentId: number | null): Promise<string[]> {
      const byDepartment = await departmentLeaders(corpId);
      const chain =
        departmentId === null ? [...byDepartment.keys()].slice(0, 1) : await upTheTree(corpId, [departmentId]);
      for (const id of chain) {
        const found = byDepartment.get(id) ?? [];
        if (found.length > 0) return found;
      }
      return [];
    },

    robotsOf(corpId: string): Promise<RobotRow[]> {
      return repo.robots(db, corpId);
    },

    /** The robot's key, opened only to send. */
    keyOf(robot: RobotRow): string {
      return deps.box.open(robot.keySealed);
    },

    // ---- admin API
    async listRobots(corpId: string): Promise<Robot[]> {
      const departments = await repo.departmentNames(db, corpId);
      return (await repo.robots(db, corpId)).map((r) => robotView(r, departments));
    },

    async createRobot(corpId: string, body: CreateRobotBody): Promise<Robot> {
      const key = robotKeyOf(body.webhookUrl);
      await checkDepartment(corpId, body.departmentId);
      const at = deps.now();
      const row = await db.tx(async (tx) => {
        const created = await repo.insertRobot(tx, {
          corpId,
          name: body.name,
          departmentId: body.departmentId ?? null,
          keySealed: deps.box.seal(key),
          keyHash: robotKeyHash(key),
          at,
        });
        if (created) await repo.ensureSlots(tx, created.id, ROBOT_PER_MINUTE);
        return created;
      });
      if (!row) throw new ConflictError('这个群机器人已经添加过了');
      return robotView(row, await repo.departmentNames(db, corpId));
    },

    async updateRobot(corpId: string, id: number, body: UpdateRobotBody): Promise<Robot> {
      await requireRobot(corpId, id);
      await checkDepartment(corpId, body.departmentId);
      const at = deps.now();
      const patch: Partial<RobotRow> = { updatedAt: at };
      if (body.name !== undefined) patch.name = body.name;
      if (body.departmentId !== undefined) patch.departmentId = body.departmentId;
      if (body.webhookUrl !== undefined) {
        const key = robotKeyOf(body.webhookUrl);
        const other = await repo.robotByKeyHash(db, corpId, robotKeyHash(key));
        if (other && other.id !== id) throw new ConflictError('这个群机器人已经添加过了');
        patch.keySealed = deps.box.seal(key);
        patch.keyHash = robotKeyHash(key);
      }
      // A new address, or switching it on, makes the robot active again; switching it off is the admin's choice.
      if (body.enabled === false)
        Object.assign(patch, { status: 'disabled', disabledReason: '管理员已停用', disabledAt: at });
      else if (body.enabled === true || body.webhookUrl !== undefined) {
        Object.assign(patch, { status: 'active', disabledReason: null, disabledAt: null, lastError: null });
      }
      const row = await repo.updateRobot(db, corpId, id, patch);
      if (!row) throw new NotFoundError('机器人不存在');
      return robotView(row, await repo.departmentNames(db, corpId));
    },

    async removeRobot(corpId: string, id: number): Promise<void> {
      if (!(await db.tx((tx) => repo.deleteRobot(tx, corpId, id)))) throw new NotFoundError('机器人不存在');
    },

    /** Sends a test message through the robot (a notification like any other, visible in the log). */
    async testRobot(corpId: string, id: number): Promise<{ notificationId: number }> {
      const robot = await requireRobot(corpId, id);
      const at = deps.now();
      const notificationId = await db.tx((tx) =>
        enqueue(
          tx,
          { corpId, key: `robot_test:${id}:${at}`, kind: 'robot_test' },
          {
            channel: 'robot',
            robotId: robot.id,
            toUserIds: [],
            parts: robotText(`【测试消息】群机器人「${robot.name}」已接入企业微信 SCRM，提醒和日报会发到这里。`),
          },
        ),
      );
      return { notificationId: notificationId! };
    },

    async listNotifications(
      corpId: string,
      q: { status?: string; kind?: string; limit?: number; before?: number },
    ): Promise<Notification[]> {
      const rows = await repo.list(db, corpId, { ...q, limit: q.limit ?? 50 });
      return rows.map(notificationView);
    },
  };
}
export type NotifyService = ReturnType<typeof createNotifyService>;

type NotificationRowInput = Omit<
  Parameters<NotifyRepo['insertNotification']>[1],
  'corpId' | 'key' | 'ruleId' | 'kind' | 'userId' | 'externalUserId'
>;

export function notificationView(n: NotificationRow): Notification {
  return {
    id: n.id,
    key: n.key,
    kind: n.kind,
    channel: n.channel,
    robotId: n.robotId,
    toUserIds: n.toUserIds,
    externalUserId: n.externalUserId,
    status: n.status,
    parts: n.parts.length,
    partsSent: n.partsSent,
    preview: previewOf(n.parts[0]),
    lastError: n.lastError,
    createdAt: n.createdAt,
    sentAt: n.sentAt,
  };
}
