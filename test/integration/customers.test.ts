import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { TIMELINE_FILTER_KINDS } from '../../server/modules/timeline/service.js';
import { appTableCounts, startApp } from '../support/app.js';
import { queuesSettled } from '../support/queues.js';
import {
  adminCall,
  calls,
  CORP,
  customersOnlyOf,
  login,
  repClient,
  sharedCustomers,
  sql,
  syncCorp,
  type RepClient,
} from '../support/sidebar.js';

/**
 * One app for the file (sign-ins and syncs are not free); every test works on customers of its own so the order of
 * tests does not matter.
 */
let app: App;
let lina: RepClient;
let zhangwei: RepClient;
/** lina's customers that zhangwei does not follow, handed out one per test. */
let linaOnly: string[];
/** zhangwei's customers that lina does not follow. */
let zhangweiOnly: string[];
let shared: string[];

interface Card {
  externalUserId: string;
  name: string;
  remark: string;
  description: string;
  stage: { stageId: number; name: string };
  tags: { groupId: string; groupName: string; tags: { tagId: string; name: string }[] }[];
  followers: { userId: string; name: string; status: string }[];
  channel: { id: number; name: string } | null;
}
interface Item {
  id: number;
  kind: string;
  content: string;
  payload: Record<string, unknown>;
  userId: string | null;
  userName: string | null;
  dueAt: number | null;
  occurredAt: number;
  editable: boolean;
}

beforeAll(async () => {
  app = await startApp();
  // The demo corp has 30 customers over 6 reps: give lina more of her own, and some she shares with zhangwei,
  // through real add callbacks.
  const simulate = async (payload: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: '/emulator/_simulate', payload });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { externalUserId: string }).externalUserId;
  };
  for (let i = 0; i < 14; i++) {
    const externalUserId = await simulate({ changeType: 'add_external_contact', userId: 'lina' });
    if (i % 4 === 0) await simulate({ changeType: 'add_external_contact', userId: 'zhangwei', externalUserId });
  }
  await queuesSettled(app.db, 30_000);
  await syncCorp(app);
  lina = repClient(app, await login(app, 'lina'));
  zhangwei = repClient(app, await login(app, 'zhangwei'));
  linaOnly = await customersOnlyOf(app, 'lina', 'zhangwei');
  zhangweiOnly = await customersOnlyOf(app, 'zhangwei', 'lina');
  shared = await sharedCustomers(app, 'lina', 'zhangwei');
  expect(linaOnly.length).toBeGreaterThan(8);
  expect(zhangweiOnly.length).toBeGreaterThan(2);
  expect(shared.length).toBeGreaterThan(2);
});

afterAll(async () => {
  await app?.close();
});

beforeEach(() => {
  app.emulator!.clearCalls();
  app.emulator!.clearFaults();
});

const take = (list: string[]) => {
  const id = list.shift();
  if (!id) throw new Error('ran out of test customers');
  return id;
};

const timeline = async (rep: RepClient, externalUserId: string, query = '') =>
  (await rep.get(`/api/customers/${externalUserId}/timeline${query}`)).json() as {
    items: Item[];
    nextCursor: string | null;
  };

