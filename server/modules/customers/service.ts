import type { Database } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { WecomApi } from '../../wecom/api.js';
import type { SessionUser } from '../auth/session-service.js';
import type { ContactRepo } from '../contacts/repo.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import type { StageService } from '../stages/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { recordTagChange } from './tag-change.js';
import { callWecom } from '../wecom-call.js';
import { createFollowerCheck } from './follower.js';
import type { CustomerRepo } from './repo.js';

type CustomerApi = Pick<WecomApi, 'remark' | 'markTag'>;

/** The customer as the signed-in rep sees it in the sidebar, and the changes a rep makes to it. */
export function createCustomerService(deps: {
  db: Database;
  repo: CustomerRepo;
  /** The follow and contact rows, as the contacts domain reads them. */
  contacts: Pick<ContactRepo, 'findFollow' | 'findContact'>;
  stages: Pick<StageService, 'resolve' | 'require'>;
  timeline: Pick<TimelineRepo, 'add'>;
  api: (corpId: string) => CustomerApi;
  now: () => number;
}) {
  const { db, repo, contacts } = deps;

  /**
   * The rep's active follow of the customer. A rep reads and changes only their own customers: a customer they
   * don't follow (any more) is 403, an unknown one 404.
   */
  const requireFollower = createFollowerCheck(db, contacts);

  async function card(user: SessionUser, externalUserId: string) {
    const follow = await requireFollower(user, externalUserId);
    const contact = await contacts.findContact(db, user.corpId, externalUserId);
    if (!contact) throw new NotFoundError('客户不存在');
    const followers = await repo.followers(db, user.corpId, externalUserId);
    // The source channel is the one that brought the customer to this rep, else to whoever added them first.
    const channelId = follow.channelId ?? followers.find((f) => f.channelId !== null)?.channelId ?? null;
    const channel = channelId === null ? null : ((await repo.channel(db, user.corpId, channelId)) ?? null);
    const groups = new Map<string, { groupId: string; groupName: string; tags: { tagId: string; name: string }[] }>();
    for (const t of await repo.followTags(db, user.corpId, user.userId, externalUserId)) {
      let group = groups.get(t.groupId);
      if (!group) {
        group = { groupId: t.groupId, groupName: t.groupName, tags: [] };
        groups.set(t.groupId, group);
      }
      group.tags.push({ tagId: t.tagId, name: t.name });
    }
    return {
      externalUserId,
      name: contact.name,
      avatar: contact.avatar,
      type: contact.type,
      gender: contact.gender,
      corpName: contact.corpName,
      position: contact.position,
      remark: follow.remark,
      description: follow.description,
      addedAt: follow.addedAt,
      channel,
      stage: await deps.stages.resolve(user.corpId, contact.stageId),
      tags: [...groups.values()],
      followers: followers.map((f) => ({
        userId: f.userId,
        name: f.name ?? f.userId,
        avatar: f.avatar ?? '',
        addedAt: f.addedAt,
        status: f.status,
        lostReason: f.lostReason,
      })),
    };
  }

  return {
    requireFollower,
    card,

    async list(user: SessionUser, query: { q?: string; cursor?: string; limit?: number }) {
      const limit = query.limit ?? 20;
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const q = query.q?.trim() || undefined;
      const rows = await repo.listOwn(db, user.corpId, user.userId, {
        q,
        after: after && { addedAt: after.time, id: after.id },
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          externalUserId: r.externalUserId,
          name: r.name,
          avatar: r.avatar,
          remark: r.remark,
          addedAt: r.addedAt,
          channelName: r.channelName,
        })),
        nextCursor: rows.length > limit && last ? encodeCursor({ time: last.addedAt, id: last.followId }) : null,
      };
    },

    /**
     * Remark and/or description through externalcontact/remark. Changes made through the API fire no callback,
     * so the local follow is updated here, with a `remark_changed` timeline item.
     */
    async updateRemark(user: SessionUser, externalUserId: string, patch: { remark?: string; description?: string }) {
      if (patch.remark === undefined && patch.description === undefined) {
        throw new BadRequestError('备注和描述至少修改一项', 'remark');
      }
      const before = await requireFollower(user, externalUserId);
      await callWecom(() =>
        deps.api(user.corpId).remark({ userid: user.userId, external_userid: externalUserId, ...patch }),
      );
      const at = deps.now();
      const changes: Record<string, { from: string; to: string }> = {};
      if (patch.remark !== undefined && patch.remark !== before.remark)
        changes.remark = { from: before.remark, to: patch.remark };
      if (patch.description !== undefined && patch.description !== before.description) {
        changes.description = { from: before.description, to: patch.description };
      }
      await db.tx(async (tx) => {
        await repo.updateRemark(tx, user.corpId, user.userId, externalUserId, patch, at);
        if (Object.keys(changes).length === 0) return;
        const parts = [
          changes.remark && (changes.remark.to ? `备注改为「${changes.remark.to}」` : '清除了备注'),
          changes.description && (changes.description.to ? `描述改为「${changes.description.to}」` : '清除了描述'),
        ].filter(Boolean);
        await deps.timeline.add(tx, {
          corpId: user.corpId,
          externalUserId,
          userId: user.userId,
          kind: 'remark_changed',
          content: parts.join('，'),
          payload: changes,
          occurredAt: at,
        });
      });
      return card(user, externalUserId);
    },

    /** Adds and removes corp tags on the rep's follow through mark_tag, mirrored locally, on the timeline. */
    async changeTags(user: SessionUser, externalUserId: string, change: { add: string[]; remove: string[] }) {
      await requireFollower(user, externalUserId);
      const add = [...new Set(change.add)];
      const remove = [...new Set(change.remove)];
      if (add.length === 0 && remove.length === 0) throw new BadRequestError('请选择要添加或移除的标签', 'add');
      const both = add.find((id) => remove.includes(id));
      if (both) throw new BadRequestError('同一个标签不能同时添加和移除', 'remove');
      const known = new Map((await repo.tagsById(db, user.corpId, [...add, ...remove])).map((t) => [t.tagId, t]));
      const unknownAdd = add.find((id) => !known.get(id) || known.get(id)?.deleted);
      if (unknownAdd) throw new BadRequestError(`标签 ${unknownAdd} 不存在`, 'add');
      const unknownRemove = remove.find((id) => !known.get(id));
      if (unknownRemove) throw new BadRequestError(`标签 ${unknownRemove} 不存在`, 'remove');

      await callWecom(() =>
        deps.api(user.corpId).markTag({
          userid: user.userId,
          external_userid: externalUserId,
          ...(add.length > 0 ? { add_tag: add } : {}),
          ...(remove.length > 0 ? { remove_tag: remove } : {}),
        }),
      );
      await db.tx((tx) =>
        recordTagChange(
          tx,
          { repo, timeline: deps.timeline },
          {
            corpId: user.corpId,
            userId: user.userId,
            externalUserId,
            add,
            remove,
            nameOf: (tagId) => known.get(tagId)?.name ?? tagId,
            at: deps.now(),
          },
        ),
      );
      return card(user, externalUserId);
    },

    /** Moves the customer to another sales stage (a local attribute: WeCom has no stages). */
    async changeStage(user: SessionUser, externalUserId: string, stageId: number) {
      await requireFollower(user, externalUserId);
      const contact = await contacts.findContact(db, user.corpId, externalUserId);
      if (!contact) throw new NotFoundError('客户不存在');
      const to = await deps.stages.require(user.corpId, stageId);
      const from = await deps.stages.resolve(user.corpId, contact.stageId);
      if (from.stageId !== to.stageId || contact.stageId === null) {
        const at = deps.now();
        await db.tx(async (tx) => {
          await repo.setStage(tx, user.corpId, externalUserId, to.stageId, at);
          if (from.stageId === to.stageId) return;
          await deps.timeline.add(tx, {
            corpId: user.corpId,
            externalUserId,
            userId: user.userId,
            kind: 'stage_changed',
            content: `销售阶段：${from.name} → ${to.name}`,
            payload: { from, to },
            occurredAt: at,
          });
        });
      }
      return card(user, externalUserId);
    },
  };
}
export type CustomerService = ReturnType<typeof createCustomerService>;
