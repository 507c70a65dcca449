import Fastify, { type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import { HealthBody } from '../shared/schemas/common.js';
import dbPlugin from './plugins/db.js';
import errorHandler, { frameworkErrorHandler, notFoundHandler } from './plugins/error-handler.js';
import strictInput, { REQUEST_VALIDATION } from './plugins/strict-input.js';
import originPlugin from './plugins/origin.js';
import corpsPlugin from './plugins/corps.js';
import wecomPlugin from './plugins/wecom.js';
import modulesPlugin from './plugins/modules.js';
import workerPlugin from './plugins/worker.js';
import emulatorMount from './plugins/emulator.js';
import { emulatorPlugin } from './emulator/index.js';
import staticPages from './plugins/static-pages.js';
import adminAuth from './plugins/admin-auth.js';
import securityHeaders from './plugins/security-headers.js';
import sessionPlugin from './plugins/session.js';
import consoleAuthPlugin from './plugins/console-auth.js';
import csrfPlugin from './plugins/csrf.js';
import { demoAssetRoutes } from './demo/asset-routes.js';
import { callbackRoutes } from './modules/callback/routes.js';
import { createCallbackService } from './modules/callback/service.js';

/** Query parameters that must never reach a log line. */
const SECRET_QUERY = /([?&](?:corpsecret|access_token|code|key|ticket)=)[^&]*/gi;

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Injectable clock (ms) for services whose rules depend on the time of day. */
  now?: () => number;
}

/** Builds the whole app (no listen). main.ts listens; tests call this and use inject() or listen on port 0. */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      serializers: {
        req: (req) => ({ method: req.method, url: req.url.replace(SECRET_QUERY, '$1***'), remoteAddress: req.ip }),
      },
    },
    trustProxy: config.trustProxy,
    forceCloseConnections: 'idle',
    // With the emulator in this process, WeCom is part of this server: the worker drains in preClose and its last
    // calls to WeCom must still be answered (a 503 would leave a robot message's outcome unknown, never repeated).
    return503OnClosing: !config.emulator,
    ajv: REQUEST_VALIDATION,
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  await app.register(errorHandler);
  await app.register(strictInput);
  await app.register(dbPlugin, { database: config.database });
  await app.register(adminAuth, { adminToken: config.adminToken });
  await app.register(originPlugin, { publicUrl: config.publicUrl });
  await app.register(corpsPlugin, {
    corp: { ...config.wecom, name: config.wecom.corpName },
    dataDir: config.dataDir,
    secretKey: config.secretKey,
  });
  await app.register(wecomPlugin, { apiBase: config.wecom.apiBase });
  await app.register(modulesPlugin, { now: options.now ?? Date.now });
  // Console sessions and the audit of admin changes, before the browser scope (its routes inherit the hook).
  await app.register(consoleAuthPlugin);
  await app.register(workerPlugin, config.worker);
  if (config.emulator) await app.register(emulatorMount, { config });

  // Machine endpoints (the health probe, WeCom's callbacks) live outside the browser scope below: no cookie
  // parsing and no browser security headers on every one of WeCom's posts.
  app.get('/healthz', { schema: { response: { 200: HealthBody } } }, async () => ({ status: 'ok' as const }));
  await app.register(callbackRoutes, {
    service: createCallbackService({
      corps: app.corps,
      store: (rows) => app.modules.events.store(rows),
      onAccepted: () => app.worker.wakeEvents(),
      onReceived: () => app.worker.noteCallback(),
      // The received time starts the 20-second welcome window and picks the welcome's time slot.
      now: options.now,
    }),
  });

  // Everything a browser talks to: the pages, the emulator's pages and API, the sidebar and admin APIs.
  await app.register(async (web) => {
    await web.register(securityHeaders, { https: (config.publicUrl ?? '').startsWith('https://') });
    await web.register(sessionPlugin);
    await web.register(csrfPlugin, { formPrefixes: ['/emulator/'] });
    web.setNotFoundHandler(notFoundHandler);
    if (app.emulator) await web.register(emulatorPlugin, { prefix: '/emulator', emulator: app.emulator });
    await web.register(staticPages);
    for (const manifest of app.modules.manifests) for (const routes of manifest.routes ?? []) await routes(web);
    if (config.demo) await web.register(demoAssetRoutes);
  });

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}
