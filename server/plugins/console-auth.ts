import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { CONSOLE_SESSION_COOKIE } from '../../shared/schemas/console-auth.js';
import { AppError, ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AuditContext, ConsoleActor, Scope } from '../modules/console-auth/actor.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** A console session (admin or manager) or the admin token; sets `request.actor`. */
    requireConsole(request: FastifyRequest): Promise<void>;
    /** A console session with the admin role, or the admin token. */
    requireConsoleAdmin(request: FastifyRequest): Promise<void>;
  }
  interface FastifyRequest {
    /** Who acts in the console (after requireConsole / requireConsoleAdmin / requireAdmin); null otherwise. */
    actor: ConsoleActor | null;
    /** The console session's token hash (null for the admin token). */
    consoleSessionHash: string | null;
    /** The actor of a request that passed a console guard; 401 otherwise. */
    consoleActor(): ConsoleActor;
    /** The actor with the request's address and id, for the audit log. */
    auditContext(): AuditContext;
    /** The departments the actor may see (admins: all), computed once per request. */
    consoleScope(): Promise<Scope>;
    /** A service recorded this request's change in the audit log itself (the route-level record is skipped). */
    audited: boolean;
  }
  interface FastifyContextConfig {
    /** A console route usable while the account must first change its password (me, logout, change password). */
    allowBeforePasswordChange?: boolean;
  }
}

/**
 * Console authentication for every route that asks for it: the `scrm_console` session cookie (resolved in the
 * database, role and scope as they are now), or the admin bearer token, which acts as an admin. A session whose
 * password an admin reset may only change it (403 `password_change_required` elsewhere).
 */
export default fp(
  async (app) => {
    const { consoleAuth } = app.modules;
    app.decorateRequest('actor', null);
    app.decorateRequest('consoleSessionHash', null);
    app.decorateRequest('audited', false);
    app.decorateRequest('consoleActor', function (this: FastifyRequest) {
      if (!this.actor) throw new UnauthorizedError();
      return this.actor;
    });
    app.decorateRequest('auditContext', function (this: FastifyRequest): AuditContext {
      return { actor: this.consoleActor(), ip: this.ip, requestId: String(this.id) };
    });
    const scopes = new WeakMap<FastifyRequest, Promise<Scope>>();
    app.decorateRequest('consoleScope', function (this: FastifyRequest) {
      let scope = scopes.get(this);
      if (!scope) {
        scope = consoleAuth.accounts.scopeOf(this.consoleActor());
        scopes.set(this, scope);
      }
      return scope;
    });

    const tokenActor = (): ConsoleActor => ({
      kind: 'token',
      corpId: app.defaultCorp.corpId,
      accountId: null,
      username: null,
      userId: null,
      name: '管理员令牌',
      role: 'admin',
      departmentIds: [],
      mustChangePassword: false,
      sessionExpiresAt: null,
    });

    async function authenticate(request: FastifyRequest): Promise<ConsoleActor> {
      if (app.checkAdminToken(request)) {
        request.actor = tokenActor();
        return request.actor;
      }
      // Cookies are parsed in the browser scope, where every console and admin route lives.
      const token = request.cookies?.[CONSOLE_SESSION_COOKIE];
      const resolved = token ? await consoleAuth.sessions.resolve(token) : null;
      if (!resolved) {
        throw new UnauthorizedError(
          '未登录或登录已过期（脚本与集成请使用管理员令牌：Authorization: Bearer ADMIN_TOKEN）',
        );
      }
      request.actor = resolved.actor;
      request.consoleSessionHash = resolved.tokenHash;
      if (resolved.actor.mustChangePassword && !request.routeOptions.config?.allowBeforePasswordChange) {
        throw new AppError(403, 'password_change_required', '请先修改初始密码');
      }
      return resolved.actor;
    }

    // Changes made with the admin token or a console session are recorded once they succeed (unless a service did).
    app.addHook('onSend', app.modules.audit.routeAuditor);

    app.decorate('requireConsole', async (request: FastifyRequest) => {
      await authenticate(request);
    });
    app.decorate('requireConsoleAdmin', async (request: FastifyRequest) => {
      const actor = await authenticate(request);
      if (actor.role !== 'admin') throw new ForbiddenError('需要管理员权限');
    });
  },
  { name: 'console-auth', dependencies: ['modules', 'admin-auth'] },
);
