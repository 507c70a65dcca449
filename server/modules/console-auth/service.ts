import type { ConsoleLoginError, ConsoleMe } from '../../../shared/schemas/console-auth.js';
import { pad2, wallTime } from '../../../shared/time-zone.js';
import type { Database } from '../../db/database.js';
import { AppError, BadRequestError, ForbiddenError, UnauthorizedError } from '../../errors.js';
import type { WecomApi } from '../../wecom/api.js';
import { WecomApiError, WecomNetworkError } from '../../wecom/errors.js';
import type { AuditService } from '../audit/service.js';
import { checkStateCookie, newOAuthState, safeReturnTo, stateCookieValue } from '../auth/oauth-state.js';
import type { SessionService } from '../auth/session-service.js';
import type { DirectoryService } from '../directory/service.js';
import type { AuditContext, ConsoleActor } from './actor.js';
import { checkPasswordRules, hashPassword, verifyPassword } from './password.js';
import type { AccountRow, ConsoleAuthRepo } from './repo.js';
import { INACTIVE_MEMBER_STATUSES, type ConsoleSessionService } from './session-service.js';
import type { SettingsService } from './settings.js';

export const CONSOLE_HOME = '/console/';

/** A WeCom sign-in that cannot go on: the callback sends the browser to `/console/login?error=<code>`. */
export class ConsoleLoginFailure extends Error {
  constructor(readonly code: ConsoleLoginError) {
    super(code);
  }
}

/** A request's origin, for the audit log. */
export interface RequestMeta {
  ip: string;
  requestId: string;
}

/**
 * Signing in to the console: local accounts with a password (lockout after repeated failures), and WeCom web
 * sign-in (扫码登录) for members with a role. Sessions come from the console session service.
 */
