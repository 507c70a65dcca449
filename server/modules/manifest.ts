import type { FastifyInstance } from 'fastify';
import type { JobDefinition } from './jobs/define.js';
import type { EventHooks } from './events/service.js';

/**
 * A scheduled entry: at each tick of `schedule` (cron, on the corp's clocks) the app enqueues `job` once per corp
 * and period, keyed `<name>:<period>` so every instance's cron can fire and the work still runs once. Cron bodies
 * never do the work themselves.
 */
export interface CronEntry {
  name: string;
  schedule: string;
  /** How the period is keyed: one run per day, hour or minute (in the corp's time zone). */
  period: 'day' | 'hour' | 'minute';
  job: JobDefinition<{ period: string }>;
  /** Also enqueue once when the app starts (keyed by the current period), e.g. the first sync of a new database. */
  atStart?: boolean;
}

/** What a domain module hands the app to register: nothing else about it is wired by hand. */
export interface ModuleManifest {
  name: string;
  /** Fastify plugins with the module's routes, registered in the browser scope (sessions, security headers). */
  routes?: Array<(app: FastifyInstance) => Promise<void>>;
  /** Job kinds the module runs. */
  jobs?: JobDefinition<never>[];
  /** Reactions to inbox events (a customer added, a follow lost, a tag changed …). */
  hooks?: EventHooks;
  cron?: CronEntry[];
}
