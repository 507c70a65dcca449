import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { newTagId } from './ids.js';
import { bodyObject, charLength, optInt, optString, optStringArray, type Json } from './params.js';
import type { CorpTag, TagGroup } from './types.js';
import { sortedTagGroups, tagGroupView } from './views.js';

const MAX_TAGS = 3000;
const MAX_NAME = 30;

/** 企业客户标签 CRUD (wecom-protocol.md §4.4, [D-96320]). */
export function tagRoutes(core: EmulatorCore): ApiRoute[] {
  const checkName = (name: string | undefined, what: string): string => {
    const trimmed = name?.trim() ?? '';
    if (trimmed === '' || charLength(trimmed) > MAX_NAME)
      fail('invalidParameter', `${what} must be 1 to ${MAX_NAME} characters`);
    return trimmed;
  };
  const nameTakenInGroup = (groupId: string, name: string, exceptId?: string) =>
    core.data.tags.some((t) => t.group_id === groupId && t.name === name && t.id !== exceptId);

  /** Drops tag ids from every follow (WeCom removes a deleted tag from its customers). */
  const forgetTags = (ids: Set<string>) => {
    for (const c of core.data.customers) for (const f of c.follows) f.tag_ids = f.tag_ids.filter((id) => !ids.has(id));
  };

  return [
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/get_corp_tag_list',
      handler: (req) => {
        const body = bodyObject(req.body);
        const tagIds = optStringArray(body, 'tag_id') ?? [];
        const groupIds = optStringArray(body, 'group_id') ?? [];
        const groups = sortedTagGroups(core);
        // When both are given only group_id filters [D-96320].
        if (groupIds.length > 0) {
          return ok({
            tag_group: groups.filter((g) => groupIds.includes(g.group_id)).map((g) => tagGroupView(core, g)),
          });
        }
        if (tagIds.length > 0) {
          const list = groups.flatMap((g) => {
            const tags = core.data.tags.filter((t) => t.group_id === g.group_id && tagIds.includes(t.id));
            return tags.length > 0 ? [tagGroupView(core, g, tags)] : [];
          });
          return ok({ tag_group: list });
        }
        return ok({ tag_group: groups.map((g) => tagGroupView(core, g)) });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/add_corp_tag',
      handler: (req) => {
        const body = bodyObject(req.body);
        const groupId = optString(body, 'group_id');
        const groupName = optString(body, 'group_name');
        const rawTags = body.tag;
        if (!Array.isArray(rawTags) || rawTags.length === 0) fail('invalidParameter', 'tag must be a non-empty list');
        const wanted = rawTags.map((t) => {
          if (!t || typeof t !== 'object') fail('invalidParameter', 'tag items must be objects');
          const item = t as Json;
          return { name: checkName(optString(item, 'name'), 'tag name'), order: optInt(item, 'order') ?? 0 };
        });
        if (new Set(wanted.map((t) => t.name)).size !== wanted.length)
          fail('tagNameExists', 'duplicate names in the request');
        if (core.data.tags.length + wanted.length > MAX_TAGS)
          fail('invalidParameter', `a corp has at most ${MAX_TAGS} tags`);

        const now = core.clock.nowSeconds();
        let group: TagGroup | undefined;
        if (groupId) {
          group = core.findTagGroup(groupId);
          if (!group) fail('invalidTagId', `group ${groupId} does not exist`);
        } else {
          const name = checkName(groupName, 'group_name');
          // An existing group name adds to that group rather than creating a twin [D-96320].
          group = core.data.tagGroups.find((g) => g.group_name === name);
          if (!group) {
            group = { group_id: newTagId(), group_name: name, create_time: now, order: optInt(body, 'order') ?? 0 };
            core.data.tagGroups.push(group);
          }
        }
        const target = group;
        for (const t of wanted) if (nameTakenInGroup(target.group_id, t.name)) fail('tagNameExists', t.name);
        const created: CorpTag[] = wanted.map((t) => ({
          id: newTagId(),
          group_id: target.group_id,
          name: t.name,
          create_time: now,
          order: t.order,
        }));
        core.data.tags.push(...created);
        core.changed();
        return ok({ tag_group: tagGroupView(core, target, created) });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/edit_corp_tag',
      handler: (req) => {
        const body = bodyObject(req.body);
        const id = optString(body, 'id');
        if (!id) fail('invalidTagId', 'missing id');
        const name = optString(body, 'name');
        const order = optInt(body, 'order');
        if (name === undefined && order === undefined) fail('invalidParameter', 'name and order are both empty');
        const tag = core.findTag(id);
        const group = tag ? undefined : core.findTagGroup(id);
        if (!tag && !group) fail('invalidTagId', id);
        if (tag) {
          if (name !== undefined) {
            const n = checkName(name, 'tag name');
            if (nameTakenInGroup(tag.group_id, n, tag.id)) fail('tagNameExists', n);
            tag.name = n;
          }
          if (order !== undefined) tag.order = order;
        } else if (group) {
          if (name !== undefined) {
            const n = checkName(name, 'group name');
            if (core.data.tagGroups.some((g) => g.group_name === n && g.group_id !== group.group_id))
              fail('tagNameExists', n);
            group.group_name = n;
          }
          if (order !== undefined) group.order = order;
        }
        core.changed();
        return ok();
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/externalcontact/del_corp_tag',
      handler: (req) => {
        const body = bodyObject(req.body);
        const tagIds = optStringArray(body, 'tag_id') ?? [];
        const groupIds = optStringArray(body, 'group_id') ?? [];
        if (tagIds.length === 0 && groupIds.length === 0)
          fail('invalidParameter', 'tag_id and group_id are both empty');
        for (const id of tagIds) if (!core.findTag(id)) fail('invalidTagId', id);
        for (const id of groupIds) if (!core.findTagGroup(id)) fail('invalidTagId', id);

        const removed = new Set(tagIds);
        for (const t of core.data.tags) if (groupIds.includes(t.group_id)) removed.add(t.id);
        const touchedGroups = new Set(core.data.tags.filter((t) => removed.has(t.id)).map((t) => t.group_id));
        core.data.tags = core.data.tags.filter((t) => !removed.has(t.id));
        // A group whose last tag is deleted is deleted with it.
        const emptied = [...touchedGroups].filter((g) => !core.data.tags.some((t) => t.group_id === g));
        const goneGroups = new Set([...groupIds, ...emptied]);
        core.data.tagGroups = core.data.tagGroups.filter((g) => !goneGroups.has(g.group_id));
        forgetTags(removed);
        core.changed();
        return ok();
      },
    },
  ];
}