export function createConsoleAuthService(deps: {
  db: Database;
  repo: ConsoleAuthRepo;
  sessions: ConsoleSessionService;
  settings: Pick<SettingsService, 'get'>;
  audit: Pick<AuditService, 'record' | 'recordRaw'>;
  /** The sidebar's sign-in keeps OAuth states in the database; the console's WeCom sign-in shares that table. */
  oauthStates: Pick<SessionService, 'issueOAuthState' | 'consumeOAuthState'>;
  directory: Pick<DirectoryService, 'ensureReps' | 'findRep'>;
  api: (corpId: string) => Pick<WecomApi, 'getUserInfoByCode'>;
  loginCorp: () => { corpId: string; agentId: number; name: string };
  /** WeCom's web sign-in (https://login.work.weixin.qq.com, or the emulator). */
  ssoBase: () => string;
  publicOrigin: () => string;
  timeZone: string;
  demo: boolean;
  now: () => number;
}) {
  const { db, repo } = deps;

  /** `14:35`, or `12月7日 09:00` when the moment is not today (corp time zone). */
  function clock(ms: number): string {
    const t = wallTime(ms, deps.timeZone);
    const today = wallTime(deps.now(), deps.timeZone);
    const time = `${pad2(t.hour)}:${pad2(t.minute)}`;
    return t.year === today.year && t.month === today.month && t.day === today.day
      ? time
      : `${t.month}月${t.day}日 ${time}`;
  }

  const locked = (until: number) =>
    new AppError(423, 'account_locked', `密码错误次数过多，账号已锁定，请于 ${clock(until)} 后再试`, {
      unlockAt: until,
    });
  const invalid = () => new AppError(401, 'invalid_credentials', '用户名或密码错误');

  const accountCtx = (account: AccountRow, meta: RequestMeta): AuditContext => ({
    actor: {
      kind: account.kind,
      corpId: account.corpId,
      accountId: account.id,
      username: account.username,
      userId: account.userId,
      name: account.name || account.username || account.userId || '',
      role: account.role,
      departmentIds: account.departmentIds,
      mustChangePassword: false,
      sessionExpiresAt: null,
    },
    ...meta,
  });

  async function anonymousFailure(corpId: string, username: string, meta: RequestMeta, reason: string) {
    await deps.audit.recordRaw({
      corpId,
      at: deps.now(),
      actorKind: 'anonymous',
      actorId: null,
      actorName: username.slice(0, 64),
      action: 'auth.login_failed',
      targetType: 'account',
      targetId: null,
      summary: `登录失败：${reason}`,
      detail: { username: username.slice(0, 64) },
      ip: meta.ip,
      requestId: meta.requestId,
    });
  }

  async function me(actor: ConsoleActor): Promise<ConsoleMe> {
    const corp = deps.loginCorp();
    const departments = await repo.departments(db, actor.corpId);
    const names = new Map(departments.map((d) => [d.departmentId, d.name]));
    let avatar = '';
    if (actor.kind === 'member' && actor.userId)
      avatar = (await deps.directory.findRep(actor.corpId, actor.userId))?.avatar ?? '';
    return {
      user: {
        kind: actor.kind === 'system' ? 'token' : actor.kind,
        accountId: actor.accountId,
        username: actor.username,
        userId: actor.userId,
        name: actor.name,
        avatar,
        role: actor.role,
        departments: actor.departmentIds.map((id) => ({ id, name: names.get(id) ?? `部门 ${id}` })),
        mustChangePassword: actor.mustChangePassword,
      },
      corp: { corpId: corp.corpId, name: (await deps.settings.get(corp.corpId)).displayName },
      timeZone: deps.timeZone,
      demo: deps.demo,
      sessionExpiresAt: actor.sessionExpiresAt,
    };
  }

  return {
    me,

    /**
     * A password sign-in. Unknown usernames and wrong passwords get the same answer in the same time; a locked
     * account is refused without looking at the password; the n-th wrong password in a row locks the account.
     */
    async login(
      username: string,
      password: string,
      meta: RequestMeta,
    ): Promise<{ token: string; expiresAt: number; me: ConsoleMe }> {
      const { corpId } = deps.loginCorp();
      const account = await repo.findByUsername(db, corpId, username.trim());
      if (!account || account.kind !== 'local') {
        await verifyPassword(password, null);
        await anonymousFailure(corpId, username, meta, '用户名不存在');
        throw invalid();
      }
      const settings = await deps.settings.get(corpId);
      const now = deps.now();
      if (account.lockedUntil !== null && account.lockedUntil > now) {
        await anonymousFailure(corpId, username, meta, '账号已锁定');
        throw locked(account.lockedUntil);
      }
      if (!(await verifyPassword(password, account.passwordHash))) {
        const state = await repo.recordFailure(
          db,
          account.id,
          now,
          settings.lockoutThreshold,
          now + settings.lockoutMinutes * 60_000,
        );
        const ctx = accountCtx(account, meta);
        const lockedNow = state?.lockedUntil != null && state.lockedUntil > now;
        await deps.audit.record(db, ctx, {
          action: lockedNow ? 'auth.locked' : 'auth.login_failed',
          targetType: 'account',
          targetId: account.id,
          summary: lockedNow
            ? `连续 ${state!.failedAttempts} 次密码错误，账号「${account.username}」锁定至 ${clock(state!.lockedUntil!)}`
            : `账号「${account.username}」密码错误（连续第 ${state?.failedAttempts ?? 1} 次）`,
          detail: { failedAttempts: state?.failedAttempts ?? null, lockedUntil: state?.lockedUntil ?? null },
        });
        if (lockedNow) throw locked(state!.lockedUntil!);
        throw invalid();
      }
      if (account.disabledAt !== null) throw new AppError(403, 'account_disabled', '该账号已停用，请联系管理员');
      await repo.recordLogin(db, account.id, now);
      const session = await deps.sessions.create(account);
      const actor = (await deps.sessions.actorOf(account, session.expiresAt))!;
      await deps.audit.record(db, accountCtx(account, meta), {
        action: 'auth.login',
        targetType: 'account',
        targetId: account.id,
        summary: `账号「${account.username}」登录管理后台`,
        detail: { method: 'password' },
      });
      return { ...session, me: await me(actor) };
    },

    /** Where to send the browser for WeCom's web sign-in, and the cookie binding the attempt to this browser. */
    async beginWecomLogin(returnTo: string | undefined): Promise<{ location: string; stateCookie: string }> {
      const target = returnTo === undefined || returnTo === '' ? CONSOLE_HOME : safeReturnTo(returnTo);
      if (!target || !target.startsWith(CONSOLE_HOME)) {
        throw new BadRequestError('returnTo 只能是本站 /console/ 下的相对路径', 'returnTo');
      }
      const { corpId, agentId } = deps.loginCorp();
      const state = newOAuthState();
      await deps.oauthStates.issueOAuthState(state);
      const query = new URLSearchParams({
        login_type: 'CorpApp',
        appid: corpId,
        agentid: String(agentId),
        redirect_uri: `${deps.publicOrigin()}/api/console/auth/wecom/callback`,
        state,
      });
      const location = `${deps.ssoBase().replace(/\/+$/, '')}/wwlogin/sso/login?${query.toString()}`;
      return { location, stateCookie: stateCookieValue(state, target) };
    },

    /**
     * WeCom's redirect back: the state must be this browser's and unused; the code names the member, who must hold
     * an enabled console account and still be an active member. Failures are ConsoleLoginFailure.
     */
    async completeWecomLogin(
      input: { code: string | undefined; state: string | undefined; stateCookie: string | undefined },
      meta: RequestMeta,
    ): Promise<{ token: string; expiresAt: number; returnTo: string }> {
      const state = input.state ?? '';
      const returnTo = checkStateCookie(input.stateCookie, state);
      if (!returnTo || !returnTo.startsWith(CONSOLE_HOME)) throw new ConsoleLoginFailure('state');
      if (!(await deps.oauthStates.consumeOAuthState(state))) throw new ConsoleLoginFailure('state');
      if (!input.code) throw new ConsoleLoginFailure('cancelled');
      const { corpId } = deps.loginCorp();
      let userId: string | undefined;
      try {
        userId = (await deps.api(corpId).getUserInfoByCode(input.code)).userid;
      } catch (err) {
        if (err instanceof WecomApiError && (err.errcode === 40029 || err.errcode === 41008)) {
          throw new ConsoleLoginFailure('code');
        }
        if (err instanceof WecomApiError || err instanceof WecomNetworkError) throw new ConsoleLoginFailure('upstream');
        throw err;
      }
      if (!userId) throw new ConsoleLoginFailure('no_access');
      const account = await repo.findByMember(db, corpId, userId);
      if (!account) {
        await anonymousFailure(corpId, userId, meta, '该成员没有管理后台权限');
        throw new ConsoleLoginFailure('no_access');
      }
      if (account.disabledAt !== null) throw new ConsoleLoginFailure('disabled');
      try {
        await deps.directory.ensureReps(corpId, [userId]);
      } catch (err) {
        if (err instanceof WecomApiError || err instanceof WecomNetworkError) throw new ConsoleLoginFailure('upstream');
        throw err;
      }
      const rep = await deps.directory.findRep(corpId, userId);
      if (!rep || INACTIVE_MEMBER_STATUSES.has(rep.status)) throw new ConsoleLoginFailure('inactive_member');
      await repo.recordLogin(db, account.id, deps.now());
      const session = await deps.sessions.create(account);
      await deps.audit.record(db, accountCtx({ ...account, name: rep.name }, meta), {
        action: 'auth.login',
        targetType: 'account',
        targetId: account.id,
        summary: `成员「${rep.name}」通过企业微信扫码登录管理后台`,
        detail: { method: 'wecom' },
      });
      return { ...session, returnTo };
    },

    /** A local account changes its own password; its other sessions end. */
    async changeOwnPassword(
      ctx: AuditContext,
      input: { currentPassword: string; newPassword: string },
      keepSessionHash: string | null,
    ): Promise<void> {
      const { actor } = ctx;
      if (actor.kind !== 'local' || actor.accountId === null) {
        throw new ForbiddenError('只有本地账号可以修改密码（企业微信成员请使用扫码登录）');
      }
      const account = await repo.findAccount(db, actor.corpId, actor.accountId);
      if (!account) throw new UnauthorizedError();
      if (!(await verifyPassword(input.currentPassword, account.passwordHash))) {
        const settings = await deps.settings.get(actor.corpId);
        const now = deps.now();
        const state = await repo.recordFailure(
          db,
          account.id,
          now,
          settings.lockoutThreshold,
          now + settings.lockoutMinutes * 60_000,
        );
        if (state?.lockedUntil != null && state.lockedUntil > now) {
          await repo.deleteSessionsOf(db, account.id);
          throw locked(state.lockedUntil);
        }
        throw new BadRequestError('当前密码不正确', 'currentPassword');
      }
      if (input.newPassword === input.currentPassword) {
        throw new BadRequestError('新密码不能与当前密码相同', 'newPassword');
      }
      checkPasswordRules(input.newPassword, account.username, 'newPassword');
      const passwordHash = await hashPassword(input.newPassword);
      await db.tx(async (tx) => {
        await repo.updateAccount(tx, actor.corpId, account.id, {
          passwordHash,
          mustChangePassword: false,
          failedAttempts: 0,
          lockedUntil: null,
        });
        await repo.deleteSessionsOf(tx, account.id, keepSessionHash ?? undefined);
        await deps.audit.record(tx, ctx, {
          action: 'account.password_change',
          targetType: 'account',
          targetId: account.id,
          summary: `账号「${account.username}」修改了自己的密码`,
        });
      });
    },
  };
}
export type ConsoleAuthService = ReturnType<typeof createConsoleAuthService>;
