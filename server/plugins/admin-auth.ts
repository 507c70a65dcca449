import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnauthorizedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * preHandler for the admin API: `Authorization: Bearer $ADMIN_TOKEN`, or a console session with the admin role
     * once the console-auth plugin is registered (it then decides, the token included).
     */
    requireAdmin(request: FastifyRequest): Promise<void>;
    /** True when the request carries the admin bearer token; throws 401 for any other Authorization header. */
    checkAdminToken(request: FastifyRequest): boolean;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export default fp(
  async (app, opts: { adminToken: string }) => {
    const expected = digest(opts.adminToken);
    app.decorate('checkAdminToken', (request: FastifyRequest) => {
      const header = request.headers.authorization;
      if (header === undefined) return false;
      const match = /^Bearer\s+(.+)$/i.exec(header);
      // Compare fixed-length digests so neither the length nor the content leaks through timing.
      if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
        throw new UnauthorizedError('管理员令牌无效 (Authorization: Bearer ADMIN_TOKEN)');
      }
      return true;
    });
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      if (app.hasDecorator('requireConsoleAdmin')) return app.requireConsoleAdmin(request);
      if (!app.checkAdminToken(request)) {
        throw new UnauthorizedError('需要管理员令牌 (Authorization: Bearer ADMIN_TOKEN)');
      }
    });
  },
  { name: 'admin-auth' },
);
