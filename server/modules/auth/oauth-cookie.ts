import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { OAUTH_STATE_TTL_MS } from './session-service.js';

/**
 * The short-lived cookie that binds a WeCom sign-in (OAuth, the sidebar's or the console's) to the browser that
 * started it. Lax: the browser comes back from WeCom's page, a cross-site navigation, and must bring it; scoped to
 * the sign-in routes' path; single use: taken (read and cleared) by the callback whatever happens next.
 */
export function oauthStateCookie(name: string, path: string, secure: boolean) {
  const options = { path, httpOnly: true, sameSite: 'lax' as const, secure };
  return {
    set(reply: FastifyReply, value: string): void {
      reply.setCookie(name, value, { ...options, maxAge: OAUTH_STATE_TTL_MS / 1000 });
    },
    take(request: FastifyRequest, reply: FastifyReply): string | undefined {
      reply.clearCookie(name, options);
      return request.cookies[name];
    },
  };
}

/** Rate limits for sign-in routes (per route, `config.rateLimit`), refused with a Chinese 429. */
export async function signInRateLimits(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate_limited', `请求过于频繁，请 ${Math.ceil(context.ttl / 1000)} 秒后再试`),
  });
}
