import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import {
  AccountLockedBody,
  ChangeOwnPasswordBody,
  CONSOLE_SESSION_COOKIE,
  ConsoleLoginBody,
  ConsoleMe,
  ConsoleWecomCallbackQuery,
  ConsoleWecomLoginQuery,
} from '../../../shared/schemas/console-auth.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { oauthStateCookie, signInRateLimits } from '../auth/oauth-cookie.js';
import { ConsoleLoginFailure, type ConsoleAuthService } from './service.js';
import type { ConsoleSessionService } from './session-service.js';

/** Per client address: a sales floor behind one NAT signs in comfortably; password guessing does not get far. */
const LOGIN_RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody, 502: ErrorBody };

/** Console sign-in (password and WeCom web sign-in), sign-out, and who is signed in. */
export const consoleAuthRoutes: FastifyPluginAsyncTypebox<{
  service: ConsoleAuthService;
  sessions: Pick<ConsoleSessionService, 'destroy'>;
  secureCookies: boolean;
}> = async (app, { service, sessions, secureCookies }) => {
  await signInRateLimits(app);
  /** Binds a WeCom sign-in to the browser that started it. */
  const stateCookie = oauthStateCookie('scrm_console_oauth', '/api/console/auth', secureCookies);

  // Strict: the console's pages call the API from its own origin; nothing another site links to needs the session.
  const setSession = (reply: FastifyReply, token: string, expiresAt: number) =>
    reply.setCookie(CONSOLE_SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookies,
      expires: new Date(expiresAt),
    });
  const clearSession = (reply: FastifyReply) =>
    reply.clearCookie(CONSOLE_SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookies });
  const meta = (request: { ip: string; id: unknown }) => ({ ip: request.ip, requestId: String(request.id) });

  app.post(
    '/api/console/auth/login',
    {
      config: { rateLimit: LOGIN_RATE_LIMIT },
      schema: { body: ConsoleLoginBody, response: { 200: ConsoleMe, 423: AccountLockedBody, ...errors } },
    },
    async (request, reply) => {
      const previous = request.cookies[CONSOLE_SESSION_COOKIE];
      const { token, expiresAt, me } = await service.login(request.body.username, request.body.password, meta(request));
      if (previous) await sessions.destroy(previous);
      setSession(reply, token, expiresAt);
      return me;
    },
  );

  app.get(
    '/api/console/auth/wecom',
    {
      config: { rateLimit: LOGIN_RATE_LIMIT },
      schema: { querystring: ConsoleWecomLoginQuery, response: { 302: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const begun = await service.beginWecomLogin(request.query.returnTo);
      stateCookie.set(reply, begun.stateCookie);
      const { location } = begun;
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    },
  );

  app.get(
    '/api/console/auth/wecom/callback',
    {
      config: { rateLimit: LOGIN_RATE_LIMIT },
      schema: { querystring: ConsoleWecomCallbackQuery, response: { 302: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const state = stateCookie.take(request, reply);
      reply.header('cache-control', 'no-store');
      try {
        const previous = request.cookies[CONSOLE_SESSION_COOKIE];
        const { token, expiresAt, returnTo } = await service.completeWecomLogin(
          { code: request.query.code, state: request.query.state, stateCookie: state },
          meta(request),
        );
        if (previous) await sessions.destroy(previous);
        setSession(reply, token, expiresAt);
        return reply.redirect(returnTo, 302);
      } catch (err) {
        if (!(err instanceof ConsoleLoginFailure)) throw err;
        request.log.info({ code: err.code }, 'console WeCom sign-in refused');
        return reply.redirect(`/console/login?error=${err.code}`, 302);
      }
    },
  );

  app.post(
    '/api/console/auth/logout',
    { config: { rateLimit: LOGIN_RATE_LIMIT }, schema: { response: { 204: Type.Null(), 429: ErrorBody } } },
    async (request, reply) => {
      const token = request.cookies[CONSOLE_SESSION_COOKIE];
      if (token) await sessions.destroy(token);
      clearSession(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/console/me',
    {
      onRequest: app.requireConsole,
      config: { allowBeforePasswordChange: true },
      schema: { response: { 200: ConsoleMe, 401: ErrorBody, 403: ErrorBody } },
    },
    async (request) => service.me(request.consoleActor()),
  );

  app.put(
    '/api/console/me/password',
    {
      onRequest: app.requireConsole,
      config: { allowBeforePasswordChange: true },
      schema: { body: ChangeOwnPasswordBody, response: { 204: Type.Null(), 423: AccountLockedBody, ...errors } },
    },
    async (request, reply) => {
      await service.changeOwnPassword(request.auditContext(), request.body, request.consoleSessionHash);
      request.audited = true;
      return reply.status(204).send(null);
    },
  );
};
