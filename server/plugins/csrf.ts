import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Methods that change nothing: the only ones a page of another origin may make a browser send to us. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The media type of a Content-Type header, without parameters, lower case. */
const mediaType = (header: string) => header.split(';', 1)[0]!.trim().toLowerCase();

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: 403 | 415, error: string, message: string) {
  request.log.info({ origin: request.headers.origin, site: request.headers['sec-fetch-site'] }, error);
  return reply.status(status).send({ error, message, requestId: request.id });
}

/**
 * Cross-site request forgery guard for everything a browser talks to. Registered once in the browser scope, its hook
 * runs before every route there, present and future, and before their own guards.
 *
 * A state-changing request (any method but GET, HEAD, OPTIONS) passes only when:
 * - where it comes from is this server's public origin: `Sec-Fetch-Site`, when sent, is `same-origin`, and `Origin`,
 *   when sent, is exactly `app.origin.public()` (another port of the same host is another origin; `null` is none). A
 *   request carrying cookies must say where it comes from: every current browser sends one of the two headers, so a
 *   request with cookies and neither is refused. Scripts with the admin token (no cookies, no Origin) pass.
 * - its body is JSON: `application/json`, or no body and no Content-Type at all. Forms and text/plain are what a
 *   page of another origin can send without asking the browser first (no CORS preflight), so they are refused.
 *   Routes under `formPrefixes` (the demo emulator: WeCom clients' assorted bodies and its own pages' forms) keep
 *   their own parsing; the origin rule still holds there.
 */
export default fp(
  async (app, opts: { formPrefixes?: readonly string[] }) => {
    const formPrefixes = opts.formPrefixes ?? [];
    let allowedOrigin: string | null = null;
    /** The public origin (scheme, host, port) once known: PUBLIC_URL, or the listening address once listening. */
    const publicOrigin = (): string | null => {
      if (allowedOrigin === null) {
        try {
          allowedOrigin = new URL(app.origin.public()).origin;
        } catch {
          return null;
        }
      }
      return allowedOrigin;
    };

    app.addHook('onRequest', async (request, reply) => {
      if (SAFE_METHODS.has(request.method)) return;
      const { origin, cookie } = request.headers;
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') {
        return refuse(request, reply, 403, 'cross_site_request', '拒绝跨站请求：请在本系统的页面中操作');
      }
      if (origin !== undefined && origin !== publicOrigin()) {
        return refuse(request, reply, 403, 'cross_site_request', '拒绝跨站请求：请求来源不是本系统的地址');
      }
      if (origin === undefined && site === undefined && cookie !== undefined) {
        return refuse(request, reply, 403, 'cross_site_request', '拒绝跨站请求：请求未说明来源（Origin）');
      }

      const route = request.routeOptions.url;
      if (route !== undefined && formPrefixes.some((prefix) => route.startsWith(prefix))) return;
      const type = request.headers['content-type'];
      if (type === undefined ? hasBody(request) : mediaType(type) !== 'application/json') {
        return refuse(
          request,
          reply,
          415,
          'unsupported_media_type',
          '只接受 JSON 格式的请求（Content-Type: application/json）',
        );
      }
    });
  },
  { name: 'csrf', dependencies: ['origin'] },
);
