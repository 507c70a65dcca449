import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEmulatorApp, type TestEmulator } from './helpers.js';

describe('emulator: faults and the call log', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  const path = '/cgi-bin/externalcontact/get_follow_user_list';

  it('fails exactly the next `count` calls of the path with the given errcode', async () => {
    await t.token();
    const res = await t.app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path, count: 2, errcode: -1, errmsg: 'system busy' },
    });
    expect(res.statusCode).toBe(201);
    const first = await t.get(path);
    expect(first.errcode).toBe(-1);
    expect(first.errmsg).toMatch(/^system busy/);
    expect((await t.get(path)).errcode).toBe(-1);
    expect((await t.get(path)).errcode).toBe(0);
    // Other paths are unaffected.
    expect((await t.get('/cgi-bin/user/get', { userid: 'lina' })).errcode).toBe(0);
  });

  it('accepts the /emulator prefix in the path and can fault gettoken itself', async () => {
    t.emulator.addFault({ path: '/emulator/cgi-bin/gettoken', count: 1, errcode: 45009 });
    const res = await t.app.inject({ url: `/emulator/cgi-bin/gettoken?corpid=x&corpsecret=y` });
    expect(res.json().errcode).toBe(45009);
  });

  it('delays the next calls (and only those)', async () => {
    await t.token();
    t.emulator.addFault({ path, count: 1, delayMs: 300 });
    let started = performance.now();
    expect((await t.get(path)).errcode).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    started = performance.now();
    await t.get(path);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('delay and errcode together: waits, then fails', async () => {
    await t.token();
    t.emulator.addFault({ path, count: 1, delayMs: 150, errcode: 45033 });
    const started = performance.now();
    expect((await t.get(path)).errcode).toBe(45033);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('DELETE /_faults clears pending faults; bad fault bodies are 400s', async () => {
    await t.token();
    t.emulator.addFault({ path, count: 5, errcode: -1 });
    expect((await t.app.inject({ url: '/emulator/_faults' })).json()).toHaveLength(1);
    expect((await t.app.inject({ method: 'DELETE', url: '/emulator/_faults' })).statusCode).toBe(204);
    expect((await t.get(path)).errcode).toBe(0);

    for (const payload of [
      { path, count: 0, errcode: -1 },
      { path: '/not-an-api', count: 1, errcode: -1 },
      { path, count: 1 },
      { path, count: 1, errcode: 0 },
      { path, count: 1, delayMs: 999_999 },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/emulator/_faults', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toBeTruthy();
    }
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    });
    expect(notJson.statusCode).toBe(400);
  });

  it('records every /cgi-bin call with method, path, query, body and response; filters and clears', async () => {
    const token = await t.token();
    await t.post('/cgi-bin/externalcontact/get_corp_tag_list', { tag_id: ['x'] });
    await t.get('/cgi-bin/user/get', { userid: 'ghost' });

    const res = await t.app.inject({ url: '/emulator/_calls' });
    const calls = res.json() as {
      at: number;
      method: string;
      path: string;
      query: Record<string, string>;
      body: unknown;
      response: { errcode: number };
    }[];
    expect(calls.map((c) => c.path)).toEqual([
      '/cgi-bin/gettoken',
      '/cgi-bin/externalcontact/get_corp_tag_list',
      '/cgi-bin/user/get',
    ]);
    expect(calls[1]).toMatchObject({
      method: 'POST',
      query: { access_token: token },
      body: { tag_id: ['x'] },
      response: { errcode: 0 },
    });
    expect(calls[2]).toMatchObject({ method: 'GET', query: { userid: 'ghost' }, response: { errcode: 60111 } });
    expect(calls[0]!.at).toBe(t.emulator.now());

    const filtered = await t.app.inject({ url: '/emulator/_calls?path=/cgi-bin/user/get' });
    expect(filtered.json()).toHaveLength(1);
    expect(t.emulator.calls('/emulator/cgi-bin/user/get')).toHaveLength(1);

    expect((await t.app.inject({ method: 'DELETE', url: '/emulator/_calls' })).statusCode).toBe(204);
    expect(t.emulator.calls()).toEqual([]);
  });

  it('answers 47001 for a body that is not JSON', async () => {
    const token = await t.token();
    const res = await t.app.inject({
      method: 'POST',
      url: `/emulator/cgi-bin/externalcontact/mark_tag?access_token=${token}`,
      headers: { 'content-type': 'application/json' },
      payload: '{"userid":',
    });
    expect(res.json().errcode).toBe(47001);
  });

  it('accepts JSON posted without a JSON content type, as WeCom does', async () => {
    const token = await t.token();
    const res = await t.app.inject({
      method: 'POST',
      url: `/emulator/cgi-bin/externalcontact/groupchat/list?access_token=${token}`,
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ limit: 10 }),
    });
    expect(res.json().errcode).toBe(0);
  });
});
