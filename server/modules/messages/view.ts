import type { Executor } from '../../db/database.js';
import type { Message, MessageHit, MessageMedia } from '../../../shared/schemas/messages.js';
import type { MessageMediaRow, MessageRepo, MessageRow } from './repo.js';

/** Fields of WeCom's objects that only the archive can use (GetMediaData ids): never sent to browsers. */
const INTERNAL_FIELDS = new Set(['sdkfileid']);

function publicContent(content: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(content)) if (!INTERNAL_FIELDS.has(k)) out[k] = v;
  return out;
}

/** Messages as the API shows them: names of the people, media with their download address once fetched. */
export function createMessageView(repo: Pick<MessageRepo, 'mediaOf' | 'repNames' | 'contactNames' | 'mediaObject'>) {
  async function mediaByMessage(ex: Executor, corpId: string, rows: MessageRow[]) {
    const media = await repo.mediaOf(
      ex,
      rows.map((r) => r.id),
    );
    const objects = new Map<string, { size: number; mime: string }>();
    for (const hash of new Set(media.flatMap((m) => (m.hash ? [m.hash] : [])))) {
      const o = await repo.mediaObject(ex, corpId, hash);
      if (o) objects.set(hash, { size: o.size, mime: o.mime });
    }
    const out = new Map<number, MessageMedia[]>();
    for (const m of media) {
      const list = out.get(m.messageId) ?? [];
      list.push(mediaView(m, m.hash ? objects.get(m.hash) : undefined));
      out.set(m.messageId, list);
    }
    return out;
  }

  function mediaView(m: MessageMediaRow, o: { size: number; mime: string } | undefined): MessageMedia {
    const stored = m.status === 'stored' && m.hash && o;
    return {
      kind: m.kind,
      status: m.status,
      name: m.name,
      size: stored ? o.size : m.declaredSize,
      mime: stored ? o.mime : null,
      url: stored ? `/api/media/${m.hash}` : null,
    };
  }

  async function messages(ex: Executor, corpId: string, rows: MessageRow[]): Promise<Message[]> {
    if (rows.length === 0) return [];
    const senders = [...new Set(rows.map((r) => r.sender))];
    const [repNames, customerNames, media] = await Promise.all([
      repo.repNames(ex, corpId, senders),
      repo.contactNames(ex, corpId, senders),
      mediaByMessage(ex, corpId, rows),
    ]);
    return rows.map((r) => {
      const customer = r.direction === 'customer_to_rep';
      return {
        id: r.id,
        msgid: r.msgid,
        type: r.type,
        direction: r.direction,
        sender: {
          id: r.sender,
          kind: customer ? ('customer' as const) : ('rep' as const),
          name: (customer ? customerNames.get(r.sender) : repNames.get(r.sender)) ?? r.sender,
        },
        text: r.text,
        content: publicContent(r.content),
        media: media.get(r.id) ?? [],
        sentAt: r.sentAt,
        recalled: r.recalled,
        source: r.source,
        archived: r.seq !== null,
        rev: r.rev,
      };
    });
  }

  /** Search hits: the message plus the rep and customer it concerns, by name. */
  async function hits(ex: Executor, corpId: string, rows: MessageRow[]): Promise<MessageHit[]> {
    const base = await messages(ex, corpId, rows);
    const [reps, customers] = await Promise.all([
      repo.repNames(ex, corpId, [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))]),
      repo.contactNames(ex, corpId, [...new Set(rows.flatMap((r) => (r.externalUserId ? [r.externalUserId] : [])))]),
    ]);
    return base.map((m, i) => {
      const r = rows[i]!;
      return {
        ...m,
        conversationId: r.conversationId,
        userId: r.userId,
        userName: r.userId ? (reps.get(r.userId) ?? r.userId) : null,
        externalUserId: r.externalUserId,
        customerName: r.externalUserId ? (customers.get(r.externalUserId) ?? r.externalUserId) : null,
        roomId: r.roomId,
      };
    });
  }

  return { messages, hits };
}
export type MessageView = ReturnType<typeof createMessageView>;
