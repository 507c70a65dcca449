import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { LoginQuery, Me, OAuthCallbackQuery, SESSION_COOKIE } from '../../../shared/schemas/auth.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { AppError } from '../../errors.js';
import type { AuthService } from './service.js';
import { OAUTH_STATE_TTL_MS, type SessionService } from './session-service.js';

/** Binds an OAuth attempt to the browser; lives only as long as a sign-in can take. */
const STATE_COOKIE = 'scrm_oauth';
const STATE_COOKIE_PATH = '/api/auth';
const STATE_TTL_SECONDS = OAUTH_STATE_TTL_MS / 1000;

/** Per client IP: generous for a sales floor behind one NAT, tight enough to stop code or state guessing. */
const AUTH_RATE_LIMIT = { max: 60, timeWindow: '1 minute' };

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody, 502: ErrorBody };

export const authRoutes: FastifyPluginAsyncTypebox<{
  service: AuthService;
  sessions: Pick<SessionService, 'destroy'>;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
}> = async (app, { service, sessions, secureCookies }) => {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate_limited', `请求过于频繁，请 ${Math.ceil(context.ttl / 1000)} 秒后再试`),
  });

  const clearSession = (reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies });

  app.get(
    '/api/auth/login',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: { querystring: LoginQuery, response: { 302: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const { location, stateCookie } = await service.beginLogin(request.query.returnTo);
      reply.setCookie(STATE_COOKIE, stateCookie, {
        path: STATE_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        maxAge: STATE_TTL_SECONDS,
      });
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    },
  );

  app.get(
    '/api/auth/callback',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: { querystring: OAuthCallbackQuery, response: { 302: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const stateCookie = request.cookies[STATE_COOKIE];
      // The state is single use whatever happens next.
      reply.clearCookie(STATE_COOKIE, {
        path: STATE_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
      });
      const { token, expiresAt, returnTo } = await service.completeLogin({
        code: request.query.code,
        state: request.query.state,
        stateCookie,
        previousSession: request.cookies[SESSION_COOKIE],
      });
      // Lax, not Strict: the browser arrives here from WeCom's page, and the redirect that follows must carry it.
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        expires: new Date(expiresAt),
      });
      return reply.header('cache-control', 'no-store').redirect(returnTo, 302);
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { rateLimit: AUTH_RATE_LIMIT }, schema: { response: { 204: Type.Null(), 429: ErrorBody } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await sessions.destroy(token);
      clearSession(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me',
    { onRequest: app.requireUser, schema: { response: { 200: Me, 401: ErrorBody } } },
    async (request) => ({ ...(await service.me(request.currentUser())), timeZone: app.config.timeZone }),
  );
};
