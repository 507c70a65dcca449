import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { seedSidebar } from '../../server/demo/seed-sidebar.js';
import { createChatReader } from '../../server/modules/suggest/chat.js';
import { waitFor } from '../support/app.js';
import { chat, CORP, people, pullNow, startArchiveApp } from '../support/archive.js';
import { login, repClient, sql, type RepClient } from '../support/sidebar.js';

/**
 * Suggestions fed by the real chat archive (the stand-in SDK reading the emulator's archive): the customer's messages
 * come from the chat tables, and a rep's typed reply that reproduces a script teaches it.
 */

let app: App;
let rep: RepClient;
let who: ReturnType<typeof people>;

beforeAll(async () => {
  app = await startArchiveApp();
  await seedSidebar(app);
  who = people(app);
  rep = repClient(app, await login(app, who.rep));
}, 120_000);

afterAll(async () => {
  await app?.close();
});

interface Answer {
  message: { id: number | null; text: string; sentAt: number | null } | null;
  items: { script: { title: string } }[];
}

const suggestions = async (customer: string) => {
  const res = await rep.get(`/api/customers/${customer}/suggestions`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Answer;
};

describe('suggestions from the archived chat', () => {
  it("answer the customer's latest archived message", async () => {
    await chat(app, { from: who.customer, to: who.rep, text: '你好' });
    await chat(app, { from: who.customer, to: who.rep, text: '运费怎么算？' });
    await pullNow(app);
    const answer = await suggestions(who.customer);
    expect(answer.message).toMatchObject({ text: '运费怎么算？' });
    expect(answer.message!.id).toEqual(expect.any(Number));
    expect(answer.items[0]!.script.title).toBe('全国包邮说明');
  });

  it('a typed reply that reproduces a script teaches it; other replies teach nothing', async () => {
    await chat(app, { from: who.customer2, to: who.rep, text: '买回来不合适的话能退吗' });
    await chat(app, {
      from: who.rep,
      to: who.customer2,
      text: '您好，收货7天内支持无理由退货，15天内有质量问题可以换新，退货运费由我们承担，在订单页点申请退货就可以～',
    });
    await chat(app, { from: who.customer2, to: who.rep, text: '那安装要不要钱' });
    await chat(app, { from: who.rep, to: who.customer2, text: '我问一下师傅再回复您' });
    await pullNow(app);
    const pairs = await waitFor(async () => {
      const rows = await sql<{ message: string; source: string; user_id: string; title: string }>(
        app,
        `SELECT p.message, p.source, p.user_id, s.title FROM learned_pairs p JOIN scripts s ON s.id = p.script_id
          WHERE p.corp_id = ? AND p.external_user_id = ?`,
        CORP,
        who.customer2,
      );
      return rows.length > 0 && rows;
    }, 'the pair learned from the archive');
    expect(pairs).toEqual([
      { message: '买回来不合适的话能退吗', source: 'archive', user_id: who.rep, title: '七天无理由退货' },
    ]);
    // Pulled again (a replayed batch stores nothing): nothing more is learned.
    await pullNow(app);
    const again = await sql(
      app,
      'SELECT id FROM learned_pairs WHERE corp_id = ? AND external_user_id = ?',
      CORP,
      who.customer2,
    );
    expect(again).toHaveLength(1);
  });

  it('archive learning reads the messages it is given, of its own corp only', async () => {
    const rows = await sql<{ id: number }>(app, 'SELECT id FROM messages WHERE corp_id = ? ORDER BY id', CORP);
    const ids = rows.map((r) => Number(r.id));
    expect(ids.length).toBeGreaterThan(3);
    const reader = createChatReader(app.db);
    const mine = await reader.byIds(app.db, CORP, [ids[0]!, ids[2]!, 987_654_321]);
    expect(mine.map((m) => m.id).sort((a, b) => a - b)).toEqual([ids[0], ids[2]]);
    expect(mine[0]).not.toHaveProperty('corpId');
    expect(await reader.byIds(app.db, 'another-corp', ids)).toEqual([]);
  });
});