describe('GET /api/customers', () => {
  it("lists only the rep's own active customers, newest added first, keyset-paginated without duplicates or gaps", async () => {
    const expected = (
      await sql<{ id: string }>(
        app,
        `SELECT external_user_id AS id FROM follows WHERE corp_id = ? AND user_id = 'lina' AND status = 'active'
        ORDER BY added_at DESC, follows.id DESC`,
        CORP,
      )
    ).map((r) => r.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await lina.get(`/api/customers?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as {
        items: { externalUserId: string; addedAt: number; name: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((i) => i.externalUserId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 7) + (expected.length % 7 === 0 ? 1 : 0));
    expect(seen.some((id) => zhangweiOnly.includes(id))).toBe(false);
  });

  it('q matches the name or the remark; LIKE wildcards match only themselves; a foreign cursor is a 400', async () => {
    const [row] = await sql<{ name: string; remark: string; id: string }>(
      app,
      `SELECT c.name, f.remark, c.external_user_id AS id FROM follows f JOIN contacts c USING (corp_id, external_user_id)
        WHERE f.user_id = 'lina' AND f.status = 'active' AND f.remark <> '' LIMIT 1`,
    );
    const byName = (await lina.get(`/api/customers?q=${encodeURIComponent(row!.name.slice(1))}`)).json() as {
      items: { externalUserId: string; name: string; remark: string }[];
    };
    expect(byName.items.map((i) => i.externalUserId)).toContain(row!.id);
    expect(
      byName.items.every((i) => i.name.includes(row!.name.slice(1)) || i.remark.includes(row!.name.slice(1))),
    ).toBe(true);
    const byRemark = (await lina.get(`/api/customers?q=${encodeURIComponent(row!.remark)}`)).json() as {
      items: { externalUserId: string }[];
    };
    expect(byRemark.items.map((i) => i.externalUserId)).toContain(row!.id);
    for (const wildcard of ['%', '_', '%%']) {
      const res = (await lina.get(`/api/customers?q=${encodeURIComponent(wildcard)}`)).json() as { items: unknown[] };
      expect(res.items).toEqual([]);
    }
    const bad = await lina.get('/api/customers?cursor=bm90LWEtY3Vyc29y');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'cursor' });
  });
});

describe('the customer card', () => {
  it("shows the profile, this rep's remark and tags by group, the followers and the default stage", async () => {
    const id = shared[0]!;
    const res = await lina.get(`/api/customers/${id}`);
    expect(res.statusCode).toBe(200);
    const card = res.json() as Card;
    const [contact] = await sql<{ name: string; type: number; gender: number }>(
      app,
      'SELECT * FROM contacts WHERE external_user_id = ?',
      id,
    );
    const [follow] = await sql<{ remark: string; description: string; added_at: number }>(
      app,
      `SELECT * FROM follows WHERE external_user_id = ? AND user_id = 'lina'`,
      id,
    );
    expect(card).toMatchObject({
      externalUserId: id,
      name: contact!.name,
      type: contact!.type,
      gender: contact!.gender,
      remark: follow!.remark,
      description: follow!.description,
      addedAt: Number(follow!.added_at),
      channel: null,
      stage: { name: '新客户' },
    });
    expect(card.followers.map((f) => f.userId).sort()).toEqual(expect.arrayContaining(['lina', 'zhangwei']));
    expect(card.followers.find((f) => f.userId === 'lina')).toMatchObject({ name: '李娜', status: 'active' });
    const tagIds = (
      await sql<{ tag_id: string }>(
        app,
        `SELECT tag_id FROM follow_tags WHERE external_user_id = ? AND user_id = 'lina'`,
        id,
      )
    ).map((r) => r.tag_id);
    expect(card.tags.flatMap((g) => g.tags.map((t) => t.tagId)).sort()).toEqual(tagIds.sort());
    for (const group of card.tags) {
      const names = await sql<{ name: string; group_id: string }>(
        app,
        'SELECT name, group_id FROM tags WHERE tag_id IN (' + group.tags.map(() => '?').join(',') + ')',
        ...group.tags.map((t) => t.tagId),
      );
      expect(names.every((n) => n.group_id === group.groupId)).toBe(true);
    }
    // Only allowlisted fields: nothing like union ids or internal columns.
    expect(Object.keys(card).sort()).toEqual(
      [
        'addedAt',
        'avatar',
        'channel',
        'corpName',
        'description',
        'externalUserId',
        'followers',
        'gender',
        'name',
        'position',
        'remark',
        'stage',
        'tags',
        'type',
      ].sort(),
    );
  });

  it('an unknown customer is 404; no session is 401', async () => {
    expect((await lina.get('/api/customers/wmDoesNotExist000000000000000000')).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/customers/${linaOnly[0]}` })).statusCode).toBe(401);
  });
});

