import type { ModuleContext } from '../context.js';
import { createJobRepo } from './repo.js';
import { createJobService } from './service.js';

/** Durable, typed jobs (define.ts) in the jobs table, claimed with leases by any instance. */
export function createJobsModule(ctx: Pick<ModuleContext, 'db' | 'now'>) {
  const repo = createJobRepo(ctx.db);
  const service = createJobService({ db: ctx.db, repo, now: ctx.now });
  return { repo, service };
}
export type JobsModule = ReturnType<typeof createJobsModule>;
