import type { Database, Executor } from '../../db/database.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js';
import type { WecomApi } from '../../wecom/api.js';
import type { ExternalTagEvent } from '../../wecom/events.js';
import type { CorpTagGroup } from '../../wecom/types.js';
import type {
  CreateTagBody,
  CreateTagGroupBody,
  Tag,
  TagGroup,
  TagLibrary,
  TagSyncResult,
  UpdateTagBody,
} from '../../../shared/schemas/tags.js';
import { callWecom } from '../wecom-call.js';
import type { TagGroupRow, TagRepo, TagRow } from './repo.js';

type TagApi = Pick<WecomApi, 'getCorpTagList' | 'addCorpTag' | 'editCorpTag' | 'delCorpTag'>;

const tagView = (t: TagRow): Tag => ({ id: t.tagId, groupId: t.groupId, name: t.name, order: t.order });
const groupView = (g: TagGroupRow, tags: TagRow[]): TagGroup => ({
  groupId: g.groupId,
  name: g.name,
  order: g.order,
  tags: tags.map(tagView),
});

const nameTaken = () => new ConflictError('同一分组下已有同名标签（或已有同名分组）');
const notFoundInWecom = () => new NotFoundError('标签或标签组在企业微信中不存在');

/**
 * The corp tag library, mirrored from WeCom, which stays the source of truth: every write goes to WeCom first and
 * the mirror is updated from WeCom's answer (API-made changes fire no callback, so nobody else will tell us).
 * WeCom is always called outside a transaction; what it answered is then stored in one.
 */