describe("another rep's customer", () => {
  it('is 403 for every read and change, and nothing is written or sent to WeCom', async () => {
    const id = zhangweiOnly[0]!;
    const tag = (await sql<{ tag_id: string }>(app, 'SELECT tag_id FROM tags WHERE deleted = false LIMIT 1'))[0]!
      .tag_id;
    const before = await appTableCounts(app);
    const attempts = [
      () => lina.get(`/api/customers/${id}`),
      () => lina.patch(`/api/customers/${id}`, { remark: '抢客户' }),
      () => lina.put(`/api/customers/${id}/tags`, { add: [tag], remove: [] }),
      () => lina.put(`/api/customers/${id}/stage`, { stageId: 2 }),
      () => lina.get(`/api/customers/${id}/timeline`),
      () => lina.post(`/api/customers/${id}/notes`, { content: '偷看一下' }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ error: 'forbidden' });
    }
    expect(await appTableCounts(app)).toEqual(before);
    expect(await calls(app, '/cgi-bin/externalcontact/remark')).toHaveLength(0);
    expect(await calls(app, '/cgi-bin/externalcontact/mark_tag')).toHaveLength(0);
    // The owner still sees it untouched.
    const card = (await zhangwei.get(`/api/customers/${id}`)).json() as Card;
    expect(card.remark).not.toBe('抢客户');
  });

  it('a customer the rep has lost is 403 too', async () => {
    const id = take(linaOnly);
    expect(
      await app.modules.contacts.repo.loseFollow(app.db, CORP, 'lina', id, 'deleted_by_customer', Date.now()),
    ).toBe(true);
    expect((await lina.get(`/api/customers/${id}`)).statusCode).toBe(403);
  });
});

describe('changing the remark', () => {
  it('calls externalcontact/remark, updates the local follow and records remark_changed', async () => {
    const id = take(linaOnly);
    const res = await lina.patch(`/api/customers/${id}`, {
      remark: '王总（大客户）',
      description: '年底集中采购，需提前备货',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ remark: '王总（大客户）', description: '年底集中采购，需提前备货' });
    const sent = await calls(app, '/cgi-bin/externalcontact/remark');
    expect(sent.map((c) => c.body)).toEqual([
      { userid: 'lina', external_userid: id, remark: '王总（大客户）', description: '年底集中采购，需提前备货' },
    ]);
    const emulated = app.emulator!.core.findCustomer(id)!.follows.find((f) => f.userid === 'lina')!;
    expect(emulated.remark).toBe('王总（大客户）');
    const [item] = (await timeline(lina, id, '?filter=events')).items;
    expect(item).toMatchObject({
      kind: 'remark_changed',
      userId: 'lina',
      userName: '李娜',
      content: expect.stringContaining('王总（大客户）'),
      payload: { remark: { to: '王总（大客户）' }, description: { to: '年底集中采购，需提前备货' } },
      editable: false,
    });

    // Only the fields sent are changed.
    await lina.patch(`/api/customers/${id}`, { description: '' });
    expect((await calls(app, '/cgi-bin/externalcontact/remark')).at(-1)!.body).toEqual({
      userid: 'lina',
      external_userid: id,
      description: '',
    });
    expect(((await lina.get(`/api/customers/${id}`)).json() as Card).remark).toBe('王总（大客户）');
  });

  it('refuses a remark over 20 characters or an empty body with 400 and calls nothing', async () => {
    const id = linaOnly[0]!;
    const long = await lina.patch(`/api/customers/${id}`, { remark: '一二三四五六七八九十一二三四五六七八九十一' });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ field: 'remark' });
    const tooLongDescription = await lina.patch(`/api/customers/${id}`, { description: '长'.repeat(151) });
    expect(tooLongDescription.json()).toMatchObject({ field: 'description' });
    expect((await lina.patch(`/api/customers/${id}`, {})).statusCode).toBe(400);
    expect(await calls(app, '/cgi-bin/externalcontact/remark')).toHaveLength(0);
  });

  it('a WeCom refusal is a 502 with the errcode, and nothing changes locally', async () => {
    const id = take(linaOnly);
    app.emulator!.addFault({ path: '/cgi-bin/externalcontact/remark', count: 1, errcode: 84061 });
    const before = await appTableCounts(app);
    const remarkOf = async () =>
      (
        await sql<{ remark: string }>(
          app,
          `SELECT remark FROM follows WHERE external_user_id = ? AND user_id = 'lina'`,
          id,
        )
      )[0]!.remark;
    const remark = await remarkOf();
    const res = await lina.patch(`/api/customers/${id}`, { remark: '不会生效' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: 'wecom_error', message: expect.stringContaining('84061') });
    expect(await appTableCounts(app)).toEqual(before);
    expect(await remarkOf()).toBe(remark);
  });
});

