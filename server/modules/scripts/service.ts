import { BadRequestError, ConflictError, NotFoundError, UpstreamError } from '../../errors.js';
import type { SessionUser } from '../auth/session-service.js';
import type { CustomerService } from '../customers/service.js';
import { ImageSourceError, type MediaService } from '../media/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { callWecom } from '../wecom-call.js';
import type { ScriptQuery, ScriptRepo, ScriptRow } from './repo.js';
import { absoluteUrl, normalizeScript, type ScriptInput } from './script-input.js';

/** What `ww.sendChatMessage` takes (wecom-protocol.md §5.3). */
export type ChatMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { mediaid: string } }
  | { msgtype: 'news'; news: { link: string; title: string; desc: string; imgUrl: string } };

function payloadOf(row: ScriptRow): Record<string, string> {
  try {
    const value: unknown = JSON.parse(row.payload);
    if (!value || typeof value !== 'object') return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
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
export function createScriptService(deps: {
  repo: ScriptRepo;
  customers: Pick<CustomerService, 'requireFollower'>;
  timeline: Pick<TimelineRepo, 'add'>;
  media: Pick<MediaService, 'imageMediaId'>;
  /** internal: where this process downloads its own assets from; public: what the WeCom client can open. */
  origin: { internal(): string; public(): string };
  now: () => number;
}) {
  const { repo } = deps;

  function requireScript(corpId: string, id: number) {
    const found = repo.script(corpId, id);
    if (!found) throw new NotFoundError('话术不存在');
    return found;
  }

  function requireGroup(corpId: string, id: number, field?: string) {
    const group = repo.group(corpId, id);
    if (!group) throw field ? new BadRequestError('话术分组不存在', field) : new NotFoundError('话术分组不存在');
    return group;
  }

  function checkGroupName(corpId: string, name: string, exceptId?: number): string {
    const trimmed = name.trim();
    if (!trimmed) throw new BadRequestError('分组名称不能为空', 'name');
    const clash = repo.groupByName(corpId, trimmed);
    if (clash && clash.id !== exceptId) throw new BadRequestError(`分组「${trimmed}」已存在`, 'name');
    return trimmed;
  }

  function groupView(corpId: string, id: number) {
    const group = repo.groups(corpId).find((g) => g.id === id);
    if (!group) throw new NotFoundError('话术分组不存在');
    return group;
  }

  async function messageOf(corpId: string, row: ScriptRow): Promise<ChatMessage> {
    const p = payloadOf(row);
    switch (row.kind) {
      case 'text':
        return { msgtype: 'text', text: { content: row.content } };
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
            title: p.title || row.title,
            desc: p.desc ?? row.content,
            imgUrl: p.imgUrl ? absoluteUrl(p.imgUrl, deps.origin.public()) : '',
          },
        };
    }
  }

  return {
    groups: (corpId: string) => repo.groups(corpId),

    list(
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
      const { rows, total } = repo.list(corpId, userId, q);
      return { items: rows.map((r) => view(r.script, r.groupName, !!r.favorite)), total };
    },

    // ---- admin ---------------------------------------------------------------------------------------------------

    createGroup(corpId: string, body: { name: string; order?: number }) {
      const id = repo.insertGroup(corpId, { name: checkGroupName(corpId, body.name), order: body.order ?? 0 });
      return groupView(corpId, id);
    },

    updateGroup(corpId: string, id: number, body: { name?: string; order?: number }) {
      requireGroup(corpId, id);
      const name = body.name === undefined ? undefined : checkGroupName(corpId, body.name, id);
      repo.updateGroup(
        corpId,
        id,
        { ...(name !== undefined ? { name } : {}), ...(body.order !== undefined ? { order: body.order } : {}) },
        deps.now(),
      );
      return groupView(corpId, id);
    },

    deleteGroup(corpId: string, id: number): void {
      requireGroup(corpId, id);
      if (!repo.deleteEmptyGroup(corpId, id, deps.now())) throw new ConflictError('分组下还有话术，请先移走或删除');
    },

    create(corpId: string, body: ScriptInput) {
      const script = normalizeScript(body);
      const group = requireGroup(corpId, script.groupId, 'groupId');
      const id = repo.insert(corpId, script);
      return view(requireScript(corpId, id).script, group.name, false);
    },

    update(corpId: string, id: number, body: ScriptInput) {
      requireScript(corpId, id);
      const script = normalizeScript(body);
      requireGroup(corpId, script.groupId, 'groupId');
      repo.update(corpId, id, script, deps.now());
      const found = requireScript(corpId, id);
      return view(found.script, found.groupName, false);
    },

    remove(corpId: string, id: number): void {
      if (!repo.softDelete(corpId, id, deps.now())) throw new NotFoundError('话术不存在');
    },

    // ---- reps ----------------------------------------------------------------------------------------------------

    favorite(user: SessionUser, id: number, favorite: boolean) {
      requireScript(user.corpId, id);
      repo.setFavorite(user.corpId, user.userId, id, favorite);
      return { favorite: repo.isFavorite(user.corpId, user.userId, id) };
    },

    /**
     * A rep sends a script into the chat with one of their customers: the answer is the exact argument for
     * `ww.sendChatMessage`, and the send is recorded (rep, customer, script, time), counted and put on the timeline.
     */
    async send(
      user: SessionUser,
      id: number,
      externalUserId: string,
    ): Promise<{ sendId: number; message: ChatMessage }> {
      deps.customers.requireFollower(user, externalUserId);
      const { script } = requireScript(user.corpId, id);
      const message = await messageOf(user.corpId, script);
      const sentAt = deps.now();
      const sendId = repo.transaction(() => {
        const sendId = repo.recordSend({
          corpId: user.corpId,
          userId: user.userId,
          externalUserId,
          scriptId: id,
          sentAt,
        });
        deps.timeline.add({
          corpId: user.corpId,
          externalUserId,
          userId: user.userId,
          kind: 'script_sent',
          content: script.kind === 'text' ? script.content : script.title,
          payload: { scriptId: id, sendId, title: script.title, scriptKind: script.kind },
          sourceKey: `script_send:${sendId}`,
          occurredAt: sentAt,
        });
        return sendId;
      });
      return { sendId, message };
    },
  };
}
export type ScriptService = ReturnType<typeof createScriptService>;
