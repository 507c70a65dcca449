import type { ChannelRepo } from '../channels/repo.js';
import type { ModuleContext } from '../context.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { ModuleManifest } from '../manifest.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { createAlertRepo } from './repo.js';
import { createAlertService } from './service.js';

/** What a lost customer leaves: the timeline item, the channel's loss and the manager's alert (an event hook). */
export function createAlertsModule(
  ctx: ModuleContext,
  deps: {
    timeline: Pick<TimelineRepo, 'add'>;
    contacts: Pick<ContactRepo, 'findFollow'>;
    /** The channels module's repo. */
    channels: Pick<ChannelRepo, 'recordMovement'>;
  },
) {
  const repo = createAlertRepo(ctx.db);
  const service = createAlertService({
    db: ctx.db,
    repo,
    timeline: deps.timeline,
    contacts: deps.contacts,
    channels: deps.channels,
  });
  const manifest: ModuleManifest = {
    name: 'alerts',
    hooks: { afterFollowLost: service.afterFollowLost },
  };
  return { manifest, repo, service };
}
export type AlertsModule = ReturnType<typeof createAlertsModule>;
