import { asc, like } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { startApp, waitFor } from '../support/app.js';
import { admin, calls, CORP, deliverTagEvent, EC, prepare, tagId } from '../support/scrm.js';
import { login, repClient } from '../support/sidebar.js';

let app: App;

beforeEach(async () => {
  app = await startApp();
  await prepare(app);
});
afterEach(async () => {
  await app?.close();
});

interface Library {
  groups: {
    groupId: string;
    name: string;
    order: number;
    tags: { id: string; groupId: string; name: string; order: number }[];
  }[];
}

async function library(): Promise<Library> {
  const res = await admin(app, 'GET', '/api/tags');
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Library;
}

/** A change made in WeCom by someone else (admin console, another app): no callback reaches us for it. */
const wecom = () => app.wecom.api(CORP);

describe('tag library mirror', () => {
  it('a full sync mirrors every group and tag of WeCom, in WeCom order', async () => {
    const state = (await app.inject({ url: '/emulator/_state' })).json() as {
      tagGroups: { group_id: string; group_name: string; tag: { id: string; name: string }[] }[];
    };
    const lib = await library();
    expect(lib.groups.map((g) => g.name)).toEqual(state.tagGroups.map((g) => g.group_name));
    for (const g of state.tagGroups) {
      const mine = lib.groups.find((x) => x.groupId === g.group_id)!;
      expect(mine.tags.map((t) => t.id).sort()).toEqual(g.tag.map((t) => t.id).sort());
    }
    expect(lib.groups.flatMap((g) => g.tags).length).toBeGreaterThan(10);
  });

  it('reps read the library with their session; every write needs the admin token', async () => {
    expect((await app.inject({ url: '/api/tags' })).statusCode).toBe(401);
    const rep = repClient(app, await login(app, 'lina'));
    const read = await rep.get('/api/tags');
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toEqual(await library());
    const before = (await calls(app)).length;
    for (const res of [
      await rep.post('/api/tags/groups', { name: '新分组', tags: [{ name: '甲' }] }),
      await rep.post('/api/tags', { groupId: (await library()).groups[0]!.groupId, name: '乙' }),
      await rep.patch(`/api/tags/${await tagId(app, '重要客户')}`, { name: '丙' }),
      await rep.delete(`/api/tags/${await tagId(app, '重要客户')}`),
      await rep.post('/api/tags/reorder', { ids: ['x'] }),
      await rep.post('/api/tags/sync'),
      await app.inject({ method: 'POST', url: '/api/tags/groups', payload: { name: 'x', tags: [{ name: 'y' }] } }),
    ]) {
      expect(res.statusCode).toBe(401);
    }
    // No WeCom call at all: reading the library is local, and the writes were refused before reaching WeCom.
    expect((await calls(app)).length).toBe(before);
  });

  it('creates, renames, reorders and deletes through WeCom, mirroring its answers', async () => {
    const created = await admin(app, 'POST', '/api/tags/groups', {
      name: '活动渠道',
      order: 5,
      tags: [{ name: '双十一' }, { name: '年货节' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const group = created.json() as Library['groups'][number];
    expect(group.tags.map((t) => t.name).sort()).toEqual(['双十一', '年货节'].sort());
    const [add] = await calls(app, `${EC}/add_corp_tag`);
    expect(add!.body).toEqual({ group_name: '活动渠道', order: 5, tag: [{ name: '双十一' }, { name: '年货节' }] });
    // The ids are WeCom's, not ours.
    const answer = add!.response as { tag_group: { group_id: string; tag: { id: string }[] } };
    expect(group.groupId).toBe(answer.tag_group.group_id);

    const more = await admin(app, 'POST', '/api/tags', { groupId: group.groupId, name: '618' });
    expect(more.statusCode, more.body).toBe(201);
    const tag618 = more.json() as { id: string; name: string };
    expect((await calls(app, `${EC}/add_corp_tag`))[1]!.body).toEqual({
      group_id: group.groupId,
      tag: [{ name: '618' }],
    });

    const renamed = await admin(app, 'PATCH', `/api/tags/${tag618.id}`, { name: '618大促' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((renamed.json() as { name: string }).name).toBe('618大促');
    expect((await calls(app, `${EC}/edit_corp_tag`)).at(-1)!.body).toEqual({ id: tag618.id, name: '618大促' });

    const groupRenamed = await admin(app, 'PATCH', `/api/tags/groups/${group.groupId}`, { name: '营销活动' });
    expect((groupRenamed.json() as { name: string }).name).toBe('营销活动');

    const ids = (await library()).groups.find((g) => g.groupId === group.groupId)!.tags.map((t) => t.id);
    const wanted = [...ids].reverse();
    const reordered = await admin(app, 'POST', '/api/tags/reorder', { ids: wanted });
    expect(reordered.statusCode, reordered.body).toBe(200);
    const after = (reordered.json() as Library).groups.find((g) => g.groupId === group.groupId)!;
    expect(after.tags.map((t) => t.id)).toEqual(wanted);
    const wecomGroup = (await wecom().getCorpTagList({ group_id: [group.groupId] })).tag_group[0]!.tag.slice()
      .sort((a, b) => (b.order ?? 0) - (a.order ?? 0))
      .map((t) => t.id);
    expect(wecomGroup).toEqual(wanted);

    const deleted = await admin(app, 'DELETE', `/api/tags/${tag618.id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await calls(app, `${EC}/del_corp_tag`)).at(-1)!.body).toEqual({ tag_id: [tag618.id] });
    expect((await library()).groups.find((g) => g.groupId === group.groupId)!.tags.map((t) => t.id)).not.toContain(
      tag618.id,
    );

    const groupDeleted = await admin(app, 'DELETE', `/api/tags/groups/${group.groupId}`);
    expect(groupDeleted.statusCode).toBe(204);
    expect((await calls(app, `${EC}/del_corp_tag`)).at(-1)!.body).toEqual({ group_id: [group.groupId] });
    expect((await library()).groups.some((g) => g.groupId === group.groupId)).toBe(false);
    expect((await wecom().getCorpTagList({})).tag_group.some((g) => g.group_id === group.groupId)).toBe(false);
  });

  it('a name WeCom already has → 409; an unknown group → 400 naming groupId, without a WeCom call', async () => {
    const groupId = (await library()).groups[0]!.groupId;
    const existing = (await library()).groups[0]!.tags[0]!.name;
    const dup = await admin(app, 'POST', '/api/tags', { groupId, name: existing });
    expect(dup.statusCode).toBe(409);
    const before = (await calls(app)).length;
    const unknown = await admin(app, 'POST', '/api/tags', { groupId: 'etNoSuchGroup', name: '新标签' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ field: 'groupId' });
    const tooLong = await admin(app, 'POST', '/api/tags', { groupId, name: '长'.repeat(31) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ field: 'name' });
    expect((await calls(app)).length).toBe(before);
  });

  it('change_external_tag callbacks update the mirror from WeCom', async () => {
    // Someone adds a tag and renames another in the admin console; WeCom tells us by callback.
    const groupId = (await library()).groups[0]!.groupId;
    const { tag_group: added } = await wecom().addCorpTag({ group_id: groupId, tag: [{ name: '控制台新建' }] });
    const newId = added.tag[0]!.id;
    const renameId = await tagId(app, '普通客户');
    await wecom().editCorpTag({ id: renameId, name: '一般客户' });
    const gone = await tagId(app, '潜在客户');
    await wecom().delCorpTag({ tag_id: [gone] });
    const newGroup = await wecom().addCorpTag({ group_name: '控制台分组', tag: [{ name: '甲' }] });

    expect(await deliverTagEvent(app, { changeType: 'create', id: newId, tagType: 'tag' })).toBe(200);
    expect(await deliverTagEvent(app, { changeType: 'update', id: renameId, tagType: 'tag' })).toBe(200);
    expect(await deliverTagEvent(app, { changeType: 'delete', id: gone, tagType: 'tag' })).toBe(200);
    expect(
      await deliverTagEvent(app, { changeType: 'create', id: newGroup.tag_group.group_id, tagType: 'tag_group' }),
    ).toBe(200);

    await waitFor(async () => {
      const tags = (await library()).groups.flatMap((g) => g.tags);
      return (
        tags.some((t) => t.id === newId && t.name === '控制台新建') &&
        tags.some((t) => t.id === renameId && t.name === '一般客户') &&
        !tags.some((t) => t.id === gone) &&
        (await library()).groups.some((g) => g.name === '控制台分组' && g.tags.length === 1)
      );
    }, 'the mirror to follow the callbacks');

    // A shuffle re-reads everything; the group deletion is mirrored too.
    await wecom().delCorpTag({ group_id: [newGroup.tag_group.group_id] });
    await deliverTagEvent(app, { changeType: 'shuffle', id: groupId });
    await waitFor(async () => !(await library()).groups.some((g) => g.name === '控制台分组'), 'the shuffle resync');
    const { events: inbox } = app.db.t;
    const statuses = async () =>
      (
        await app.db
          .select({ status: inbox.status })
          .from(inbox)
          .where(like(inbox.eventType, 'change_external_tag/%'))
          .orderBy(asc(inbox.id))
      ).map((e) => e.status);
    // An event is settled after its effects are visible (the worker records outcomes in batches).
    await waitFor(async () => !(await statuses()).includes('running'), 'the last event to be settled');
    expect(await statuses()).toEqual(['done', 'done', 'done', 'done', 'done']);
  });
});
