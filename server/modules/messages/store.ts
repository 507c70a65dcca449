import { randomUUID } from 'node:crypto';
import type { Database, Executor } from '../../db/database.js';
import type { KeywordService, StoredForMatch } from '../keywords/service.js';
import type { NewMessage } from './normalize.js';
import { RECONCILE_AFTER_MS, RECONCILE_BEFORE_MS, sameSend, type Candidate } from './reconcile.js';
import type { ConversationRow, MessageInsert, MessageRepo, MessageRow } from './repo.js';
import { searchTerms } from './segment.js';
import type { TimelineWriter } from './timeline-items.js';

/** What storing a batch did. */
export interface StoreResult {
  /** New rows. */
  stored: number;
  /** Already stored (a replayed batch, or the same msgid twice). */
  duplicates: number;
  /** Archived copies matched with a sidebar send (kept as one message). */
  reconciled: number;
  recalled: number;
  alerts: number;
  /** Media files to fetch: message_media ids. */
  media: number[];
  /** Row id of every message of the batch (new, matched or already stored). */
  ids: Map<string, number>;
}

interface Touched {
  row: ConversationRow;
  version: number;
  added: number;
  last: { at: number; id: number } | null;
  lastCustomer: { at: number; id: number } | null;
}

const candidateOf = (m: Pick<MessageRow, 'id' | 'type' | 'content' | 'sender' | 'sentAt'>): Candidate => ({
  id: m.id,
  type: m.type,
  content: m.content,
  sender: m.sender,
  sentAt: m.sentAt,
});

/**
 * Stores messages, in the caller's transaction, with everything that goes with them: their conversations (created
 * on first sight, versions and latest messages kept), reconciliation of sidebar sends with their archived copies,
 * recalls, the `message` timeline items of 1:1 chats, media references, keyword alerts; the live streams are told
 * once the transaction commits. Unique by (corp, msgid): storing a batch again adds nothing.
 */
