import type { SecretBox } from '../../db/secret-box.js';
import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { createNotifyRepo } from './repo.js';
import { notifyRoutes } from './routes.js';
import { createSendJob } from './send-job.js';
import { createNotifyService } from './service.js';

/**
 * Notifications to people: group robots (群机器人, 20 a minute each across instances) and app messages to members,
 * each one a durable job keyed per (rule, subject, period). Other modules call `service.toRobot` / `toMembers` inside
 * their transactions.
 */
export function createNotifyModule(ctx: ModuleContext, deps: { box: SecretBox; agentId: (corpId: string) => number }) {
  const repo = createNotifyRepo(ctx.db);
  const service = createNotifyService({
    db: ctx.db,
    repo,
    box: deps.box,
    jobs: ctx.jobs,
    sendJob: () => sendJob,
    api: (corpId) => ctx.api(corpId),
    now: ctx.now,
  });
  const sendJob = createSendJob({
    db: ctx.db,
    repo,
    service: () => service,
    api: (corpId) => ctx.api(corpId),
    agentId: deps.agentId,
    now: ctx.now,
    log: ctx.log,
  });
  const manifest: ModuleManifest = {
    name: 'notify',
    routes: [async (app) => app.register(notifyRoutes, { service, corpId: ctx.defaultCorpId })],
    jobs: [sendJob as never],
  };
  return { manifest, repo, service, sendJob };
}
export type NotifyModule = ReturnType<typeof createNotifyModule>;
