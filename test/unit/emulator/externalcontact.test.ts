import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEmulatorApp, ORIGIN, type TestEmulator } from './helpers.js';

describe('emulator: externalcontact reads and edits', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  /** A seeded customer with exactly one follower, and that follower. */
  const singleFollowed = () => {
    const c = t.emulator.snapshot().customers.find((x) => x.follow_user.length === 1);
    if (!c) throw new Error('seed has no single-follow customer');
    return { id: c.external_userid, userid: c.follow_user[0]!.userid };
  };
  const repNotFollowing = (id: string) => {
    const c = t.emulator.snapshot().customers.find((x) => x.external_userid === id)!;
    return ['zhangwei', 'lina', 'wangfang', 'liuyang', 'chenjing', 'zhaolei'].find(
      (u) => !c.follow_user.some((f) => f.userid === u),
    )!;
  };

  it('seeds 30 customers, ≥ 6 reps in ≥ 2 departments, and tag groups', async () => {
    const s = t.emulator.snapshot();
    expect(s.customers).toHaveLength(30);
    expect(s.reps.length).toBeGreaterThanOrEqual(6);
    expect(new Set(s.reps.map((r) => r.main_department)).size).toBeGreaterThanOrEqual(2);
    expect(s.tagGroups.map((g) => g.group_name)).toEqual(
      expect.arrayContaining(['客户等级', '意向产品', '客户来源', '购买用途']),
    );
    for (const c of s.customers) {
      expect(c.external_userid).toMatch(/^wm[A-Za-z0-9_-]{30}$/);
      expect(c.follow_user.length).toBeGreaterThanOrEqual(1);
      expect(c.follow_user.length).toBeLessThanOrEqual(2);
      for (const f of c.follow_user) {
        expect(f.createtime).toBeGreaterThan(Math.floor(Date.UTC(2025, 2, 14, 8) / 1000) - 91 * 86400);
      }
    }
    expect(s.groupChats.length).toBeGreaterThanOrEqual(2);
  });

  it('externalcontact/get answers WeCom’s shape with resolved tags and offline avatars', async () => {
    const s = t.emulator.snapshot();
    const wecomCustomer = s.customers.find((c) => c.type === 2)!;
    const res = await t.get('/cgi-bin/externalcontact/get', { external_userid: wecomCustomer.external_userid });
    expect(res.errcode).toBe(0);
    expect(res.errmsg).toBe('ok');
    const contact = res.external_contact as Record<string, unknown>;
    expect(contact).toMatchObject({
      external_userid: wecomCustomer.external_userid,
      name: wecomCustomer.name,
      type: 2,
      corp_name: expect.any(String),
      corp_full_name: expect.stringContaining('有限公司'),
      position: expect.any(String),
    });
    expect(contact.avatar).toBe(`${ORIGIN}/emulator/avatar/${wecomCustomer.external_userid}.svg`);
    const follows = res.follow_user as Record<string, unknown>[];
    expect(follows.length).toBeGreaterThan(0);
    for (const f of follows) {
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining([
          'userid',
          'remark',
          'description',
          'createtime',
          'tags',
          'remark_corp_name',
          'remark_mobiles',
          'oper_userid',
          'add_way',
        ]),
      );
      for (const tag of f.tags as Record<string, unknown>[]) {
        expect(tag).toEqual({
          group_name: expect.any(String),
          tag_name: expect.any(String),
          type: 1,
          tag_id: expect.stringMatching(/^et[A-Za-z0-9]{20}$/),
        });
      }
    }
    const avatar = await t.app.inject({ url: `/emulator/avatar/${wecomCustomer.external_userid}.svg` });
    expect(avatar.statusCode).toBe(200);
    expect(avatar.headers['content-type']).toContain('image/svg+xml');
    expect(avatar.body).toContain('<circle');
    expect(avatar.body).toContain(`>${[...wecomCustomer.name][0]}</text>`);
  });

  it('answers 40096 for an unknown external_userid and 84061 once no rep follows the customer', async () => {
    expect((await t.get('/cgi-bin/externalcontact/get', { external_userid: 'wmDoesNotExist' })).errcode).toBe(40096);
    const { id, userid } = singleFollowed();
    await t.emulator.simulate({ changeType: 'del_follow_user', userId: userid, externalUserId: id });
    expect((await t.get('/cgi-bin/externalcontact/get', { external_userid: id })).errcode).toBe(84061);
  });

  it('externalcontact/list lists a rep’s customers; 40003 unknown rep; 84061 when the rep has none', async () => {
    const res = await t.get('/cgi-bin/externalcontact/list', { userid: 'zhangwei' });
    expect(res.errcode).toBe(0);
    const ids = res.external_userid as string[];
    const expected = t.emulator.snapshot().customers.filter((c) => c.follow_user.some((f) => f.userid === 'zhangwei'));
    expect(ids.sort()).toEqual(expected.map((c) => c.external_userid).sort());
    expect((await t.get('/cgi-bin/externalcontact/list', { userid: 'ghost' })).errcode).toBe(40003);

    const empty = await buildEmulatorApp({ seed: false });
    try {
      expect((await empty.get('/cgi-bin/externalcontact/list', { userid: 'zhangwei' })).errcode).toBe(84061);
    } finally {
      await empty.close();
    }
  });

  it('batch/get_by_user pages with cursor and returns follow_info with tag ids', async () => {
    const total = t.emulator.snapshot().customers.filter((c) => c.follow_user.some((f) => f.userid === 'lina')).length;
    expect(total).toBeGreaterThan(2);
    const seen: string[] = [];
    let cursor = '';
    do {
      const page = await t.post('/cgi-bin/externalcontact/batch/get_by_user', {
        userid_list: ['lina'],
        cursor,
        limit: 2,
      });
      expect(page.errcode).toBe(0);
      for (const item of page.external_contact_list as {
        external_contact: { external_userid: string };
        follow_info: Record<string, unknown>;
      }[]) {
        seen.push(item.external_contact.external_userid);
        expect(item.follow_info.userid).toBe('lina');
        expect(Array.isArray(item.follow_info.tag_id)).toBe(true);
      }
      cursor = page.next_cursor as string;
    } while (cursor);
    expect(new Set(seen).size).toBe(total);
    expect((await t.post('/cgi-bin/externalcontact/batch/get_by_user', { userid_list: [] })).errcode).toBe(40058);
    expect(
      (await t.post('/cgi-bin/externalcontact/batch/get_by_user', { userid_list: ['lina'], limit: 101 })).errcode,
    ).toBe(40058);
  });

  it('remark enforces WeCom’s limits and is visible in get', async () => {
    const { id, userid } = singleFollowed();
    const remark = '一二三四五六七八九十一二三四五六七八九十';
    expect(remark).toHaveLength(20);
    expect(
      (await t.post('/cgi-bin/externalcontact/remark', { userid, external_userid: id, remark: `${remark}多` })).errcode,
    ).toBe(40058);
    expect(
      (await t.post('/cgi-bin/externalcontact/remark', { userid, external_userid: id, description: 'x'.repeat(151) }))
        .errcode,
    ).toBe(40058);
    expect((await t.post('/cgi-bin/externalcontact/remark', { userid, external_userid: id })).errcode).toBe(40058);
    expect(
      (
        await t.post('/cgi-bin/externalcontact/remark', {
          userid: repNotFollowing(id),
          external_userid: id,
          remark: 'x',
        })
      ).errcode,
    ).toBe(84061);
    const okRes = await t.post('/cgi-bin/externalcontact/remark', {
      userid,
      external_userid: id,
      remark,
      description: 'd'.repeat(150),
      remark_mobiles: ['13800000000'],
    });
    expect(okRes).toEqual({ errcode: 0, errmsg: 'ok' });
    const got = await t.get('/cgi-bin/externalcontact/get', { external_userid: id });
    const follow = (got.follow_user as Record<string, unknown>[]).find((f) => f.userid === userid)!;
    expect(follow).toMatchObject({ remark, description: 'd'.repeat(150), remark_mobiles: ['13800000000'] });
  });

  it('mark_tag validates (40068, 84061, 40058) and adds/removes tags', async () => {
    const { id, userid } = singleFollowed();
    const groups = t.emulator.snapshot().tagGroups;
    const level = groups.find((g) => g.group_name === '客户等级')!;
    const important = level.tag.find((x) => x.name === '重要客户')!.id;
    const potential = level.tag.find((x) => x.name === '潜在客户')!.id;

    expect(
      (await t.post('/cgi-bin/externalcontact/mark_tag', { userid, external_userid: id, add_tag: ['etNope'] })).errcode,
    ).toBe(40068);
    expect(
      (
        await t.post('/cgi-bin/externalcontact/mark_tag', {
          userid: repNotFollowing(id),
          external_userid: id,
          add_tag: [important],
        })
      ).errcode,
    ).toBe(84061);
    expect(
      (await t.post('/cgi-bin/externalcontact/mark_tag', { userid, external_userid: id, add_tag: [], remove_tag: [] }))
        .errcode,
    ).toBe(40058);
    expect(
      (await t.post('/cgi-bin/externalcontact/mark_tag', { userid, external_userid: 'wmNope', add_tag: [important] }))
        .errcode,
    ).toBe(40096);

    const res = await t.post('/cgi-bin/externalcontact/mark_tag', {
      userid,
      external_userid: id,
      add_tag: [important],
      remove_tag: [potential],
    });
    expect(res.errcode).toBe(0);
    const got = await t.get('/cgi-bin/externalcontact/get', { external_userid: id });
    const tagIds = (got.follow_user as { tags: { tag_id: string }[] }[])[0]!.tags.map((x) => x.tag_id);
    expect(tagIds).toContain(important);
    expect(tagIds).not.toContain(potential);
  });

  it('directory: department/list, user/list, user/get (60111 unknown, 60123 bad department)', async () => {
    const depts = await t.get('/cgi-bin/department/list');
    expect((depts.department as { name: string }[]).map((d) => d.name)).toEqual(
      expect.arrayContaining(['总部', '销售一部', '销售二部']),
    );
    const sales2 = (depts.department as { id: number; name: string }[]).find((d) => d.name === '销售二部')!;
    const users = await t.get('/cgi-bin/user/list', { department_id: String(sales2.id) });
    expect((users.userlist as { userid: string }[]).map((u) => u.userid).sort()).toEqual([
      'chenjing',
      'liuyang',
      'zhaolei',
    ]);
    const all = await t.get('/cgi-bin/user/list', { department_id: '1', fetch_child: '1' });
    expect((all.userlist as unknown[]).length).toBe(t.emulator.snapshot().reps.length);
    const user = await t.get('/cgi-bin/user/get', { userid: 'chenjing' });
    expect(user).toMatchObject({ errcode: 0, userid: 'chenjing', name: '陈静', main_department: sales2.id });
    expect((await t.get('/cgi-bin/user/get', { userid: 'ghost' })).errcode).toBe(60111);
    expect((await t.get('/cgi-bin/user/list', { department_id: '999' })).errcode).toBe(60123);
  });

  it('groupchat/list and groupchat/get serve the seeded customer groups', async () => {
    expect((await t.post('/cgi-bin/externalcontact/groupchat/list', {})).errcode).toBe(40058);
    const list = await t.post('/cgi-bin/externalcontact/groupchat/list', { status_filter: 0, limit: 100 });
    const chats = list.group_chat_list as { chat_id: string; status: number }[];
    expect(chats.length).toBeGreaterThanOrEqual(2);
    const got = await t.post('/cgi-bin/externalcontact/groupchat/get', { chat_id: chats[0]!.chat_id, need_name: 1 });
    const chat = got.group_chat as { name: string; owner: string; member_list: { type: number; name?: string }[] };
    expect(chat.name).toBeTruthy();
    expect(chat.member_list.some((m) => m.type === 2)).toBe(true);
    expect(chat.member_list.every((m) => typeof m.name === 'string')).toBe(true);
    const noName = await t.post('/cgi-bin/externalcontact/groupchat/get', { chat_id: chats[0]!.chat_id });
    expect((noName.group_chat as typeof chat).member_list.every((m) => m.name === undefined)).toBe(true);
    expect((await t.post('/cgi-bin/externalcontact/groupchat/get', { chat_id: 'wrNope' })).errcode).toBe(40050);
  });

  it('get_user_behavior_data is deterministic and reflects recorded activity', async () => {
    const day = Math.floor(Date.UTC(2025, 2, 14, 8) / 1000);
    const query = { userid: ['zhaolei'], start_time: day - 6 * 86400, end_time: day };
    const a = await t.post('/cgi-bin/externalcontact/get_user_behavior_data', query);
    const b = await t.post('/cgi-bin/externalcontact/get_user_behavior_data', query);
    expect(a.errcode).toBe(0);
    expect(a.behavior_data).toEqual(b.behavior_data);
    const rows = a.behavior_data as Record<string, number>[];
    expect(rows).toHaveLength(7);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual([
        'avg_reply_time',
        'chat_cnt',
        'message_cnt',
        'negative_feedback_cnt',
        'new_apply_cnt',
        'new_contact_cnt',
        'reply_percentage',
        'stat_time',
      ]);
      expect(r.message_cnt).toBeGreaterThanOrEqual(r.chat_cnt!);
    }
    await t.emulator.simulate({ changeType: 'add_external_contact', userId: 'zhaolei', welcomeCode: false });
    const after = (await t.post('/cgi-bin/externalcontact/get_user_behavior_data', query)).behavior_data as Record<
      string,
      number
    >[];
    expect(after.at(-1)!.new_contact_cnt).toBe(rows.at(-1)!.new_contact_cnt! + 1);
    expect(
      (await t.post('/cgi-bin/externalcontact/get_user_behavior_data', { start_time: day, end_time: day })).errcode,
    ).toBe(40058);
    expect(
      (
        await t.post('/cgi-bin/externalcontact/get_user_behavior_data', {
          userid: ['zhaolei'],
          start_time: day - 40 * 86400,
          end_time: day,
        })
      ).errcode,
    ).toBe(40058);
  });
});
