import type { Database, Executor } from '../../db/database.js';
import type { WecomEvent } from '../../wecom/events.js';
import type { Outcome } from '../../worker/runner.js';
import type { ContactService } from '../contacts/service.js';
import type { EventRow } from './repo.js';

type ExternalContactEvent = Extract<WecomEvent, { kind: 'external_contact' }>;
type ExternalTagEvent = Extract<WecomEvent, { kind: 'external_tag' }>;
type MsgauditNotifyEvent = Extract<WecomEvent, { kind: 'msgaudit_notify' }>;

/** What a hook knows of the inbox row it runs for (the worker has it already: no need to read it again). */
export interface InboxFacts {
  receivedAt: number;
  idempotencyKey: string;
}

/** Extra work other domains attach to an event (channel codes hook into adds). */
export interface EventHooks {
  /**
   * In the transaction that stores the customer's synced profile (read committed on PostgreSQL: row-level statements
   * only, keyed so that a replayed event changes nothing). Database work only: no network inside.
   */
  afterContactAdded?(
    tx: Executor,
    corpId: string,
    event: ExternalContactEvent,
    eventId: number,
    inbox?: InboxFacts,
  ): Promise<void> | void;
  afterFollowLost?(corpId: string, event: ExternalContactEvent, eventId: number): Promise<void> | void;
  /** The corp tag library changed in WeCom (change_external_tag). */
  afterTagChanged?(corpId: string, event: ExternalTagEvent, eventId: number): Promise<unknown> | unknown;
  /** The chat archive has new messages (msgaudit_notify: a hint without data). */
  afterMsgauditNotify?(corpId: string, event: MsgauditNotifyEvent, eventId: number): Promise<void> | void;
  /** A customer agreed to have their chats with a rep archived (change_external_contact msg_audit_approved). */
  afterMsgAuditApproved?(corpId: string, event: ExternalContactEvent, eventId: number): Promise<void> | void;
}

/** What the worker does with each inbox event. Throwing hands the decision to the retry policy. */
export function createEventService(deps: {
  db: Database;
  contacts: Pick<ContactService, 'syncContact' | 'fetchIfRelated' | 'storeSynced' | 'loseFollow'>;
  /** Every module's hooks, called in this order. */
  hooks?: EventHooks[];
}) {
  const hookSets = deps.hooks ?? [];
  const hooks: Required<EventHooks> = {
    async afterContactAdded(tx, corpId, event, eventId, inbox) {
      for (const h of hookSets) await h.afterContactAdded?.(tx, corpId, event, eventId, inbox);
    },
    async afterFollowLost(corpId, event, eventId) {
      for (const h of hookSets) await h.afterFollowLost?.(corpId, event, eventId);
    },
    async afterTagChanged(corpId, event, eventId) {
      for (const h of hookSets) await h.afterTagChanged?.(corpId, event, eventId);
    },
    async afterMsgauditNotify(corpId, event, eventId) {
      for (const h of hookSets) await h.afterMsgauditNotify?.(corpId, event, eventId);
    },
    async afterMsgAuditApproved(corpId, event, eventId) {
      for (const h of hookSets) await h.afterMsgAuditApproved?.(corpId, event, eventId);
    },
  };

  async function onExternalContact(row: EventRow, e: ExternalContactEvent): Promise<Outcome> {
    switch (e.changeType) {
      case 'add_external_contact':
      case 'add_half_external_contact': {
        // WeCom's profile is the judge: an add it does not confirm (the customer deleted the rep before we asked, or
        // the event names a rep who does not follow this customer) counts nothing — no channel add, no daily cap,
        // no timeline item. Events of a relation run in CreateTime order, so a deletion is applied after its add.
        const synced = await deps.contacts.fetchIfRelated(row.corpId, e.externalUserId);
        const unconfirmed = {
          kind: 'ignored',
          reason: 'WeCom does not confirm that this rep follows the customer',
        } as const;
        if (!synced) return unconfirmed;
        const confirmed = synced.followUsers.some((f) => f.userid === e.userId);
        // One commit for the profile and everything the add leads to (the channel's intake, its jobs, the figures).
        // Row-level statements only (upserts and inserts keyed by source, an atomic counter): correct at read
        // committed, and the intake of every add of a busy channel touches the same counter and channel rows, which
        // SERIALIZABLE would abort and rerun under load.
        await deps.db.tx(
          async (tx) => {
            await deps.contacts.storeSynced(tx, row.corpId, synced);
            if (confirmed) {
              await hooks.afterContactAdded(tx, row.corpId, e, row.id, {
                receivedAt: row.receivedAt,
                idempotencyKey: row.idempotencyKey,
              });
            }
          },
          { isolation: 'read committed' },
        );
        return confirmed ? { kind: 'done' } : unconfirmed;
      }
      case 'edit_external_contact':
        await deps.contacts.syncContact(row.corpId, e.externalUserId);
        return { kind: 'done' };
      case 'del_follow_user':
      case 'del_external_contact': {
        const reason =
          e.changeType === 'del_follow_user'
            ? 'deleted_by_customer'
            : e.source === 'DELETE_BY_TRANSFER'
              ? 'transferred'
              : 'deleted_by_rep';
        const ended = await deps.contacts.loseFollow(
          row.corpId,
          e.userId,
          e.externalUserId,
          reason,
          e.createTime * 1000,
        );
        if (!ended) return { kind: 'ignored', reason: 'no active follow to end' };
        await hooks.afterFollowLost(row.corpId, e, row.id);
        return { kind: 'done' };
      }
      case 'msg_audit_approved':
        await hooks.afterMsgAuditApproved(row.corpId, e, row.id);
        return { kind: 'done' };
      default:
        return { kind: 'ignored', reason: `change type ${e.changeType} is stored only` };
    }
  }

  return {
    async handle(row: EventRow): Promise<Outcome> {
      const event = row.payload;
      if (event.kind === 'external_contact') return onExternalContact(row, event);
      if (event.kind === 'external_tag') {
        await hooks.afterTagChanged(row.corpId, event, row.id);
        return { kind: 'done' };
      }
      if (event.kind === 'msgaudit_notify') {
        await hooks.afterMsgauditNotify(row.corpId, event, row.id);
        return { kind: 'done' };
      }
      return { kind: 'ignored', reason: `${row.eventType} is stored only` };
    },
  };
}
export type EventService = ReturnType<typeof createEventService>;
