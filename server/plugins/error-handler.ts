import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message: string;
  validation?: Array<{ instancePath?: string; params?: Record<string, unknown> }>;
}

/** The input a schema error is about, as a dotted path (`welcome.attachments.3.url`), so a form can point at it. */
function fieldOf(validation: FastifyLikeError['validation']): string | undefined {
  const first = validation?.[0];
  if (!first) return undefined;
  const parts = (first.instancePath ?? '').split('/').filter(Boolean);
  const missing = first.params?.['missingProperty'];
  if (typeof missing === 'string') parts.push(missing);
  return parts.length > 0 ? parts.join('.') : undefined;
}

/** 404 for any path without a route. buildApp sets it in the browser scope, so the answer carries its headers. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  reply.status(404).send({ error: 'not_found', message: '不存在', requestId: request.id });
}

/**
 * The one place errors become HTTP answers: `{ error, message, requestId }`.
 * Typed AppErrors keep their status and message; Fastify's own 4xx (validation, body too large,
 * unsupported media type) keep theirs; anything else is a 500 whose details stay in the log.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyLikeError, request, reply) => {
      if (err instanceof AppError) {
        request.log.info({ code: err.code, details: err.details }, err.message);
        return reply
          .status(err.statusCode)
          .send({ error: err.code, message: err.message, requestId: request.id, ...err.details });
      }
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        request.log.info({ code: err.code }, err.message);
        const error = err.validation ? 'bad_request' : (err.code ?? 'bad_request').toLowerCase();
        const field = fieldOf(err.validation);
        return reply
          .status(status)
          .send({ error, message: err.message, requestId: request.id, ...(field ? { field } : {}) });
      }
      request.log.error({ err }, 'unhandled error');
      return reply.status(500).send({ error: 'internal', message: '服务器内部错误', requestId: request.id });
    });
  },
  { name: 'error-handler' },
);
