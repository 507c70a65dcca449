import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { LoginQuery, Me, OAuthCallbackQuery, SESSION_COOKIE } from '../../../shared/schemas/auth.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { oauthStateCookie, signInRateLimits } from './oauth-cookie.js';
import type { AuthService } from './service.js';
import type { SessionService } from './session-service.js';

/** Per client IP: generous for a sales floor behind one NAT, tight enough to stop code or state guessing. */
const AUTH_RATE_LIMIT = { max: 60, timeWindow: '1 minute' };

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody, 502: ErrorBody };

export const authRoutes: FastifyPluginAsyncTypebox<{
  service: AuthService;
  sessions: Pick<SessionService, 'destroy'>;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
}> = async (app, { service, sessions, secureCookies }) => {
  await signInRateLimits(app);
  /** Binds an OAuth attempt to the browser; lives only as long as a sign-in can take. */
  const stateCookie = oauthStateCookie('scrm_oauth', '/api/auth', secureCookies);

  const clearSession = (reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies });

  app.get(
    '/api/auth/login',
    {
      config: { rateLimit: AUTH_RATE_LIMIT },
      schema: { querystring: LoginQuery, response: { 302: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const begun = await service.beginLogin(request.query.returnTo);
      stateCookie.set(reply, begun.stateCookie);
      const { location } = begun;
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
      // The state is single use whatever happens next.
      const { token, expiresAt, returnTo } = await service.completeLogin({
        code: request.query.code,
        state: request.query.state,
        stateCookie: stateCookie.take(request, reply),
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
