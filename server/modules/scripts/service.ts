import type { Database, Executor } from '../../db/database.js';
import { BadRequestError, ConflictError, NotFoundError, UpstreamError } from '../../errors.js';
import type { SessionUser } from '../auth/session-service.js';
import type { CustomerService } from '../customers/service.js';
import { ImageSourceError, type MediaService } from '../media/service.js';
import type { ScriptHooks } from '../suggest/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { renderWelcomeText } from '../welcome/template.js';
import { callWecom } from '../wecom-call.js';
import type { ScriptQuery, ScriptRepo, ScriptRow } from './repo.js';
import { absoluteUrl, normalizeScript, type ScriptInput } from './script-input.js';

/** A ranked search returns at most this many scripts (the engine's hits, then literal ones). */
const RANKED_SEARCH_CAP = 200;

/** What `ww.sendChatMessage` takes (wecom-protocol.md §5.3). */
export type ChatMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { mediaid: string } }
  | { msgtype: 'news'; news: { link: string; title: string; desc: string; imgUrl: string } };

/** The payload's string fields (image: url; link: url, title, desc, imgUrl). */
function payloadOf(row: ScriptRow): Record<string, string> {
  return Object.fromEntries(Object.entries(row.payload).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function view(row: ScriptRow, groupName: string, favorite: boolean) {
  const p = payloadOf(row);
  const payload =
    row.kind === 'image'
      ? { url: p.url ?? '' }
      : row.kind === 'link'
        ? { url: p.url ?? '', title: p.title ?? row.title, desc: p.desc ?? row.content, imgUrl: p.imgUrl ?? '' }
        : {};
  return {
    id: row.id,
    groupId: row.groupId,
    groupName,
    title: row.title,
    kind: row.kind,
    content: row.content,
    payload,
    favorite,
    sendCount: row.sendCount,
  };
}

/** The script library (话术库): reps search, favour and send scripts; admins maintain them. */
/** A placeholder the sidebar's scripts may hold (the welcome message's two). */
const PLACEHOLDER = /\{(客户昵称|员工姓名)\}/;

export function createScriptService(deps: {
  db: Database;
  repo: ScriptRepo;
  customers: Pick<CustomerService, 'requireFollower'>;
  timeline: Pick<TimelineRepo, 'add'>;
  media: Pick<MediaService, 'imageMediaId'>;
  /** internal: where this process downloads its own assets from; public: what the WeCom client can open. */
  origin: { internal(): string; public(): string };
  now: () => number;
  /** Names for the placeholders of a script's text ({客户昵称}, {员工姓名}), filled at each send. */
  names?: {
    customer(corpId: string, externalUserId: string): Promise<string>;
    rep(corpId: string, userId: string): Promise<string>;
  };
  /** The suggestions: told of every change and send in its transaction; they rank searches. */
  suggest?: { hooks: ScriptHooks; rankScripts(corpId: string, q: string): Promise<number[]> };
  /** The chat history: a send is recorded as a message at once (reconciled with its archived copy later). */
  messages?: {
    recordSend(
      ex: Executor,
      send: { corpId: string; userId: string; externalUserId: string; message: ChatMessage; at: number },
    ): Promise<number>;
  };
}) {
  const { db, repo } = deps;

  async function requireScript(corpId: string, id: number) {
    const found = await repo.script(db, corpId, id);
    if (!found) throw new NotFoundError('话术不存在');
    return found;
  }

  async function requireGroup(corpId: string, id: number, field?: string) {
    const group = await repo.group(db, corpId, id);
    if (!group) throw field ? new BadRequestError('话术分组不存在', field) : new NotFoundError('话术分组不存在');
    return group;
  }

  async function checkGroupName(corpId: string, name: string, exceptId?: number): Promise<string> {
    const trimmed = name.trim();
    if (!trimmed) throw new BadRequestError('分组名称不能为空', 'name');
    const clash = await repo.groupByName(db, corpId, trimmed);
    if (clash && clash.id !== exceptId) throw new BadRequestError(`分组「${trimmed}」已存在`, 'name');
    return trimmed;
  }

  async function groupView(corpId: string, id: number) {
    const group = (await repo.groups(db, corpId)).find((g) => g.id === id);
    if (!group) throw new NotFoundError('话术分组不存在');
    return group;
  }

  /** A text with its placeholders filled for this customer and rep (names read only when the text has one). */
  async function personalise(text: string, corpId: string, userId: string, externalUserId: string) {
    if (!deps.names || !PLACEHOLDER.test(text)) return text;
    return renderWelcomeText(text, {
      customerName: await deps.names.customer(corpId, externalUserId),
      repName: await deps.names.rep(corpId, userId),
    });
  }

  async function messageOf(
    corpId: string,
    row: ScriptRow,
    to?: { userId: string; externalUserId: string },
  ): Promise<ChatMessage> {
    const p = payloadOf(row);
    const fill = (text: string) => (to ? personalise(text, corpId, to.userId, to.externalUserId) : text);
    switch (row.kind) {
      case 'text':
        return { msgtype: 'text', text: { content: await fill(row.content) } };
      case 'image': {
        // sendChatMessage sends images by media id: upload once, reuse the id for its 3 days.
        const url = absoluteUrl(p.url ?? '', deps.origin.internal());
        try {
          const mediaid = await callWecom(() => deps.media.imageMediaId(corpId, url));
          return { msgtype: 'image', image: { mediaid } };
        } catch (err) {
          if (err instanceof ImageSourceError) throw new UpstreamError(err.message);
          throw err;
        }
      }
      case 'link':
        return {
          msgtype: 'news',
          news: {
            link: p.url ?? '',
            title: await fill(p.title || row.title),
            desc: await fill(p.desc ?? row.content),
            imgUrl: p.imgUrl ? absoluteUrl(p.imgUrl, deps.origin.public()) : '',
          },
        };
    }
  }

  return {
    groups: (corpId: string) => repo.groups(db, corpId),

    async list(
      corpId: string,
      userId: string | null,
      query: { q?: string; groupId?: number; favorites?: number; limit?: number; offset?: number },
    ) {
      const q: ScriptQuery = {
        q: query.q?.trim() || undefined,
        groupId: query.groupId,
        favoritesOf: query.favorites === 1 && userId ? userId : undefined,
        limit: query.limit ?? 50,
        offset: query.offset ?? 0,
      };
      if (query.favorites === 1 && !userId) throw new BadRequestError('收藏仅对登录的成员有效', 'favorites');
      if (q.q && deps.suggest) {
        // Ranked by the suggestion engine, then whatever else holds the text literally (e.g. 100%).
        const ranked = await deps.suggest.rankScripts(corpId, q.q);
        const ids = [...new Set([...ranked, ...(await repo.literalIds(db, corpId, q.q, RANKED_SEARCH_CAP))])];
        const position = new Map(ids.map((id, i) => [id, i]));
        const found = (await repo.byIds(db, corpId, userId, ids, q)).sort(
          (a, b) => position.get(a.script.id)! - position.get(b.script.id)!,
        );
        return {
          items: found.slice(q.offset, q.offset + q.limit).map((r) => view(r.script, r.groupName, r.favorite)),
          total: found.length,
        };
      }
      const { rows, total } = await repo.list(db, corpId, userId, q);
      return { items: rows.map((r) => view(r.script, r.groupName, r.favorite)), total };
    },

    // ---- admin ---------------------------------------------------------------------------------------------------

    async createGroup(corpId: string, body: { name: string; order?: number }) {
      const name = await checkGroupName(corpId, body.name);
      const id = await repo.insertGroup(db, corpId, { name, order: body.order ?? 0 });
      return groupView(corpId, id);
    },

    async updateGroup(corpId: string, id: number, body: { name?: string; order?: number }) {
      await requireGroup(corpId, id);
      const name = body.name === undefined ? undefined : await checkGroupName(corpId, body.name, id);
      const at = deps.now();
      await db.tx(async (tx) => {
        await repo.updateGroup(
          tx,
          corpId,
          id,
          { ...(name !== undefined ? { name } : {}), ...(body.order !== undefined ? { order: body.order } : {}) },
          at,
        );
        // The group's name is part of what the engine indexes of each of its scripts.
        if (name !== undefined) await deps.suggest?.hooks.groupChanged(tx, corpId, id);
      });
      return groupView(corpId, id);
    },

    /** Soft-deletes the group if it holds no live script (checked in the same transaction), else 409. */
    async deleteGroup(corpId: string, id: number): Promise<void> {
      await requireGroup(corpId, id);
      const at = deps.now();
      const deleted = await db.tx(async (tx) => {
        if ((await repo.countLiveInGroup(tx, corpId, id)) > 0) return false;
        await repo.softDeleteGroup(tx, corpId, id, at);
        return true;
      });
      if (!deleted) throw new ConflictError('分组下还有话术，请先移走或删除');
    },

    async create(corpId: string, body: ScriptInput) {
      const script = normalizeScript(body);
      const group = await requireGroup(corpId, script.groupId, 'groupId');
      const id = await db.tx(async (tx) => {
        const id = await repo.insert(tx, corpId, script);
        await deps.suggest?.hooks.changed(tx, corpId, id, null);
        return id;
      });
      return view((await requireScript(corpId, id)).script, group.name, false);
    },

    async update(corpId: string, id: number, body: ScriptInput) {
      const before = await requireScript(corpId, id);
      const script = normalizeScript(body);
      await requireGroup(corpId, script.groupId, 'groupId');
      const at = deps.now();
      await db.tx(async (tx) => {
        await repo.update(tx, corpId, id, script, at);
        await deps.suggest?.hooks.changed(tx, corpId, id, before);
      });
      const found = await requireScript(corpId, id);
      return view(found.script, found.groupName, false);
    },

    /** Soft delete; favourites of the script go with it. */
    async remove(corpId: string, id: number): Promise<void> {
      const at = deps.now();
      const deleted = await db.tx(async (tx) => {
        const changed = await repo.softDelete(tx, corpId, id, at);
        await repo.clearFavorites(tx, corpId, id);
        if (changed) await deps.suggest?.hooks.removed(tx, corpId, id);
        return changed;
      });
      if (!deleted) throw new NotFoundError('话术不存在');
    },

    // ---- reps ----------------------------------------------------------------------------------------------------

    async favorite(user: SessionUser, id: number, favorite: boolean) {
      await requireScript(user.corpId, id);
      await repo.setFavorite(db, user.corpId, user.userId, id, favorite);
      return { favorite: await repo.isFavorite(db, user.corpId, user.userId, id) };
    },

    /**
     * A rep sends a script into the chat with one of their customers: the answer is the exact argument for
     * `ww.sendChatMessage`, and the send is recorded (rep, customer, script, time), counted and put on the timeline;
     * the suggestions learn it as the answer to the customer's latest message in the same transaction.
     */
    async send(
      user: SessionUser,
      id: number,
      externalUserId: string,
      context: { customerMessage?: string; feedbackKey?: string } = {},
    ): Promise<{ sendId: number; message: ChatMessage }> {
      await deps.customers.requireFollower(user, externalUserId);
      const { script } = await requireScript(user.corpId, id);
      // The upload of an image script (a WeCom call) happens before the transaction, never inside it.
      const message = await messageOf(user.corpId, script, { userId: user.userId, externalUserId });
      const sentAt = deps.now();
      const sendId = await db.tx(async (tx) => {
        const sendId = await repo.recordSend(tx, {
          corpId: user.corpId,
          userId: user.userId,
          externalUserId,
          scriptId: id,
          sentAt,
        });
        await deps.timeline.add(tx, {
          corpId: user.corpId,
          externalUserId,
          userId: user.userId,
          kind: 'script_sent',
          content: message.msgtype === 'text' ? message.text.content : script.title,
          payload: { scriptId: id, sendId, title: script.title, scriptKind: script.kind },
          sourceKey: `script_send:${sendId}`,
          occurredAt: sentAt,
        });
        await deps.suggest?.hooks.sent(tx, {
          corpId: user.corpId,
          userId: user.userId,
          externalUserId,
          scriptId: id,
          sendId,
          sentAt,
          ...context,
        });
        await deps.messages?.recordSend(tx, {
          corpId: user.corpId,
          userId: user.userId,
          externalUserId,
          message,
          at: sentAt,
        });
        return sendId;
      });
      return { sendId, message };
    },
  };
}
export type ScriptService = ReturnType<typeof createScriptService>;
