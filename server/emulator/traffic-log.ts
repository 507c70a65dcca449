import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** Fastify's request-logger factory type (not exported by name). */
type ChildLoggerFactory = Parameters<FastifyInstance['setChildLoggerFactory']>[0];

/** The user agent of the emulator's callbacks (WeCom's own is `Mozilla/4.0`). */
export const EMULATOR_USER_AGENT = 'Mozilla/4.0 (WeCom emulator)';

/**
 * The emulator's own traffic: its pages and API under /emulator (whether a browser or our WeCom client asks), and
 * the callbacks it posts to our callback route. None of it is the product's work, and one demo click makes dozens of
 * such requests.
 */
export function isEmulatorTraffic(req: { url?: string; headers: IncomingHttpHeaders }): boolean {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (path === '/emulator' || path.startsWith('/emulator/')) return true;
  return path.startsWith('/wecom/callback/') && req.headers['user-agent'] === EMULATOR_USER_AGENT;
}

/** The same logger with its info lines written at debug level (children too); other levels are unchanged. */
export function infoAsDebug(log: FastifyBaseLogger): FastifyBaseLogger {
  const quiet = Object.create(log) as FastifyBaseLogger;
  quiet.info = log.debug.bind(log);
  quiet.child = (bindings, options) => infoAsDebug(log.child(bindings, options));
  return quiet;
}

/**
 * Request loggers for an app with the emulator mounted: the emulator's traffic logs its request lines (incoming,
 * completed) at debug, so `LOG_LEVEL=info` shows the product's requests only and `LOG_LEVEL=debug` shows everything.
 * Warnings and errors keep their level.
 */
export const emulatorTrafficLoggerFactory: ChildLoggerFactory = function (logger, bindings, options, rawReq) {
  const child = logger.child(bindings, options);
  return isEmulatorTraffic(rawReq) ? infoAsDebug(child) : child;
};
