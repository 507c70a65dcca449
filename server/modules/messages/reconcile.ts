/**
 * One message in the history, not two, when a rep sends from the sidebar: the send is recorded at once (source
 * `sidebar`, no seq), and when its copy arrives from the archive the two are taken for the same message if
 * - they are in the same rep ↔ customer conversation and the archived one was sent by that rep (sender, receiver);
 * - they have the same type and the same content (text: the same words, whitespace aside; a link: the same URL;
 *   a mini program: the same title; media: the type alone, as the archive names files by its own ids);
 * - the archived msgtime falls between a minute before the sidebar recorded the send (clocks differ) and ten
 *   minutes after it (the rep confirms the send in the WeCom client);
 * the earliest unmatched candidate wins. The sidebar's row is kept (its id is what the sidebar shows) and takes the
 * archived msgid, seq, msgtime and content. Either may come first: a send recorded after its archived copy arrived
 * claims that copy instead of adding a row.
 */
export const RECONCILE_BEFORE_MS = 60_000;
export const RECONCILE_AFTER_MS = 10 * 60_000;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** What two copies of one message have in common, by type. */
export function contentKey(type: string, content: Record<string, unknown>): string {
  switch (type) {
    case 'text':
      return `text:${str(content.content).replace(/\s+/g, ' ').trim()}`;
    case 'link':
      return `link:${str(content.link_url) || str(content.title)}`;
    case 'weapp':
      return `weapp:${str(content.title)}`;
    case 'file':
      return `file:${str(content.filename)}`;
    default:
      return type;
  }
}

export interface Candidate {
  id: number;
  type: string;
  content: Record<string, unknown>;
  sender: string;
  sentAt: number;
}

/** Whether the archived copy `archived` may be the sidebar send `sidebar` (same conversation assumed). */
export function sameSend(sidebar: Candidate, archived: Candidate): boolean {
  return (
    sidebar.sender === archived.sender &&
    sidebar.type === archived.type &&
    archived.sentAt >= sidebar.sentAt - RECONCILE_BEFORE_MS &&
    archived.sentAt <= sidebar.sentAt + RECONCILE_AFTER_MS &&
    contentKey(sidebar.type, sidebar.content) === contentKey(archived.type, archived.content)
  );
}