describe('changing tags', () => {
  it('calls mark_tag with the right body, mirrors follow_tags and records tagged / untagged', async () => {
    // A customer lina has tagged already (customers added by a bare simulate have none), so one can be removed.
    const tagged = new Set(
      (
        await sql<{ id: string }>(app, `SELECT DISTINCT external_user_id AS id FROM follow_tags WHERE user_id = 'lina'`)
      ).map((r) => r.id),
    );
    const id = linaOnly.find((c) => tagged.has(c))!;
    linaOnly.splice(linaOnly.indexOf(id), 1);
    const current = await sql<{ tag_id: string; name: string }>(
      app,
      `SELECT ft.tag_id, t.name FROM follow_tags ft JOIN tags t USING (corp_id, tag_id) WHERE ft.external_user_id = ? AND ft.user_id = 'lina'`,
      id,
    );
    const toRemove = current[0]!;
    const toAdd = await sql<{ tag_id: string; name: string }>(
      app,
      `SELECT tag_id, name FROM tags WHERE deleted = false AND tag_id NOT IN (SELECT tag_id FROM follow_tags WHERE external_user_id = ? AND user_id = 'lina') LIMIT 2`,
      id,
    );
    const res = await lina.put(`/api/customers/${id}/tags`, {
      add: toAdd.map((t) => t.tag_id),
      remove: [toRemove.tag_id],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await calls(app, '/cgi-bin/externalcontact/mark_tag')).map((c) => c.body)).toEqual([
      { userid: 'lina', external_userid: id, add_tag: toAdd.map((t) => t.tag_id), remove_tag: [toRemove.tag_id] },
    ]);
    const cardTags = (res.json() as Card).tags.flatMap((g) => g.tags.map((t) => t.tagId));
    expect(cardTags).toEqual(expect.arrayContaining(toAdd.map((t) => t.tag_id)));
    expect(cardTags).not.toContain(toRemove.tag_id);
    const local = (
      await sql<{ tag_id: string }>(
        app,
        `SELECT tag_id FROM follow_tags WHERE external_user_id = ? AND user_id = 'lina'`,
        id,
      )
    ).map((r) => r.tag_id);
    expect(local.sort()).toEqual(cardTags.sort());
    const emulated = app.emulator!.core.findCustomer(id)!.follows.find((f) => f.userid === 'lina')!;
    expect([...emulated.tag_ids].sort()).toEqual(local.sort());

    const items = (await timeline(lina, id, '?filter=events')).items;
    expect(items.find((i) => i.kind === 'tagged')).toMatchObject({
      payload: { tags: toAdd.map((t) => ({ tagId: t.tag_id, name: t.name })) },
      content: `添加标签：${toAdd.map((t) => t.name).join('、')}`,
      userId: 'lina',
    });
    expect(items.find((i) => i.kind === 'untagged')).toMatchObject({
      payload: { tags: [{ tagId: toRemove.tag_id, name: toRemove.name }] },
    });
  });

  it('validates against the local tag mirror: unknown tags, both lists empty, or the same tag in both → 400, nothing sent', async () => {
    const id = linaOnly[0]!;
    const tag = (await sql<{ tag_id: string }>(app, 'SELECT tag_id FROM tags WHERE deleted = false LIMIT 1'))[0]!
      .tag_id;
    const cases: [unknown, string][] = [
      [{ add: ['etNoSuchTag'], remove: [] }, 'add'],
      [{ add: [], remove: ['etNoSuchTag'] }, 'remove'],
      [{ add: [], remove: [] }, 'add'],
      [{ add: [tag], remove: [tag] }, 'remove'],
    ];
    const before = await appTableCounts(app);
    for (const [body, field] of cases) {
      const res = await lina.put(`/api/customers/${id}/tags`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ field });
    }
    expect(await appTableCounts(app)).toEqual(before);
    expect(await calls(app, '/cgi-bin/externalcontact/mark_tag')).toHaveLength(0);
  });
});

