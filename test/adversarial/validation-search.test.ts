import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { ADMIN_TOKEN, startApp } from '../support/app.js';
import { login, syncCorp } from '../support/sidebar.js';

/**
 * A NUL in a search (`q=%00`) reached SQLite's LIKE, which reads a pattern only up to a NUL: the pattern became `%`
 * and the search matched everything. Control characters in any search or free-text query input are refused.
 */

let app: App;
let cookie: string;

beforeAll(async () => {
  app = await startApp();
  await syncCorp(app);
  cookie = await login(app, 'lina');
  const group = await asAdmin('POST', '/api/script-groups', { name: '售后' });
  expect(group.statusCode, group.body).toBe(201);
  const groupId = (group.json() as { id: number }).id;
  for (const title of ['全国包邮', '七天无理由退货']) {
    const res = await asAdmin('POST', '/api/scripts', { groupId, title, kind: 'text', content: `${title}，请放心` });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => {
  await app?.close();
});

function asAdmin(method: 'GET' | 'POST', url: string, payload?: object) {
  return app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    ...(payload ? { payload } : {}),
  });
}
const asRep = (url: string) => app.inject({ url, headers: { cookie } });

const CONTROL = ['%00', 'a%00', '%00%25', '%01', '%09', '%0A', '%0D', '%1B', '%7F', '%C2%80', '%C2%9F'];

describe('control characters in searches are refused', () => {
  it('customers: q with a NUL → 400, not every customer', async () => {
    const all = await asRep('/api/customers?limit=100');
    expect(all.statusCode).toBe(200);
    expect((all.json() as { items: unknown[] }).items.length).toBeGreaterThan(1);
    for (const c of CONTROL) {
      const res = await asRep(`/api/customers?q=${c}`);
      expect(res.statusCode, c).toBe(400);
      expect(res.json(), c).toMatchObject({
        error: 'bad_request',
        message: '查询参数 q 不能包含控制字符',
        field: 'q',
      });
    }
  });

  it('scripts: q with a NUL → 400 for reps and the admin API; ordinary text, % and _ still search', async () => {
    for (const ask of [asRep, (url: string) => asAdmin('GET', url)]) {
      for (const c of CONTROL) {
        const res = await ask(`/api/scripts?q=${c}`);
        expect(res.statusCode, c).toBe(400);
        expect(res.json()).toMatchObject({ message: '查询参数 q 不能包含控制字符', field: 'q' });
      }
      const found = await ask(`/api/scripts?q=${encodeURIComponent('包邮')}`);
      expect(found.statusCode).toBe(200);
      expect((found.json() as { items: { title: string }[] }).items.map((s) => s.title)).toEqual(['全国包邮']);
      const literal = await ask(`/api/scripts?q=${encodeURIComponent('%')}`);
      expect((literal.json() as { total: number }).total).toBe(0);
    }
  });

  it('other free text in query strings: cursors and the sign-in return path', async () => {
    const cursor = await asRep('/api/customers?cursor=%00');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json()).toMatchObject({ message: '查询参数 cursor 不能包含控制字符', field: 'cursor' });
    const login = await app.inject({ url: '/api/auth/login?returnTo=/sidebar/%00' });
    expect(login.statusCode).toBe(400);
    expect(login.json()).toMatchObject({ message: '查询参数 returnTo 不能包含控制字符', field: 'returnTo' });
  });
});
