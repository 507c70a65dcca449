import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEmulatorApp, type TestEmulator } from './helpers.js';

interface TagGroupJson {
  group_id: string;
  group_name: string;
  order: number;
  tag: { id: string; name: string; order: number }[];
}

describe('emulator: corp tag CRUD', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  const list = async (filter: Record<string, unknown> = {}) =>
    (await t.post('/cgi-bin/externalcontact/get_corp_tag_list', filter)).tag_group as TagGroupJson[];

  it('lists every group, or filters by tag_id / group_id (group_id wins)', async () => {
    const all = await list();
    expect(all.length).toBe(4);
    const level = all.find((g) => g.group_name === '客户等级')!;
    expect(level.tag.map((x) => x.name)).toEqual(['重要客户', '普通客户', '潜在客户']);
    expect(level.group_id).toMatch(/^et[A-Za-z0-9]{20}$/);

    const byTag = await list({ tag_id: [level.tag[0]!.id] });
    expect(byTag).toHaveLength(1);
    expect(byTag[0]!.tag.map((x) => x.name)).toEqual(['重要客户']);

    const source = all.find((g) => g.group_name === '客户来源')!;
    const byGroup = await list({ group_id: [source.group_id], tag_id: [level.tag[0]!.id] });
    expect(byGroup.map((g) => g.group_name)).toEqual(['客户来源']);
    expect(byGroup[0]!.tag).toHaveLength(source.tag.length);
  });

  it('add_corp_tag creates a new group by name, or adds to an existing group by id or name', async () => {
    const created = await t.post('/cgi-bin/externalcontact/add_corp_tag', {
      group_name: '会员等级',
      order: 9,
      tag: [{ name: '金卡' }, { name: '银卡', order: 2 }],
    });
    expect(created.errcode).toBe(0);
    const group = created.tag_group as TagGroupJson;
    expect(group).toMatchObject({ group_name: '会员等级', order: 9 });
    expect(group.tag.map((x) => x.name).sort()).toEqual(['金卡', '银卡']);
    for (const tag of group.tag) expect(tag.id).toMatch(/^et[A-Za-z0-9]{20}$/);

    const byId = await t.post('/cgi-bin/externalcontact/add_corp_tag', {
      group_id: group.group_id,
      tag: [{ name: '钻石卡' }],
    });
    expect((byId.tag_group as TagGroupJson).tag.map((x) => x.name)).toEqual(['钻石卡']);
    const byName = await t.post('/cgi-bin/externalcontact/add_corp_tag', {
      group_name: '会员等级',
      tag: [{ name: '普卡' }],
    });
    expect((byName.tag_group as TagGroupJson).group_id).toBe(group.group_id);

    const stored = (await list({ group_id: [group.group_id] }))[0]!;
    expect(stored.tag.map((x) => x.name).sort()).toEqual(['普卡', '金卡', '钻石卡', '银卡'].sort());

    expect(
      (await t.post('/cgi-bin/externalcontact/add_corp_tag', { group_id: group.group_id, tag: [{ name: '金卡' }] }))
        .errcode,
    ).toBe(40071);
    expect(
      (await t.post('/cgi-bin/externalcontact/add_corp_tag', { group_id: 'etNope', tag: [{ name: 'x' }] })).errcode,
    ).toBe(40068);
    expect((await t.post('/cgi-bin/externalcontact/add_corp_tag', { group_name: '空', tag: [] })).errcode).toBe(40058);
  });

  it('edit_corp_tag renames a tag or a group and changes order', async () => {
    const level = (await list()).find((g) => g.group_name === '客户等级')!;
    const tagId = level.tag[1]!.id;
    expect(
      (await t.post('/cgi-bin/externalcontact/edit_corp_tag', { id: tagId, name: '一般客户', order: 50 })).errcode,
    ).toBe(0);
    expect(
      (await t.post('/cgi-bin/externalcontact/edit_corp_tag', { id: level.group_id, name: '客户分级' })).errcode,
    ).toBe(0);
    const after = (await list({ group_id: [level.group_id] }))[0]!;
    expect(after.group_name).toBe('客户分级');
    expect(after.tag[0]).toMatchObject({ id: tagId, name: '一般客户', order: 50 });
    expect((await t.post('/cgi-bin/externalcontact/edit_corp_tag', { id: 'etNope', name: 'x' })).errcode).toBe(40068);
    expect((await t.post('/cgi-bin/externalcontact/edit_corp_tag', { id: tagId, name: '重要客户' })).errcode).toBe(
      40071,
    );
  });

  it('del_corp_tag deletes tags, whole groups, and a group whose last tag goes; customers lose the tags', async () => {
    const groups = await list();
    const level = groups.find((g) => g.group_name === '客户等级')!;
    const product = groups.find((g) => g.group_name === '意向产品')!;
    const purpose = groups.find((g) => g.group_name === '购买用途')!;

    expect((await t.post('/cgi-bin/externalcontact/del_corp_tag', {})).errcode).toBe(40058);
    expect((await t.post('/cgi-bin/externalcontact/del_corp_tag', { tag_id: ['etNope'] })).errcode).toBe(40068);

    expect((await t.post('/cgi-bin/externalcontact/del_corp_tag', { tag_id: [level.tag[0]!.id] })).errcode).toBe(0);
    expect((await t.post('/cgi-bin/externalcontact/del_corp_tag', { group_id: [product.group_id] })).errcode).toBe(0);
    expect(
      (await t.post('/cgi-bin/externalcontact/del_corp_tag', { tag_id: purpose.tag.map((x) => x.id) })).errcode,
    ).toBe(0);

    const after = await list();
    expect(after.map((g) => g.group_name).sort()).toEqual(['客户来源', '客户等级'].sort());
    expect(after.find((g) => g.group_name === '客户等级')!.tag.map((x) => x.name)).toEqual(['普通客户', '潜在客户']);
    const gone = new Set([level.tag[0]!.id, ...product.tag.map((x) => x.id), ...purpose.tag.map((x) => x.id)]);
    for (const c of t.emulator.snapshot().customers) {
      for (const f of c.follow_user) for (const tag of f.tags) expect(gone.has(tag.tag_id)).toBe(false);
    }
  });
});