describe('stages', () => {
  it('GET /api/stages seeds the four defaults; changing a stage records stage_changed with from/to', async () => {
    const stages = (await lina.get('/api/stages')).json() as { stageId: number; name: string; order: number }[];
    expect(stages.map((s) => s.name)).toEqual(['新客户', '跟进中', '已成交', '已流失']);
    const id = take(linaOnly);
    const res = await lina.put(`/api/customers/${id}/stage`, { stageId: stages[1]!.stageId });
    expect(res.statusCode).toBe(200);
    expect((res.json() as Card).stage).toEqual({ stageId: stages[1]!.stageId, name: '跟进中' });
    const [item] = (await timeline(lina, id)).items;
    expect(item).toMatchObject({
      kind: 'stage_changed',
      content: '销售阶段：新客户 → 跟进中',
      payload: {
        from: { stageId: stages[0]!.stageId, name: '新客户' },
        to: { stageId: stages[1]!.stageId, name: '跟进中' },
      },
    });
    // The stage belongs to the customer: another follower sees it.
    const sharedId = shared[1]!;
    await lina.put(`/api/customers/${sharedId}/stage`, { stageId: stages[2]!.stageId });
    expect(((await zhangwei.get(`/api/customers/${sharedId}`)).json() as Card).stage.name).toBe('已成交');

    const bad = await lina.put(`/api/customers/${id}/stage`, { stageId: 999_999 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'stageId' });
  });

  it('PUT /api/stages (admin) renames, reorders, adds and removes; customers of a removed stage fall back to the first', async () => {
    const stages = (await lina.get('/api/stages')).json() as { stageId: number; name: string }[];
    const id = take(linaOnly);
    const lost = stages.find((s) => s.name === '已流失')!;
    await lina.put(`/api/customers/${id}/stage`, { stageId: lost.stageId });

    expect((await lina.put('/api/stages', { stages: [{ name: 'x' }] })).statusCode).toBe(401);
    const [fresh, following, won] = [stages[0]!, stages[1]!, stages[2]!];
    const res = await adminCall(app, 'PUT', '/api/stages', {
      stages: [
        { stageId: following.stageId, name: '新客户' },
        { stageId: fresh.stageId, name: '待跟进' },
        { name: '已报价' },
        { stageId: won.stageId, name: '已成交' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const next = res.json() as { stageId: number; name: string; order: number }[];
    expect(next.map((s) => [s.name, s.order])).toEqual([
      ['新客户', 0],
      ['待跟进', 1],
      ['已报价', 2],
      ['已成交', 3],
    ]);
    expect(next[0]!.stageId).toBe(following.stageId);
    expect(((await lina.get(`/api/customers/${id}`)).json() as Card).stage).toEqual({
      stageId: following.stageId,
      name: '新客户',
    });

    const duplicate = await adminCall(app, 'PUT', '/api/stages', { stages: [{ name: '甲' }, { name: '甲' }] });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json()).toMatchObject({ field: 'stages.1.name' });
    const foreign = await adminCall(app, 'PUT', '/api/stages', { stages: [{ stageId: 424242, name: '甲' }] });
    expect(foreign.json()).toMatchObject({ field: 'stages.0.stageId' });
    expect(((await lina.get('/api/stages')).json() as unknown[]).length).toBe(4);
  });
});

describe('the timeline', () => {
  it('pages newest first by keyset with no duplicates or gaps (ties on time included), and filters by chip', async () => {
    const id = take(linaOnly);
    const kinds = [
      'added',
      'tagged',
      'note',
      'script_sent',
      'message',
      'stage_changed',
      'welcome_sent',
      'note',
      'message',
      'lost',
    ];
    const base = Date.now() - 10 * 86_400_000;
    for (let i = 0; i < 53; i++) {
      await app.modules.timeline.repo.add(app.db, {
        corpId: CORP,
        externalUserId: id,
        userId: i % 3 === 0 ? 'lina' : 'zhangwei',
        kind: kinds[i % kinds.length] as never,
        content: `第${i}条`,
        // Several items share a timestamp: the id breaks the tie.
        occurredAt: base + Math.floor(i / 4) * 60_000,
      });
    }
    const all = await sql<{ id: number; kind: string }>(
      app,
      // A rep sees only their own chat items (another rep's messages with the customer are not theirs to read).
      `SELECT id, kind FROM timeline_items WHERE external_user_id = ? AND (kind <> 'message' OR user_id = 'lina')
        ORDER BY occurred_at DESC, id DESC`,
      id,
    );
    const walk = async (filter: string, limit: number) => {
      const ids: number[] = [];
      let cursor: string | null = null;
      let guard = 0;
      do {
        const res = await lina.get(
          `/api/customers/${id}/timeline?filter=${filter}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.statusCode).toBe(200);
        const page = res.json() as { items: Item[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(limit);
        ids.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor && ++guard < 100);
      return ids;
    };
    expect(await walk('all', 10)).toEqual(all.map((r) => r.id));
    expect(await walk('all', 7)).toEqual(all.map((r) => r.id));
    const of = (wanted: string[]) => all.filter((r) => wanted.includes(r.kind)).map((r) => r.id);
    expect(await walk('notes', 4)).toEqual(of(['note']));
    expect(await walk('scripts', 4)).toEqual(of(['script_sent']));
    expect(await walk('messages', 4)).toEqual(of(['message']));
    expect(await walk('events', 6)).toEqual(of(TIMELINE_FILTER_KINDS.events));

    const first = (await lina.get(`/api/customers/${id}/timeline?limit=3`)).json() as { items: Item[] };
    expect(first.items[0]!.id).toBe(all[0]!.id);
    const everything = (await lina.get(`/api/customers/${id}/timeline?limit=100`)).json() as { items: Item[] };
    expect(everything.items.find((i) => i.content === '第51条')).toMatchObject({
      userId: 'lina',
      userName: '李娜',
      payload: {},
    });
    expect(everything.items.find((i) => i.content === '第52条')).toMatchObject({
      userId: 'zhangwei',
      userName: '张伟',
    });
    expect((await lina.get(`/api/customers/${id}/timeline?filter=secrets`)).statusCode).toBe(400);
    expect((await lina.get(`/api/customers/${id}/timeline?cursor=%%%`)).statusCode).toBe(400);
  });
});

describe('follow-up notes', () => {
  it('a rep adds and edits notes with an optional due date; only the author may edit', async () => {
    const id = take(shared);
    const due = Date.now() + 3 * 86_400_000;
    const created = await lina.post(`/api/customers/${id}/notes`, { content: '  客户想要企业团购报价  ', dueAt: due });
    expect(created.statusCode, created.body).toBe(201);
    const note = created.json() as Item;
    expect(note).toMatchObject({
      kind: 'note',
      content: '客户想要企业团购报价',
      dueAt: due,
      userId: 'lina',
      userName: '李娜',
      editable: true,
    });

    const edited = await lina.patch(`/api/customers/${id}/notes/${note.id}`, {
      content: '已发报价，等回复',
      dueAt: null,
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      id: note.id,
      content: '已发报价，等回复',
      dueAt: null,
      occurredAt: note.occurredAt,
    });

    // zhangwei also follows this customer: sees the note, may not edit it.
    const theirs = (await timeline(zhangwei, id, '?filter=notes')).items.find((i) => i.id === note.id)!;
    expect(theirs).toMatchObject({ content: '已发报价，等回复', editable: false });
    const before = await appTableCounts(app);
    const forbidden = await zhangwei.patch(`/api/customers/${id}/notes/${note.id}`, { content: '改掉' });
    expect(forbidden.statusCode).toBe(403);
    expect(await appTableCounts(app)).toEqual(before);
    expect(await sql<{ content: string }>(app, 'SELECT content FROM timeline_items WHERE id = ?', note.id)).toEqual([
      { content: '已发报价，等回复' },
    ]);

    // Addressing the note through another customer, or a non-note item, is 404.
    const other = linaOnly[0]!;
    expect((await lina.patch(`/api/customers/${other}/notes/${note.id}`, { content: 'x' })).statusCode).toBe(404);
    const eventId = (await app.modules.timeline.repo.add(app.db, {
      corpId: CORP,
      externalUserId: id,
      kind: 'added',
      occurredAt: Date.now(),
    }))!;
    expect((await lina.patch(`/api/customers/${id}/notes/${eventId}`, { content: 'x' })).statusCode).toBe(404);

    for (const body of [{ content: '' }, { content: '   ' }, { content: '长'.repeat(2001) }, {}]) {
      const res = await lina.post(`/api/customers/${id}/notes`, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ field: 'content' });
    }
  });
});

describe('the tag library for the tag editor', () => {
  it('GET /api/tags takes a rep session (or the admin token); changing tags still needs the admin token', async () => {
    const res = await lina.get('/api/tags');
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.stringify(res.json())).toContain('重要客户');
    expect((await adminCall(app, 'GET', '/api/tags')).statusCode).toBe(200);
    expect((await lina.post('/api/tags/sync')).statusCode).toBe(401);
    expect((await lina.post('/api/tags/groups', { name: '越权分组', tags: ['x'] })).statusCode).toBe(401);
  });
});

describe('authentication', () => {
  it('every customer, stage and timeline route answers 401 without a session', async () => {
    const id = linaOnly[0]!;
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/me'],
      ['POST', '/api/jsapi/signatures', { url: 'http://a.test/' }],
      ['GET', '/api/customers'],
      ['GET', `/api/customers/${id}`],
      ['PATCH', `/api/customers/${id}`, { remark: 'x' }],
      ['PUT', `/api/customers/${id}/tags`, { add: ['x'], remove: [] }],
      ['PUT', `/api/customers/${id}/stage`, { stageId: 1 }],
      ['GET', '/api/stages'],
      ['PUT', '/api/stages', { stages: [{ name: 'x' }] }],
      ['GET', `/api/customers/${id}/timeline`],
      ['POST', `/api/customers/${id}/notes`, { content: 'x' }],
      ['PATCH', `/api/customers/${id}/notes/1`, { content: 'x' }],
      ['GET', '/api/script-groups'],
      ['GET', '/api/scripts'],
      ['POST', '/api/scripts/1/favorite'],
      ['DELETE', '/api/scripts/1/favorite'],
      ['POST', '/api/scripts/1/sends', { externalUserId: id }],
      ['POST', '/api/scripts', { groupId: 1, title: 'x', kind: 'text', content: 'x' }],
      ['PUT', '/api/scripts/1', { groupId: 1, title: 'x', kind: 'text', content: 'x' }],
      ['DELETE', '/api/scripts/1'],
      ['POST', '/api/script-groups', { name: 'x' }],
      ['PUT', '/api/script-groups/1', { name: 'x' }],
      ['DELETE', '/api/script-groups/1'],
      ['GET', '/api/tags'],
    ];
    for (const [method, url, payload] of routes) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        ...(payload ? { payload: payload as object } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
      // Invalid input is not even looked at before authentication.
      if (payload) {
        const junk = await app.inject({ method: method as 'GET', url, payload: { junk: true } });
        expect(junk.statusCode, `${method} ${url} with junk`).toBe(401);
      }
    }
  });
});
