import type { Database } from '../../db/database.js';
import type { ExternalContactEvent } from '../../wecom/events.js';
import type { ChannelRepo } from '../channels/repo.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { TimelineRepo } from '../timeline/repo.js';
import type { AlertRepo } from './repo.js';

export type LossAlertKind = 'customer_deleted_rep' | 'rep_deleted_customer';

const LOSS = {
  del_follow_user: { kind: 'customer_deleted_rep', reason: 'deleted_by_customer', text: '客户删除了员工' },
  del_external_contact: { kind: 'rep_deleted_customer', reason: 'deleted_by_rep', text: '员工删除了客户' },
} as const;

/**
 * Loss of a customer: once the follow has ended (contacts), record it on the timeline, count it against the channel
 * the customer came through and raise an alert for the manager. A deletion caused by 在职继承 (transfer) is recorded
 * on the timeline only: the customer stays with the company.
 */
export function createAlertService(deps: {
  db: Database;
  repo: AlertRepo;
  timeline: Pick<TimelineRepo, 'add'>;
  contacts: Pick<ContactRepo, 'findFollow'>;
  /** Counts the loss against the customer's channel (a no-op when this event's loss is counted already). */
  channels: Pick<ChannelRepo, 'recordMovement'>;
}) {
  const { db } = deps;
  return {
    /** The events module's hook; every write is keyed by the event, so a replayed event records nothing new. */
    async afterFollowLost(corpId: string, e: ExternalContactEvent, eventId: number): Promise<void> {
      if (e.changeType !== 'del_follow_user' && e.changeType !== 'del_external_contact') return;
      const transferred = e.changeType === 'del_external_contact' && e.source === 'DELETE_BY_TRANSFER';
      const loss = LOSS[e.changeType];
      const follow = await deps.contacts.findFollow(db, corpId, e.userId, e.externalUserId);
      const at = follow?.lostAt ?? e.createTime * 1000;
      const sourceKey = `event:${eventId}:lost`;
      await db.tx(async (tx) => {
        await deps.timeline.add(tx, {
          corpId,
          externalUserId: e.externalUserId,
          userId: e.userId,
          kind: 'lost',
          content: transferred ? '客户已由在职继承转给其他员工' : loss.text,
          payload: { reason: transferred ? 'transferred' : loss.reason, channelId: follow?.channelId ?? null },
          sourceKey,
          occurredAt: at,
        });
        if (transferred) return;
        // A loss counts against the channel the customer came through, kept apart from any later re-add.
        const channelId = follow?.channelId;
        if (channelId != null) {
          const common = { corpId, userId: e.userId, externalUserId: e.externalUserId };
          await deps.channels.recordMovement(tx, { ...common, channelId, kind: 'loss', at, sourceKey });
        }
        await deps.repo.add(tx, {
          corpId,
          kind: loss.kind,
          userId: e.userId,
          externalUserId: e.externalUserId,
          detail: { reason: loss.reason, lostAt: at, channelId: follow?.channelId ?? null, eventId },
          sourceKey,
          createdAt: at,
        });
      });
    },
  };
}
export type AlertService = ReturnType<typeof createAlertService>;
