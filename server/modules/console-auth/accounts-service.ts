import type {
  ConsoleAccount,
  CreateLocalAccountBody,
  Department,
  Member,
  MemberAccessBody,
  MemberListQuery,
  RepRef,
  UpdateAccountBody,
} from '../../../shared/schemas/console-users.js';
import type { Database, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { AuditService } from '../audit/service.js';
import {
  ALL_DEPARTMENTS,
  expandDepartments,
  inScope,
  mainDepartment,
  type AuditContext,
  type ConsoleActor,
  type Scope,
} from './actor.js';
import { checkPasswordRules, hashPassword } from './password.js';
import type { AccountRow, ConsoleAuthRepo, DepartmentRow, RepRow } from './repo.js';
import { INACTIVE_MEMBER_STATUSES } from './session-service.js';

const ROLE_NAMES = { admin: '管理员', manager: '主管', rep: '员工' } as const;
/** The directory is read on most console requests; kept this long per corp. */
const DIRECTORY_CACHE_MS = 2_000;

/**
 * Console accounts and roles, and the scope rule: an admin sees every department; a manager the departments given
 * and all their sub-departments (parent links of the departments table); a rep counts in their main department.
 */
export function createAccountsService(deps: {
  db: Database;
  repo: ConsoleAuthRepo;
  audit: Pick<AuditService, 'record'>;
  now: () => number;
}) {
  const { db, repo } = deps;
  const cache = new Map<string, { at: number; departments: DepartmentRow[]; reps: RepRow[] }>();

  async function directory(corpId: string) {
    const hit = cache.get(corpId);
    // Real time, not the app's clock (tests move that one).
    if (hit && Date.now() - hit.at < DIRECTORY_CACHE_MS) return hit;
    const entry = {
      at: Date.now(),
      departments: await repo.departments(db, corpId),
      reps: await repo.reps(db, corpId),
    };
    cache.set(corpId, entry);
    return entry;
  }

  async function scopeOf(actor: ConsoleActor): Promise<Scope> {
    if (actor.role === 'admin') return ALL_DEPARTMENTS;
    const { departments } = await directory(actor.corpId);
    return { all: false, departmentIds: expandDepartments(actor.departmentIds, departments) };
  }

  async function departmentRefs(corpId: string, ids: readonly number[]) {
    const { departments } = await directory(corpId);
    const names = new Map(departments.map((d) => [d.departmentId, d.name]));
    return ids.map((id) => ({ id, name: names.get(id) ?? `部门 ${id}` }));
  }

  async function checkDepartments(corpId: string, role: string, ids: number[] | undefined): Promise<number[]> {
    if (role !== 'manager') return [];
    if (!ids || ids.length === 0) throw new BadRequestError('主管至少需要负责一个部门', 'departmentIds');
    const { departments } = await directory(corpId);
    const known = new Set(departments.map((d) => d.departmentId));
    const unknown = ids.find((id) => !known.has(id));
    if (unknown !== undefined) throw new BadRequestError(`部门 ${unknown} 不存在`, 'departmentIds');
    return ids;
  }

  async function accountView(row: AccountRow): Promise<ConsoleAccount> {
    const { reps } = await directory(row.corpId);
    const rep = row.userId ? reps.find((r) => r.userId === row.userId) : undefined;
    const now = deps.now();
    const locked = row.lockedUntil !== null && row.lockedUntil > now;
    return {
      id: row.id,
      kind: row.kind,
      username: row.username,
      userId: row.userId,
      name: row.kind === 'member' ? (rep?.name ?? row.userId ?? '') : row.name,
      avatar: rep?.avatar ?? '',
      role: row.role,
      departments: await departmentRefs(row.corpId, row.role === 'manager' ? row.departmentIds : []),
      status: row.disabledAt !== null ? 'disabled' : locked ? 'locked' : 'active',
      lockedUntil: locked ? row.lockedUntil : null,
      mustChangePassword: row.kind === 'local' && row.mustChangePassword,
      lastLoginAt: row.lastLoginAt,
      createdAt: row.createdAt,
    };
  }

  async function requireAccount(corpId: string, id: number): Promise<AccountRow> {
    const row = await repo.findAccount(db, corpId, id);
    if (!row) throw new NotFoundError('账号不存在');
    return row;
  }

  /** The last enabled admin account stays an enabled admin (the bearer token aside, nobody could manage anything). */
  async function keepAnAdmin(ex: Executor, corpId: string, id: number): Promise<void> {
    if ((await repo.countOtherActiveAdmins(ex, corpId, id)) === 0) {
      throw new ConflictError('至少需要保留一个启用的管理员账号');
    }
  }

  const label = (row: AccountRow, name?: string) =>
    row.kind === 'local' ? `账号「${row.username}」` : `成员「${name ?? row.userId}」`;

  async function memberView(corpId: string, rep: RepRow, account: AccountRow | undefined): Promise<Member> {
    return {
      userId: rep.userId,
      name: rep.name,
      avatar: rep.avatar,
      position: rep.position,
      departments: await departmentRefs(corpId, rep.departmentIds),
      status: rep.status,
      role: account?.role ?? 'rep',
      managedDepartments: await departmentRefs(corpId, account?.role === 'manager' ? account.departmentIds : []),
      accountId: account?.id ?? null,
    };
  }

  return {
    scopeOf,
    directory,

    /** The reps whose main department is in scope. */
    async repsInScope(corpId: string, scope: Scope, departmentId?: number): Promise<RepRow[]> {
      const { reps, departments } = await directory(corpId);
      const within = departmentId === undefined ? null : expandDepartments([departmentId], departments);
      return reps.filter((r) => {
        const d = mainDepartment(r.departmentIds);
        return inScope(scope, d) && (within === null || within.has(d));
      });
    },

    /** A rep the actor may look at (403 outside scope, 404 unknown). */
    async requireRepInScope(corpId: string, scope: Scope, userId: string): Promise<RepRow> {
      const { reps } = await directory(corpId);
      const rep = reps.find((r) => r.userId === userId);
      if (!rep) throw new NotFoundError('成员不存在');
      if (!inScope(scope, mainDepartment(rep.departmentIds))) throw new ForbiddenError('该成员不在您负责的部门');
      return rep;
    },

    /** A department filter the actor may use, expanded to its sub-departments (403 outside scope). */
    async departmentFilter(corpId: string, scope: Scope, departmentId: number): Promise<Set<number>> {
      const { departments } = await directory(corpId);
      if (!departments.some((d) => d.departmentId === departmentId)) throw new NotFoundError('部门不存在');
      if (!inScope(scope, departmentId)) throw new ForbiddenError('该部门不在您负责的范围');
      return expandDepartments([departmentId], departments);
    },

    async repRef(corpId: string, rep: RepRow): Promise<RepRef> {
      const d = mainDepartment(rep.departmentIds);
      return {
        userId: rep.userId,
        name: rep.name,
        avatar: rep.avatar,
        position: rep.position,
        department: d === 0 ? null : (await departmentRefs(corpId, [d]))[0]!,
        status: rep.status,
      };
    },

    departmentRefs,

    async departments(corpId: string, scope: Scope): Promise<Department[]> {
      const { departments, reps } = await directory(corpId);
      const members = new Map<number, number>();
      for (const r of reps) {
        const d = mainDepartment(r.departmentIds);
        members.set(d, (members.get(d) ?? 0) + 1);
      }
      return departments
        .filter((d) => inScope(scope, d.departmentId))
        .map((d) => ({
          id: d.departmentId,
          name: d.name,
          parentId: d.parentId,
          memberCount: members.get(d.departmentId) ?? 0,
        }));
    },

    async list(corpId: string): Promise<ConsoleAccount[]> {
      return Promise.all((await repo.listAccounts(db, corpId)).map(accountView));
    },

    async get(corpId: string, id: number): Promise<ConsoleAccount> {
      return accountView(await requireAccount(corpId, id));
    },

    async createLocal(ctx: AuditContext, body: CreateLocalAccountBody): Promise<ConsoleAccount> {
      const corpId = ctx.actor.corpId;
      const username = body.username.toLowerCase();
      const name = body.name.trim();
      if (!name) throw new BadRequestError('名称不能为空', 'name');
      checkPasswordRules(body.password, username, 'password');
      const departmentIds = await checkDepartments(corpId, body.role, body.departmentIds);
      if (await repo.findByUsername(db, corpId, username)) throw new ConflictError(`用户名「${username}」已被使用`);
      if (await repo.findLocalByName(db, corpId, name)) throw new ConflictError(`名称「${name}」已被其他账号使用`);
      const passwordHash = await hashPassword(body.password);
      try {
        const id = await db.tx(async (tx) => {
          const created = await repo.insertAccount(tx, {
            corpId,
            kind: 'local',
            username,
            name,
            role: body.role,
            departmentIds,
            passwordHash,
            mustChangePassword: body.mustChangePassword ?? true,
          });
          await deps.audit.record(tx, ctx, {
            action: 'account.create',
            targetType: 'account',
            targetId: created,
            summary: `创建本地账号「${username}」（${name}，${ROLE_NAMES[body.role]}）`,
            detail: { username, name, role: body.role, departmentIds },
          });
          return created;
        });
        return accountView(await requireAccount(corpId, id));
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('用户名或名称已被使用');
        throw err;
      }
    },

    async update(ctx: AuditContext, id: number, body: UpdateAccountBody): Promise<ConsoleAccount> {
      const corpId = ctx.actor.corpId;
      const row = await requireAccount(corpId, id);
      if (body.name !== undefined && row.kind !== 'local') {
        throw new BadRequestError('企业微信成员的名称来自企业微信，不能在这里修改', 'name');
      }
      const self = ctx.actor.accountId === id;
      if (self && body.disabled === true) throw new ConflictError('不能停用自己的账号');
      if (self && body.role !== undefined && body.role !== row.role) throw new ConflictError('不能修改自己的角色');
      const role = body.role ?? row.role;
      const departmentIds =
        body.departmentIds !== undefined || body.role !== undefined
          ? await checkDepartments(corpId, role, body.departmentIds ?? row.departmentIds)
          : row.departmentIds;
      const name = body.name?.trim();
      if (name !== undefined && !name) throw new BadRequestError('名称不能为空', 'name');
      if (name && name !== row.name) {
        const other = await repo.findLocalByName(db, corpId, name);
        if (other && other.id !== id) throw new ConflictError(`名称「${name}」已被其他账号使用`);
      }
      const disabledAt =
        body.disabled === undefined ? row.disabledAt : body.disabled ? (row.disabledAt ?? deps.now()) : null;
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (name !== undefined && name !== row.name) changes.name = { from: row.name, to: name };
      if (role !== row.role) changes.role = { from: row.role, to: role };
      if (JSON.stringify(departmentIds) !== JSON.stringify(row.departmentIds)) {
        changes.departments = {
          from: await departmentRefs(corpId, row.departmentIds),
          to: await departmentRefs(corpId, departmentIds),
        };
      }
      if ((disabledAt !== null) !== (row.disabledAt !== null)) {
        changes.disabled = { from: row.disabledAt !== null, to: disabledAt !== null };
      }
      const { reps } = await directory(corpId);
      const who = label(row, reps.find((r) => r.userId === row.userId)?.name);
      try {
        await db.tx(async (tx) => {
          const losesAdmin = row.role === 'admin' && (role !== 'admin' || disabledAt !== null);
          if (losesAdmin && row.disabledAt === null) await keepAnAdmin(tx, corpId, id);
          await repo.updateAccount(tx, corpId, id, {
            ...(name !== undefined ? { name } : {}),
            role,
            departmentIds,
            disabledAt,
          });
          if (disabledAt !== null) await repo.deleteSessionsOf(tx, id);
          const parts = [
            changes.name && `名称改为「${name}」`,
            changes.role && `角色 ${ROLE_NAMES[row.role]} → ${ROLE_NAMES[role]}`,
            changes.departments &&
              `负责部门改为 ${(changes.departments.to as { name: string }[]).map((d) => d.name).join('、') || '（无）'}`,
            changes.disabled && (disabledAt !== null ? '停用' : '启用'),
          ].filter(Boolean);
          await deps.audit.record(tx, ctx, {
            action:
              changes.role || changes.departments
                ? 'account.role'
                : changes.disabled
                  ? 'account.status'
                  : 'account.update',
            targetType: 'account',
            targetId: id,
            summary: `修改${who}：${parts.join('，') || '无变化'}`,
            detail: { changes },
          });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('名称已被其他账号使用');
        throw err;
      }
      return accountView(await requireAccount(corpId, id));
    },

    async resetPassword(
      ctx: AuditContext,
      id: number,
      body: { password: string; mustChangePassword?: boolean },
    ): Promise<void> {
      const corpId = ctx.actor.corpId;
      const row = await requireAccount(corpId, id);
      if (row.kind !== 'local') throw new BadRequestError('企业微信成员通过扫码登录，没有密码', 'password');
      checkPasswordRules(body.password, row.username, 'password');
      const passwordHash = await hashPassword(body.password);
      await db.tx(async (tx) => {
        await repo.updateAccount(tx, corpId, id, {
          passwordHash,
          mustChangePassword: body.mustChangePassword ?? true,
          failedAttempts: 0,
          lockedUntil: null,
        });
        await repo.deleteSessionsOf(tx, id);
        await deps.audit.record(tx, ctx, {
          action: 'account.password_reset',
          targetType: 'account',
          targetId: id,
          summary: `重置账号「${row.username}」的密码`,
          detail: { mustChangePassword: body.mustChangePassword ?? true },
        });
      });
    },

    async unlock(ctx: AuditContext, id: number): Promise<ConsoleAccount> {
      const corpId = ctx.actor.corpId;
      const row = await requireAccount(corpId, id);
      await db.tx(async (tx) => {
        await repo.updateAccount(tx, corpId, id, { failedAttempts: 0, lockedUntil: null });
        await deps.audit.record(tx, ctx, {
          action: 'account.unlock',
          targetType: 'account',
          targetId: id,
          summary: `解除${label(row)}的锁定`,
        });
      });
      return accountView(await requireAccount(corpId, id));
    },

    async members(corpId: string, query: MemberListQuery): Promise<Member[]> {
      const { reps, departments } = await directory(corpId);
      const accounts = new Map(
        (await repo.listAccounts(db, corpId)).filter((a) => a.kind === 'member').map((a) => [a.userId, a]),
      );
      const within = query.departmentId === undefined ? null : expandDepartments([query.departmentId], departments);
      const q = query.q?.trim().toLowerCase();
      const rows = reps.filter((r) => {
        if (within && !r.departmentIds.some((d) => within.has(d))) return false;
        if (q && !r.name.toLowerCase().includes(q) && !r.userId.toLowerCase().includes(q)) return false;
        if (query.role && (accounts.get(r.userId)?.role ?? 'rep') !== query.role) return false;
        return true;
      });
      return Promise.all(rows.map((r) => memberView(corpId, r, accounts.get(r.userId))));
    },

    /** Gives a member a console role (admin, or manager of departments), or takes it away (`rep`). */
    async setMemberAccess(ctx: AuditContext, userId: string, body: MemberAccessBody): Promise<Member> {
      const corpId = ctx.actor.corpId;
      const { reps } = await directory(corpId);
      const rep = reps.find((r) => r.userId === userId) ?? (await repo.repsByIds(db, corpId, [userId]))[0];
      if (!rep) throw new NotFoundError('成员不存在');
      const existing = await repo.findByMember(db, corpId, userId);
      if (existing && ctx.actor.accountId === existing.id && body.role !== existing.role) {
        throw new ConflictError('不能修改自己的角色');
      }
      if (body.role !== 'rep' && INACTIVE_MEMBER_STATUSES.has(rep.status)) {
        throw new BadRequestError('该成员已停用或离职，不能授予管理后台权限', 'role');
      }
      const departmentIds = await checkDepartments(corpId, body.role, body.departmentIds);
      const from = existing?.role ?? 'rep';
      await db.tx(async (tx) => {
        if (existing?.role === 'admin' && body.role !== 'admin' && existing.disabledAt === null) {
          await keepAnAdmin(tx, corpId, existing.id);
        }
        if (body.role === 'rep') {
          if (existing) {
            await repo.deleteSessionsOf(tx, existing.id);
            await repo.deleteAccount(tx, corpId, existing.id);
          }
        } else if (existing) {
          await repo.updateAccount(tx, corpId, existing.id, { role: body.role, departmentIds });
        } else {
          await repo.insertAccount(tx, { corpId, kind: 'member', userId, role: body.role, departmentIds });
        }
        const scopeText =
          body.role === 'manager'
            ? `，负责 ${(await departmentRefs(corpId, departmentIds)).map((d) => d.name).join('、')}`
            : '';
        await deps.audit.record(tx, ctx, {
          action: 'member.access',
          targetType: 'member',
          targetId: userId,
          summary: `成员「${rep.name}」的角色 ${ROLE_NAMES[from]} → ${ROLE_NAMES[body.role]}${scopeText}`,
          detail: {
            from: { role: from, departmentIds: existing?.departmentIds ?? [] },
            to: { role: body.role, departmentIds },
          },
        });
      });
      return memberView(corpId, rep, await repo.findByMember(db, corpId, userId));
    },

    /** Forgets cached directory rows: the directory module calls it after writing reps or departments. */
    invalidate(corpId?: string): void {
      if (corpId) cache.delete(corpId);
      else cache.clear();
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
