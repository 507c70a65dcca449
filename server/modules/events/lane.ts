import type { WecomEvent } from '../../wecom/events.js';

/**
 * Which inbox events must be handled one at a time, in WeCom's order (CreateTime): all events about one customer
 * (an add, a deletion, an edit of the same relation), a corp's tag-library changes, its archive notifications.
 * Stored with the row, so every instance sharing the database honours it (server/db/queue.ts).
 */
export function laneOf(corpId: string, event: WecomEvent): string | null {
  switch (event.kind) {
    case 'external_contact':
      return `${corpId}|${event.externalUserId}`;
    case 'external_tag':
      return `${corpId}|tags`;
    case 'msgaudit_notify':
      return `${corpId}|archive`;
    default:
      return null;
  }
}

/**
 * Where an event stands in its lane: WeCom's CreateTime in ms. CreateTime has whole seconds, and an add and the
 * deletion of the same relation can share one: within a second an add goes first, then edits, then deletions (a
 * relation cannot end before it began).
 */
export function laneOrderOf(event: WecomEvent): number {
  const base = event.createTime * 1000;
  if (event.kind !== 'external_contact') return base;
  if (event.changeType.startsWith('add_')) return base;
  if (event.changeType.startsWith('del_')) return base + 2;
  return base + 1;
}