export function createTagService(deps: { db: Database; repo: TagRepo; api: (corpId: string) => TagApi }) {
  const { db, repo } = deps;

  async function store(ex: Executor, corpId: string, groups: CorpTagGroup[]): Promise<void> {
    for (const g of groups) {
      await repo.upsertGroup(ex, corpId, {
        groupId: g.group_id,
        name: g.group_name,
        order: g.order ?? 0,
        deleted: g.deleted ?? false,
      });
      for (const t of g.tag ?? []) {
        await repo.upsertTag(ex, corpId, {
          tagId: t.id,
          groupId: g.group_id,
          name: t.name,
          order: t.order ?? 0,
          deleted: t.deleted ?? false,
        });
      }
    }
  }

  /** Re-reads whole groups: tags WeCom no longer lists in them, and groups it no longer has, become deleted. */
  async function refreshGroups(corpId: string, groupIds: string[]): Promise<void> {
    const { tag_group: groups } = await deps.api(corpId).getCorpTagList({ group_id: groupIds });
    await db.tx(async (tx) => {
      for (const id of groupIds) {
        const found = groups.find((g) => g.group_id === id);
        await repo.markGroupDeleted(tx, corpId, id);
        if (found) await store(tx, corpId, [found]);
      }
    });
  }

  async function refreshTags(corpId: string, tagIds: string[]): Promise<void> {
    const { tag_group: groups } = await deps.api(corpId).getCorpTagList({ tag_id: tagIds });
    const listed = new Set(groups.flatMap((g) => (g.tag ?? []).map((t) => t.id)));
    await db.tx(async (tx) => {
      await store(tx, corpId, groups);
      await repo.markTagsDeleted(
        tx,
        corpId,
        tagIds.filter((id) => !listed.has(id)),
      );
    });
  }

  async function liveTag(corpId: string, id: string): Promise<TagRow> {
    const tag = await repo.findTag(db, corpId, id);
    if (!tag || tag.deleted) throw new NotFoundError('标签不存在');
    return tag;
  }

  async function liveGroup(corpId: string, groupId: string): Promise<TagGroupRow> {
    const group = await repo.findGroup(db, corpId, groupId);
    if (!group || group.deleted) throw new NotFoundError('标签组不存在');
    return group;
  }

  async function groupOf(corpId: string, groupId: string): Promise<TagGroup> {
    return groupView(await liveGroup(corpId, groupId), await repo.liveTags(db, corpId, groupId));
  }

  async function list(corpId: string): Promise<TagLibrary> {
    const tags = await repo.liveTags(db, corpId);
    const groups = await repo.liveGroups(db, corpId);
    return {
      groups: groups.map((g) =>
        groupView(
          g,
          tags.filter((t) => t.groupId === g.groupId),
        ),
      ),
    };
  }

  /** Full mirror of WeCom's tag library (at start, daily, and after a mark_tag met a deleted tag). */
  async function syncAll(corpId: string): Promise<TagSyncResult> {
    const { tag_group: groups } = await deps.api(corpId).getCorpTagList({});
    await db.tx(async (tx) => {
      await repo.markAllDeleted(tx, corpId);
      await store(tx, corpId, groups);
    });
    return {
      groups: (await repo.liveGroups(db, corpId)).length,
      tags: (await repo.liveTags(db, corpId)).length,
    };
  }

  return {
    syncAll,

    /** A change_external_tag callback: re-read what changed from WeCom (the event carries only an id). */
    async applyEvent(corpId: string, e: ExternalTagEvent): Promise<'applied' | 'ignored'> {
      // Rule-group (规则组) tags live in a separate WeCom library that the product does not use.
      if (e.strategyId) return 'ignored';
      if (e.changeType === 'shuffle' || !e.tagType) {
        await syncAll(corpId);
        return 'applied';
      }
      if (e.changeType === 'delete') {
        if (e.tagType === 'tag_group') {
          await db.tx((tx) => repo.markGroupDeleted(tx, corpId, e.id));
          return 'applied';
        }
        const tag = await repo.findTag(db, corpId, e.id);
        await repo.markTagsDeleted(db, corpId, [e.id]);
        // WeCom deletes a group together with its last tag.
        if (tag) await refreshGroups(corpId, [tag.groupId]);
        return 'applied';
      }
      if (e.tagType === 'tag_group') await refreshGroups(corpId, [e.id]);
      else await refreshTags(corpId, [e.id]);
      return 'applied';
    },

    list,

    async createGroup(corpId: string, body: CreateTagGroupBody): Promise<TagGroup> {
      const { tag_group: created } = await callWecom(
        () =>
          deps.api(corpId).addCorpTag({
            group_name: body.name,
            ...(body.order !== undefined ? { order: body.order } : {}),
            tag: body.tags.map((t) => ({ name: t.name, ...(t.order !== undefined ? { order: t.order } : {}) })),
          }),
        { 40071: nameTaken },
      );
      await db.tx((tx) => store(tx, corpId, [created]));
      return groupOf(corpId, created.group_id);
    },

    async createTag(corpId: string, body: CreateTagBody): Promise<Tag> {
      const group = await repo.findGroup(db, corpId, body.groupId);
      if (!group || group.deleted) throw new BadRequestError('标签组不存在', 'groupId');
      const { tag_group: created } = await callWecom(
        () =>
          deps.api(corpId).addCorpTag({
            group_id: body.groupId,
            tag: [{ name: body.name, ...(body.order !== undefined ? { order: body.order } : {}) }],
          }),
        { 40071: nameTaken, 40068: () => new BadRequestError('标签组在企业微信中不存在', 'groupId') },
      );
      await db.tx((tx) => store(tx, corpId, [created]));
      const tag = created.tag.find((t) => t.name === body.name) ?? created.tag[0];
      return tagView(await liveTag(corpId, tag!.id));
    },

    async updateTag(corpId: string, id: string, patch: UpdateTagBody): Promise<Tag> {
      await liveTag(corpId, id);
      await callWecom(() => deps.api(corpId).editCorpTag({ id, ...patch }), {
        40071: nameTaken,
        40068: notFoundInWecom,
      });
      await repo.updateTag(db, corpId, id, patch);
      return tagView(await liveTag(corpId, id));
    },

    async updateGroup(corpId: string, groupId: string, patch: UpdateTagBody): Promise<TagGroup> {
      await liveGroup(corpId, groupId);
      await callWecom(() => deps.api(corpId).editCorpTag({ id: groupId, ...patch }), {
        40071: nameTaken,
        40068: notFoundInWecom,
      });
      await repo.updateGroup(db, corpId, groupId, patch);
      return groupOf(corpId, groupId);
    },

    /**
     * Sets the display order: `ids` is every live group, or every live tag of one group, first shown first.
     * Each edit is mirrored as soon as WeCom accepted it, so a failure half-way leaves the mirror true.
     */
    async reorder(corpId: string, ids: string[]): Promise<TagLibrary> {
      const groups = (await repo.findGroups(db, corpId, ids)).filter((g) => !g.deleted);
      const tags = (await repo.findTags(db, corpId, ids)).filter((t) => !t.deleted);
      let kind: 'group' | 'tag';
      if (groups.length === ids.length) {
        if ((await repo.liveGroups(db, corpId)).length !== ids.length) {
          throw new BadRequestError('请列出全部标签组', 'ids');
        }
        kind = 'group';
      } else if (tags.length === ids.length && new Set(tags.map((t) => t.groupId)).size === 1) {
        if ((await repo.liveTags(db, corpId, tags[0]!.groupId)).length !== ids.length) {
          throw new BadRequestError('请列出该标签组的全部标签', 'ids');
        }
        kind = 'tag';
      } else {
        throw new BadRequestError('ids 必须是全部标签组，或同一标签组的全部标签', 'ids');
      }
      for (const [i, id] of ids.entries()) {
        const order = ids.length - i;
        await callWecom(() => deps.api(corpId).editCorpTag({ id, order }), { 40068: notFoundInWecom });
        if (kind === 'group') await repo.updateGroup(db, corpId, id, { order });
        else await repo.updateTag(db, corpId, id, { order });
      }
      return list(corpId);
    },

    async deleteTag(corpId: string, id: string): Promise<void> {
      const tag = await liveTag(corpId, id);
      await callWecom(() => deps.api(corpId).delCorpTag({ tag_id: [id] }), { 40068: notFoundInWecom });
      await repo.markTagsDeleted(db, corpId, [id]);
      await refreshGroups(corpId, [tag.groupId]);
    },

    async deleteGroup(corpId: string, groupId: string): Promise<void> {
      await liveGroup(corpId, groupId);
      await callWecom(() => deps.api(corpId).delCorpTag({ group_id: [groupId] }), { 40068: notFoundInWecom });
      await db.tx((tx) => repo.markGroupDeleted(tx, corpId, groupId));
    },

    /** Tags as mirrored (deleted ones included), keyed by id. */
    async findTags(corpId: string, ids: string[]): Promise<Map<string, TagRow & { groupName: string }>> {
      const rows = await repo.findTags(db, corpId, ids);
      const groups = new Map(
        (await repo.findGroups(db, corpId, [...new Set(rows.map((r) => r.groupId))])).map((g) => [g.groupId, g.name]),
      );
      return new Map(rows.map((r) => [r.tagId, { ...r, groupName: groups.get(r.groupId) ?? '' }]));
    },

    /** Ids that are not live tags of the mirror (unknown, or deleted in WeCom). */
    async unknownTagIds(corpId: string, ids: string[]): Promise<string[]> {
      const live = new Set((await repo.findTags(db, corpId, ids)).filter((t) => !t.deleted).map((t) => t.tagId));
      return ids.filter((id) => !live.has(id));
    },

    /** After mark_tag succeeded: what WeCom now has on the follow (API changes fire no callback). */
    recordFollowTags(ex: Executor, corpId: string, userId: string, externalUserId: string, tagIds: string[]) {
      return repo.addFollowTags(ex, corpId, userId, externalUserId, tagIds);
    },
  };
}
export type TagService = ReturnType<typeof createTagService>;
