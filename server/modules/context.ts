import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { WecomApi } from '../wecom/api.js';
import type { JobService } from './jobs/service.js';

/** What every domain module may use; anything more it receives from other modules, named, in its factory's deps. */
export interface ModuleContext {
  config: Config;
  db: Database;
  /** The WeCom API of a corp (token cache, typed errors). */
  api(corpId: string): WecomApi;
  jobs: JobService;
  /** The app's clock (injectable in tests). */
  now(): number;
  origin: {
    /** Where this process reaches itself (loopback). */
    internal(): string;
    /** Where users reach us (PUBLIC_URL or the listening address). */
    public(): string;
  };
  log: FastifyBaseLogger;
  /** The corp the environment configures (the demo corp in demo mode): the admin API's corp. */
  defaultCorpId(): string;
}
