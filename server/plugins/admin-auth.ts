import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnauthorizedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for the admin API: `Authorization: Bearer $ADMIN_TOKEN` (until console login exists). */
    requireAdmin(request: FastifyRequest): Promise<void>;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export default fp(
  async (app, opts: { adminToken: string }) => {
    const expected = digest(opts.adminToken);
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      const header = request.headers.authorization ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header);
      // Compare fixed-length digests so neither the length nor the content leaks through timing.
      if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
        throw new UnauthorizedError('需要管理员令牌 (Authorization: Bearer ADMIN_TOKEN)');
      }
    });
  },
  { name: 'admin-auth' },
);
