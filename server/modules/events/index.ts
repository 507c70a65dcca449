import type { ModuleContext } from '../context.js';
import type { ContactService } from '../contacts/service.js';
import type { EventRepo, NewInboxEvent } from './repo.js';
import { createEventService, type EventHooks } from './service.js';

/**
 * The events inbox: WeCom's callbacks stored exactly once (durably, before WeCom gets its 200), then handled in
 * lane order by the worker, with every module's hooks. The repo is made first (server/modules/index.ts): modules
 * that read inbox rows need it before the hooks they provide exist.
 */
export function createEventsModule(
  ctx: ModuleContext,
  deps: {
    repo: EventRepo;
    contacts: Pick<ContactService, 'syncContact' | 'fetchIfRelated' | 'storeSynced' | 'loseFollow'>;
    hooks: EventHooks[];
  },
) {
  const { db } = ctx;
  const { repo } = deps;
  const service = createEventService({ db, contacts: deps.contacts, hooks: deps.hooks });
  return {
    repo,
    service,
    /** One commit for the batch, then the WAL synced (SQLite) before anyone is told "stored". */
    async store(rows: NewInboxEvent[]): Promise<boolean[]> {
      const inserted = await repo.insertMany(db, rows);
      await db.durable();
      return inserted;
    },
  };
}
export type EventsModule = ReturnType<typeof createEventsModule>;
