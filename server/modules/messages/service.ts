import type { Readable } from 'node:stream';
import type { ChatMessage } from '../../../shared/schemas/scripts.js';
import type { Database, Executor } from '../../db/database.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { SessionUser } from '../auth/session-service.js';
import type { RequireFollower } from '../customers/follower.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import type { MediaStore } from './media-store.js';
import type { ConversationRow, MessageRepo } from './repo.js';
import type { MessageSearch, SearchFilters } from './search.js';
import { fromSidebar } from './sidebar-send.js';
import type { MessageStore } from './store.js';
import type { MessageView } from './view.js';

/** Who asks for a media file: a rep (their own chats only) or the admin (userId null). */
export interface MediaViewer {
  corpId: string;
  userId: string | null;
}

/**
 * The rep's chat history with a customer (their own 1:1 chat only, the sidebar's rule: a customer they follow),
 * sends recorded from the sidebar, media downloads, and the managers' search.
 */
export function createMessageService(deps: {
  db: Database;
  repo: MessageRepo;
  store: MessageStore;
  search: MessageSearch;
  view: MessageView;
  media: MediaStore;
  requireFollower: RequireFollower;
  now: () => number;
}) {
  const { db, repo, view } = deps;
  const conversationKey = (userId: string, externalUserId: string) => `single:${userId}:${externalUserId}`;

  async function consentOf(corpId: string, userId: string, externalUserId: string) {
    const row = await repo.consent(db, corpId, userId, externalUserId);
    return row ? { status: row.status, changedAt: row.changedAt } : { status: 'unknown' as const, changedAt: null };
  }

  async function recordSend(
    ex: Executor,
    send: { corpId: string; userId: string; externalUserId: string; message: ChatMessage; at: number },
  ): Promise<number> {
    return deps.store.recordSidebarSend(ex, send.corpId, fromSidebar(send));
  }

  return {
    /** The rep's chat with the customer this stream watches; 403/404 as the sidebar's other routes. */
    async conversationFor(user: SessionUser, externalUserId: string): Promise<ConversationRow | undefined> {
      await deps.requireFollower(user, externalUserId);
      return repo.conversation(db, user.corpId, conversationKey(user.userId, externalUserId));
    },

    /** Creates the (empty) conversation so a stream can watch it before the first message. */
    async ensureConversation(user: SessionUser, externalUserId: string): Promise<ConversationRow> {
      await deps.requireFollower(user, externalUserId);
      const key = conversationKey(user.userId, externalUserId);
      const at = deps.now();
      await repo.insertConversations(db, [
        { corpId: user.corpId, key, kind: 'single', userId: user.userId, externalUserId, createdAt: at, updatedAt: at },
      ]);
      return (await repo.conversation(db, user.corpId, key))!;
    },

    /**
     * A page of the chat, newest page first, each page oldest first (newest at the bottom); `q` keeps the messages
     * with every word of the query.
     */
    async history(user: SessionUser, externalUserId: string, query: { q?: string; cursor?: string; limit?: number }) {
      await deps.requireFollower(user, externalUserId);
      const limit = query.limit ?? 30;
      const before = query.cursor ? decodeCursor(query.cursor) : undefined;
      let words: string[] | undefined;
      if (query.q !== undefined && query.q.trim() !== '') {
        words = deps.search.words(query.q);
        if (words.length === 0) throw new BadRequestError('搜索内容需要包含文字或数字', 'q');
      }
      const consent = await consentOf(user.corpId, user.userId, externalUserId);
      const conversation = await repo.conversation(db, user.corpId, conversationKey(user.userId, externalUserId));
      if (!conversation) return { items: [], nextCursor: null, version: 0, consent };
      // The index's matches in this conversation when few, else a walk of the chat newest first (search.ts).
      const match = words ? await deps.search.match(db, words, { conversationId: conversation.id }) : undefined;
      const rows = await repo.history(db, conversation.id, { limit: limit + 1, before, match });
      const page = rows.slice(0, limit);
      const oldest = page.at(-1);
      return {
        items: (await view.messages(db, user.corpId, page)).reverse(),
        nextCursor: rows.length > limit && oldest ? encodeCursor({ time: oldest.sentAt, id: oldest.id }) : null,
        version: conversation.version,
        consent,
      };
    },

    /** What changed in a conversation after version `since`, in order (for the stream). */
    async changes(corpId: string, conversationId: number, since: number, limit = 200) {
      const rows = await repo.changedSince(db, conversationId, since, limit);
      return view.messages(
        db,
        corpId,
        rows.filter((r) => r.type !== 'revoke'),
      );
    },

    /**
     * A rep types a message in the sidebar: it is recorded at once (source `sidebar`) and the answer carries the
     * argument for `ww.sendChatMessage`; the archived copy, when it comes, becomes the same message.
     */
    async sendText(user: SessionUser, externalUserId: string, text: string) {
      await deps.requireFollower(user, externalUserId);
      const content = text.trim();
      if (!content) throw new BadRequestError('消息不能为空', 'text');
      const chatMessage: ChatMessage = { msgtype: 'text', text: { content } };
      const id = await db.tx((tx) =>
        recordSend(tx, {
          corpId: user.corpId,
          userId: user.userId,
          externalUserId,
          message: chatMessage,
          at: deps.now(),
        }),
      );
      const [message] = await view.messages(db, user.corpId, [(await repo.find(db, user.corpId, id))!]);
      return { message: message!, chatMessage };
    },

    /** Records a send made through another route (a script), in that route's transaction. */
    recordSend,

    /** A stored media file, if the viewer may see it: the admin any, a rep the media of chats they follow. */
    async media(
      viewer: MediaViewer,
      hash: string,
    ): Promise<{ stream: Readable; size: number; mime: string; name: string }> {
      const object = await repo.mediaObject(db, viewer.corpId, hash);
      if (!object) throw new NotFoundError('文件不存在');
      const refs = await repo.messagesWithMedia(db, viewer.corpId, hash, 200);
      let allowed = refs[0];
      if (viewer.userId !== null) {
        allowed = undefined;
        for (const ref of refs) {
          if (ref.userId !== viewer.userId || !ref.externalUserId) continue;
          try {
            await deps.requireFollower(
              { corpId: viewer.corpId, userId: viewer.userId } as SessionUser,
              ref.externalUserId,
            );
            allowed = ref;
            break;
          } catch {
            // not a chat this rep may read; look at the next reference
          }
        }
        if (!allowed) throw new ForbiddenError('无权查看此文件');
      }
      const file = await deps.media.open(viewer.corpId, hash);
      if (!file) throw new NotFoundError('文件不存在');
      return { ...file, mime: object.mime, name: allowed?.name ?? '' };
    },

    /** Managers' search: newest stored first; keyset by message id. */
    async search(corpId: string, query: SearchFilters & { q?: string; cursor?: string; limit?: number }) {
      const limit = query.limit ?? 20;
      const words = query.q ? deps.search.words(query.q) : [];
      if (query.q && query.q.trim() !== '' && words.length === 0)
        throw new BadRequestError('搜索内容需要包含文字或数字', 'q');
      const before = query.cursor ? decodeCursor(query.cursor).id : undefined;
      const ids = await deps.search.ids(db, corpId, { ...query, words, before, limit: limit + 1 });
      const rows = await deps.search.rows(db, ids.slice(0, limit));
      const last = rows.at(-1);
      return {
        items: await view.hits(db, corpId, rows),
        nextCursor: ids.length > limit && last ? encodeCursor({ time: last.sentAt, id: last.id }) : null,
      };
    },

    /** Every message matching the filters, newest first, a page at a time (exports stream this). */
    async *scan(corpId: string, filters: SearchFilters, pageSize = 500) {
      let before: number | undefined;
      for (;;) {
        const ids = await deps.search.ids(db, corpId, { ...filters, words: [], before, limit: pageSize });
        if (ids.length === 0) return;
        const rows = await deps.search.rows(db, ids);
        yield await view.hits(db, corpId, rows);
        if (ids.length < pageSize) return;
        before = ids.at(-1);
      }
    },
  };
}
export type MessageService = ReturnType<typeof createMessageService>;
