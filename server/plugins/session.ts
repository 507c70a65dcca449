import fastifyCookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { SESSION_COOKIE } from '../../shared/schemas/auth.js';
import { UnauthorizedError } from '../errors.js';
import type { SessionUser } from '../modules/auth/session-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for the rep API: a valid `scrm_session` cookie, else 401. Sets `request.user`. */
    requireUser(request: FastifyRequest): Promise<void>;
    /** preHandler for reads shared by the sidebar and the console: a rep session, a console session, or the admin token. */
    requireUserOrAdmin(request: FastifyRequest): Promise<void>;
  }
  interface FastifyRequest {
    /** The signed-in rep (after requireUser); null for admin-token requests and before authentication. */
    user: SessionUser | null;
    /** The signed-in rep of a request that passed requireUser; throws 401 otherwise. */
    currentUser(): SessionUser;
  }
}

/** Reads the session cookie on each request that asks for it; sessions live in the database (the auth module). */
export default fp(
  async (app) => {
    if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
    app.decorateRequest('user', null);
    app.decorateRequest('currentUser', function (this: FastifyRequest) {
      if (!this.user) throw new UnauthorizedError();
      return this.user;
    });
    const { sessions } = app.modules.auth;

    const fromCookie = async (request: FastifyRequest): Promise<SessionUser | null> => {
      const token = request.cookies[SESSION_COOKIE];
      return token ? sessions.resolve(token) : null;
    };

    app.decorate('requireUser', async (request: FastifyRequest) => {
      const user = await fromCookie(request);
      if (!user) throw new UnauthorizedError();
      request.user = user;
    });

    app.decorate('requireUserOrAdmin', async (request: FastifyRequest) => {
      const user = await fromCookie(request);
      if (user) {
        request.user = user;
        return;
      }
      // The admin token, or a console session (admins and managers read these too).
      if (app.hasDecorator('requireConsole')) return app.requireConsole(request);
      if (request.headers.authorization) return app.requireAdmin(request);
      throw new UnauthorizedError();
    });
  },
  { name: 'session', dependencies: ['modules', 'admin-auth'] },
);
