import type { FastifyPluginAsync } from 'fastify';
import { normalizeApiPath } from './call-log.js';
import type { Emulator } from './emulator.js';
import { EmulatorInputError } from './errcodes.js';
import { boundaryOf } from './multipart.js';
import { INVALID_JSON } from './params.js';
import { registerArchiveSdkRoutes } from './routes-archive.js';
import { registerChatControls } from './routes-chat.js';
import { registerControls } from './routes-control.js';
import { registerOAuthPages } from './routes-oauth.js';
import { registerPages } from './routes-pages.js';
import { registerSsoPages } from './routes-sso.js';
import { emulatorTrafficLoggerFactory } from './traffic-log.js';

/** media/upload accepts files up to 20 MB. */
const BODY_LIMIT = 25 * 1024 * 1024;

function jsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return INVALID_JSON;
  }
}

function formBody(body: unknown): Record<string, string> {
  if (!Buffer.isBuffer(body)) return {};
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function flatQuery(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/**
 * The WeCom emulator over HTTP. Not wrapped in fastify-plugin on purpose: its content-type parsing, error and
 * not-found handling stay inside its prefix. The app registers it with `{ prefix: '/emulator' }` in demo mode and
 * tests only; it must never be mounted with real credentials.
 */
export const emulatorPlugin: FastifyPluginAsync<{ emulator: Emulator }> = async (app, { emulator }) => {
  // Its request lines are debug, not info: the emulator is WeCom's stand-in, not the product at work.
  app.setChildLoggerFactory(emulatorTrafficLoggerFactory);
  // WeCom clients send JSON with assorted content types (or none); uploads are multipart; pages post forms.
  // Every body is taken raw and decoded by the route that knows what it expects.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof EmulatorInputError)
      return reply.status(400).send({ error: 'bad_request', message: err.message });
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.status(status).send({ error: 'bad_request', message: err.message });
    req.log.error({ err }, 'emulator error');
    return reply.status(500).send({ error: 'internal', message: 'emulator internal error' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: 'not_found', message: `the emulator has no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  app.route({
    method: ['GET', 'POST'],
    url: '/cgi-bin/*',
    bodyLimit: BODY_LIMIT,
    handler: async (req, reply) => {
      const contentType = req.headers['content-type'];
      const raw = req.body;
      const res = await emulator.handleApi({
        method: req.method,
        path: normalizeApiPath(`/cgi-bin/${(req.params as { '*': string })['*']}`),
        query: flatQuery(req.query),
        body: boundaryOf(contentType) ? raw : jsonBody(raw),
        contentType,
      });
      return reply.status(res.status).type('application/json; charset=UTF-8').send(res.payload);
    },
  });

  registerOAuthPages(app, emulator.core, formBody);
  registerSsoPages(app, emulator.core, formBody);
  registerPages(app, { core: emulator.core, scan: emulator.scanContactWay, formBody });
  registerControls(app, emulator, jsonBody);
  registerChatControls(app, emulator.archive, jsonBody);
  registerArchiveSdkRoutes(app, {
    core: emulator.core,
    archive: emulator.archive,
    callLog: emulator.core.callLog,
    formBody,
  });
};
