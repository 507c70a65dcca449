import fp from 'fastify-plugin';
import { createScheduler, type Scheduler } from '../app/scheduler.js';
import type { ModuleContext } from '../modules/context.js';
import { createModules, type Modules } from '../modules/index.js';
import { createJobsModule } from '../modules/jobs/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    modules: Modules;
    /** The cron entries of every module (started on ready when background jobs are on, stopped on close). */
    scheduler: Scheduler;
  }
}

/**
 * Builds every domain module (server/modules/index.ts) and registers what their manifests contribute that is not
 * routes: job kinds with the job service, cron entries with the scheduler. Routes are registered by buildApp in the
 * browser scope; event hooks were handed to the events module when it was built.
 */
export default fp(
  async (app, opts: { now: () => number }) => {
    const jobs = createJobsModule({ db: app.db, now: opts.now });
    const ctx: ModuleContext = {
      config: app.config,
      db: app.db,
      api: (corpId) => app.wecom.api(corpId),
      jobs: jobs.service,
      now: opts.now,
      origin: app.origin,
      log: app.log,
      defaultCorpId: () => app.defaultCorp.corpId,
    };
    const modules = createModules(ctx, {
      corps: app.corps,
      signer: (corpId) => app.wecom.jsapi(corpId),
      jobs,
      // Registered after this plugin (demo mode, tests): read when the archive first opens.
      emulatorArchive: () => app.emulator?.archive,
    });
    for (const manifest of modules.manifests) for (const job of manifest.jobs ?? []) jobs.service.register(job);

    const scheduler = createScheduler({
      entries: modules.manifests.flatMap((m) => m.cron ?? []),
      db: app.db,
      jobs: jobs.service,
      corpIds: () => app.corps.ids(),
      timeZone: app.config.timeZone,
      now: opts.now,
      log: app.log,
    });
    app.decorate('modules', modules);
    app.decorate('scheduler', scheduler);
    if (app.config.backgroundJobs) {
      // After listen: the jobs call WeCom, which in demo mode is our own emulator, reachable only then.
      app.addHook('onListen', async () => scheduler.start());
      app.addHook('preClose', async () => scheduler.stop());
    }
  },
  { name: 'modules', dependencies: ['db', 'corps', 'wecom', 'origin'] },
);
