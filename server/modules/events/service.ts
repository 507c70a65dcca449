import type { WecomEvent } from '../../wecom/events.js';
import type { Outcome } from '../../worker/runner.js';
import type { ContactService } from '../contacts/service.js';
import type { EventRow } from './repo.js';

type ExternalContactEvent = Extract<WecomEvent, { kind: 'external_contact' }>;
type ExternalTagEvent = Extract<WecomEvent, { kind: 'external_tag' }>;

/** Extra work other domains attach to an event (channel codes hook into adds). */
export interface EventHooks {
  afterContactAdded?(corpId: string, event: ExternalContactEvent, eventId: number): Promise<void> | void;
  afterFollowLost?(corpId: string, event: ExternalContactEvent, eventId: number): Promise<void> | void;
  /** The corp tag library changed in WeCom (change_external_tag). */
  afterTagChanged?(corpId: string, event: ExternalTagEvent, eventId: number): Promise<unknown> | unknown;
}

/** What the worker does with each inbox event. Throwing hands the decision to the retry policy. */
export function createEventService(deps: {
  contacts: Pick<ContactService, 'syncContact' | 'loseFollow'>;
  hooks?: EventHooks;
}) {
  const hooks: EventHooks = deps.hooks ?? {};

  async function onExternalContact(row: EventRow, e: ExternalContactEvent): Promise<Outcome> {
    switch (e.changeType) {
      case 'add_external_contact':
      case 'add_half_external_contact':
        await deps.contacts.syncContact(row.corpId, e.externalUserId);
        await hooks.afterContactAdded?.(row.corpId, e, row.id);
        return { kind: 'done' };
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
        const ended = deps.contacts.loseFollow(row.corpId, e.userId, e.externalUserId, reason, e.createTime * 1000);
        if (!ended) return { kind: 'ignored', reason: 'no active follow to end' };
        await hooks.afterFollowLost?.(row.corpId, e, row.id);
        return { kind: 'done' };
      }
      default:
        return { kind: 'ignored', reason: `change type ${e.changeType} is stored only` };
    }
  }

  return {
    async handle(row: EventRow): Promise<Outcome> {
      const event = JSON.parse(row.payload) as WecomEvent;
      if (event.kind === 'external_contact') return onExternalContact(row, event);
      if (event.kind === 'external_tag' && hooks.afterTagChanged) {
        await hooks.afterTagChanged(row.corpId, event, row.id);
        return { kind: 'done' };
      }
      return { kind: 'ignored', reason: `${row.eventType} is stored only` };
    },
    /** Events about one customer are handled in order, one at a time; so are a corp's tag-library changes. */
    lane(row: EventRow): string | null {
      const event = JSON.parse(row.payload) as WecomEvent;
      if (event.kind === 'external_tag') return `${row.corpId}|tags`;
      return event.kind === 'external_contact' ? `${row.corpId}|${event.externalUserId}` : null;
    },
  };
}
export type EventService = ReturnType<typeof createEventService>;