export function createMessageStore(deps: {
  db: Database;
  repo: MessageRepo;
  timeline: TimelineWriter;
  keywords: Pick<KeywordService, 'matchAndRecord'>;
  /** Told after commit: the conversation changed up to `version`. */
  publish(conversationId: number, version: number): void;
  now: () => number;
  /** Told in the batch's transaction of the messages it added (the suggestions learn from reps' typed replies). */
  onStored?(ex: Executor, corpId: string, stored: Array<{ id: number; message: NewMessage }>): Promise<void>;
}) {
  const { db, repo } = deps;

  async function conversationsFor(
    ex: Executor,
    corpId: string,
    refs: NonNullable<NewMessage['conversation']>[],
    at: number,
  ): Promise<Map<string, Touched>> {
    const byKey = new Map(refs.map((r) => [r.key, r]));
    const keys = [...byKey.keys()];
    let rows = await repo.conversationsByKeys(ex, corpId, keys);
    const missing = keys.filter((k) => !rows.some((r) => r.key === k));
    if (missing.length > 0) {
      await repo.insertConversations(
        ex,
        missing.map((key) => {
          const ref = byKey.get(key)!;
          return { corpId, ...ref, createdAt: at, updatedAt: at };
        }),
      );
      rows = rows.concat(await repo.conversationsByKeys(ex, corpId, missing));
    }
    return new Map(
      rows.map((row) => [row.key, { row, version: row.version, added: 0, last: null, lastCustomer: null }]),
    );
  }

  async function storeBatch(ex: Executor, corpId: string, batch: NewMessage[]): Promise<StoreResult> {
    const at = deps.now();
    const result: StoreResult = {
      stored: 0,
      duplicates: 0,
      reconciled: 0,
      recalled: 0,
      alerts: 0,
      media: [],
      ids: new Map(),
    };
    const unique = new Map<string, NewMessage>();
    for (const m of batch) if (!unique.has(m.msgid)) unique.set(m.msgid, m);
    const existing = await repo.existingMsgids(ex, corpId, [...unique.keys()]);
    const fresh = [...unique.values()].filter((m) => !existing.has(m.msgid));
    result.duplicates = batch.length - fresh.length;
    if (existing.size > 0) {
      for (const row of await repo.byMsgids(ex, corpId, [...existing])) result.ids.set(row.msgid, row.id);
    }
    if (fresh.length === 0) return result;

    const touched = await conversationsFor(
      ex,
      corpId,
      fresh.flatMap((m) => (m.conversation ? [m.conversation] : [])),
      at,
    );
    const touch = (m: NewMessage) => (m.conversation ? touched.get(m.conversation.key) : undefined);
    const byConversationId = new Map([...touched.values()].map((t) => [t.row.id, t]));

    // Archived copies of sidebar sends: matched before inserting, so the sidebar's row takes them.
    const archivedByReps = fresh.filter(
      (m) => m.source === 'archive' && m.direction === 'rep_to_customer' && m.conversation?.kind === 'single',
    );
    const matches = new Map<string, MessageRow>();
    if (archivedByReps.length > 0) {
      const times = archivedByReps.map((m) => m.sentAt);
      const sends = await repo.unarchivedSidebarSends(
        ex,
        [...new Set(archivedByReps.map((m) => touch(m)!.row.id))],
        Math.min(...times) - RECONCILE_AFTER_MS,
        Math.max(...times) + RECONCILE_BEFORE_MS,
      );
      const used = new Set<number>();
      for (const m of archivedByReps) {
        const conversationId = touch(m)!.row.id;
        const archived = { id: 0, type: m.type, content: m.content, sender: m.sender, sentAt: m.sentAt };
        const send = sends.find(
          (s) => !used.has(s.id) && s.conversationId === conversationId && sameSend(candidateOf(s), archived),
        );
        if (send) {
          used.add(send.id);
          matches.set(m.msgid, send);
        }
      }
    }

    const rows: MessageInsert[] = [];
    const revOf = new Map<string, number>();
    for (const m of fresh) {
      const t = touch(m);
      const rev = t ? ++t.version : 0;
      revOf.set(m.msgid, rev);
      if (matches.has(m.msgid)) continue;
      rows.push({
        corpId,
        msgid: m.msgid,
        seq: m.seq,
        action: m.action,
        sender: m.sender,
        receivers: m.receivers,
        roomId: m.roomId,
        sentAt: m.sentAt,
        type: m.type,
        text: m.text,
        content: m.content,
        searchTerms: searchTerms(m.searchText),
        conversationId: t?.row.id ?? null,
        userId: m.userId,
        externalUserId: m.externalUserId,
        direction: m.direction,
        source: m.source,
        rev,
        createdAt: at,
        updatedAt: at,
      });
    }
    for (const { id, msgid } of await repo.insertMessages(ex, rows)) result.ids.set(msgid, id);
    result.stored = rows.length;

    for (const [msgid, send] of matches) {
      const m = unique.get(msgid)!;
      await repo.updateMessage(ex, send.id, {
        msgid: m.msgid,
        seq: m.seq,
        sentAt: m.sentAt,
        content: m.content,
        text: m.text,
        searchTerms: searchTerms(m.searchText),
        receivers: m.receivers,
        rev: revOf.get(msgid)!,
        updatedAt: at,
      });
      result.ids.set(msgid, send.id);
      result.reconciled += 1;
    }

    // What each conversation now holds.
    for (const m of fresh) {
      const t = touch(m);
      const id = result.ids.get(m.msgid);
      if (!t || id === undefined || m.type === 'revoke') continue;
      if (!matches.has(m.msgid)) t.added += 1;
      if (!t.last || m.sentAt > t.last.at || (m.sentAt === t.last.at && id > t.last.id)) t.last = { at: m.sentAt, id };
      if (m.direction === 'customer_to_rep' && (!t.lastCustomer || m.sentAt >= t.lastCustomer.at))
        t.lastCustomer = { at: m.sentAt, id };
    }

    // Recalls, after the batch is in: the recalled message may be in it.
    const recalls = fresh.filter((m) => m.recalls);
    if (recalls.length > 0) {
      const targets = await repo.byMsgids(
        ex,
        corpId,
        recalls.map((m) => m.recalls!),
      );
      for (const target of targets) {
        if (target.recalled || target.conversationId === null) continue;
        let t = byConversationId.get(target.conversationId);
        if (!t) {
          const row = (await repo.conversationById(ex, target.conversationId))!;
          t = { row, version: row.version, added: 0, last: null, lastCustomer: null };
          byConversationId.set(row.id, t);
          touched.set(row.key, t);
        }
        await repo.updateMessage(ex, target.id, { recalled: true, rev: ++t.version, updatedAt: at });
        await deps.timeline.markRecalled(ex, corpId, target.id, at);
        result.recalled += 1;
      }
    }

    for (const t of touched.values()) {
      const r = t.row;
      const newer = (a: { at: number } | null, at0: number | null) => a !== null && (at0 === null || a.at >= at0);
      await repo.updateConversation(ex, r.id, {
        version: t.version,
        messageCount: r.messageCount + t.added,
        ...(newer(t.last, r.lastMessageAt) ? { lastMessageAt: t.last!.at, lastMessageId: t.last!.id } : {}),
        ...(newer(t.lastCustomer, r.lastCustomerMessageAt)
          ? { lastCustomerMessageAt: t.lastCustomer!.at, lastCustomerMessageId: t.lastCustomer!.id }
          : {}),
        updatedAt: at,
      });
      db.afterCommit(() => deps.publish(r.id, t.version));
    }

    const inserted = fresh.filter((m) => !matches.has(m.msgid) && result.ids.has(m.msgid));
    await deps.timeline.addMessages(
      ex,
      corpId,
      inserted.flatMap((m) =>
        m.conversation?.kind === 'single' && m.type !== 'revoke' ? [{ id: result.ids.get(m.msgid)!, message: m }] : [],
      ),
    );

    const mediaRows = fresh.flatMap((m) =>
      m.media.map((ref) => ({
        corpId,
        messageId: result.ids.get(m.msgid)!,
        position: ref.position,
        kind: ref.kind,
        sdkFileId: ref.sdkFileId,
        md5sum: ref.md5sum,
        declaredSize: ref.declaredSize,
        name: ref.name,
        createdAt: at,
        updatedAt: at,
      })),
    );
    result.media = (await repo.insertMedia(ex, mediaRows)).map((r) => r.id);

    const forRules: StoredForMatch[] = inserted.map((m) => ({
      id: result.ids.get(m.msgid)!,
      text: m.type === 'revoke' ? '' : m.text,
      direction: m.direction,
      conversationKind: m.conversation?.kind ?? null,
      userId: m.userId,
      externalUserId: m.externalUserId,
      sentAt: m.sentAt,
    }));
    result.alerts = await deps.keywords.matchAndRecord(ex, corpId, forRules, at);
    await deps.onStored?.(
      ex,
      corpId,
      inserted.map((m) => ({ id: result.ids.get(m.msgid)!, message: m })),
    );
    return result;
  }

  /**
   * A message a rep sends from the sidebar, recorded at once. If its archived copy is already stored (the archive
   * was faster), that copy is claimed instead (source becomes `sidebar`): one message either way. Returns its id.
   */
  async function recordSidebarSend(ex: Executor, corpId: string, m: Omit<NewMessage, 'msgid' | 'seq' | 'source'>) {
    const message: NewMessage = { ...m, msgid: `sidebar:${randomUUID()}`, seq: null, source: 'sidebar' };
    const conversation = m.conversation && (await repo.conversation(ex, corpId, m.conversation.key));
    if (conversation) {
      const archived = await repo.unclaimedArchivedSends(
        ex,
        conversation.id,
        m.sender,
        m.sentAt - RECONCILE_BEFORE_MS,
        m.sentAt + RECONCILE_AFTER_MS,
      );
      const sidebar = { id: 0, type: m.type, content: m.content, sender: m.sender, sentAt: m.sentAt };
      const copy = archived.find((a) => sameSend(sidebar, candidateOf(a)));
      if (copy) {
        const version = conversation.version + 1;
        await repo.updateMessage(ex, copy.id, { source: 'sidebar', rev: version, updatedAt: deps.now() });
        await repo.updateConversation(ex, conversation.id, { version, updatedAt: deps.now() });
        db.afterCommit(() => deps.publish(conversation.id, version));
        return copy.id;
      }
    }
    const stored = await storeBatch(ex, corpId, [message]);
    return stored.ids.get(message.msgid)!;
  }

  /** A message changed outside a batch (its media arrived): streams show it again. */
  async function touch(ex: Executor, messageId: number): Promise<void> {
    const [message] = await repo.byIds(ex, [messageId]);
    if (!message || message.conversationId === null) return;
    const conversation = await repo.conversationById(ex, message.conversationId);
    if (!conversation) return;
    const version = conversation.version + 1;
    const at = deps.now();
    await repo.updateMessage(ex, messageId, { rev: version, updatedAt: at });
    await repo.updateConversation(ex, conversation.id, { version, updatedAt: at });
    db.afterCommit(() => deps.publish(conversation.id, version));
  }

  return { storeBatch, recordSidebarSend, touch };
}
export type MessageStore = ReturnType<typeof createMessageStore>;
