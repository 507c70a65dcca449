import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CORP } from '../../../server/emulator/index.js';
import { buildEmulatorApp, type TestEmulator } from './helpers.js';

describe('emulator: gettoken and access_token checks', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  const gettoken = async (query: string) => (await t.app.inject({ url: `/emulator/cgi-bin/gettoken?${query}` })).json();

  it('DEMO_CORP looks like real credentials', () => {
    expect(DEMO_CORP.corpId).toMatch(/^ww[0-9a-f]{16}$/);
    expect(DEMO_CORP.secret).toHaveLength(32);
    expect(DEMO_CORP.encodingAesKey).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(Buffer.from(`${DEMO_CORP.encodingAesKey}=`, 'base64')).toHaveLength(32);
    expect(DEMO_CORP.agentId).toBe(1000002);
  });

  it('issues a token for the right corpid and secret', async () => {
    const res = await t.app.inject({
      url: `/emulator/cgi-bin/gettoken?corpid=${DEMO_CORP.corpId}&corpsecret=${DEMO_CORP.secret}`,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('answers 40013 for a wrong corpid, 40001 for a wrong secret, 41002/41004 when missing', async () => {
    expect((await gettoken(`corpid=ww0000000000000000&corpsecret=${DEMO_CORP.secret}`)).errcode).toBe(40013);
    expect((await gettoken(`corpid=${DEMO_CORP.corpId}&corpsecret=wrong`)).errcode).toBe(40001);
    expect((await gettoken(`corpsecret=${DEMO_CORP.secret}`)).errcode).toBe(41002);
    expect((await gettoken(`corpid=${DEMO_CORP.corpId}`)).errcode).toBe(41004);
    // Errors are HTTP 200 with WeCom's errmsg style (hint + link), as WeCom answers.
    const res = await t.app.inject({ url: `/emulator/cgi-bin/gettoken?corpid=x&corpsecret=y` });
    expect(res.statusCode).toBe(200);
    expect(res.json().errmsg).toMatch(
      /^invalid corpid, hint: \[.*more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40013$/,
    );
  });

  it('checks access_token on every other call: 41001 missing, 40014 unknown', async () => {
    const missing = await t.app.inject({ url: '/emulator/cgi-bin/externalcontact/get_follow_user_list' });
    expect(missing.json().errcode).toBe(41001);
    expect((await t.get('/cgi-bin/externalcontact/get_follow_user_list', { access_token: 'nope' })).errcode).toBe(
      40014,
    );
    const good = await t.get('/cgi-bin/externalcontact/get_follow_user_list');
    expect(good.errcode).toBe(0);
    expect(good.follow_user).toEqual(expect.arrayContaining(['zhangwei', 'lina', 'liuyang']));
  });

  it('expires tokens after 7200 s of the emulator clock (42001)', async () => {
    const token = await t.token();
    t.emulator.advanceClock(7199_000);
    expect((await t.get('/cgi-bin/externalcontact/get_follow_user_list', { access_token: token })).errcode).toBe(0);
    t.emulator.advanceClock(1_000);
    expect((await t.get('/cgi-bin/externalcontact/get_follow_user_list', { access_token: token })).errcode).toBe(42001);
    const fresh = await t.token();
    expect((await t.get('/cgi-bin/externalcontact/get_follow_user_list', { access_token: fresh })).errcode).toBe(0);
  });

  it('POST /_tokens/expire expires every issued token now', async () => {
    const a = await t.token();
    const b = await t.token();
    const res = await t.app.inject({ method: 'POST', url: '/emulator/_tokens/expire' });
    expect(res.json()).toEqual({ expired: 2 });
    for (const token of [a, b]) {
      expect((await t.get('/cgi-bin/user/get', { access_token: token, userid: 'lina' })).errcode).toBe(42001);
    }
    expect((await t.get('/cgi-bin/user/get', { access_token: await t.token(), userid: 'lina' })).errcode).toBe(0);
  });

  it('POST /_clock moves the clock and validates its body', async () => {
    const token = await t.token();
    const moved = await t.app.inject({ method: 'POST', url: '/emulator/_clock', payload: { advanceMs: 7200_000 } });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().now).toBe(t.emulator.now());
    expect((await t.get('/cgi-bin/user/get', { access_token: token, userid: 'lina' })).errcode).toBe(42001);
    const bad = await t.app.inject({ method: 'POST', url: '/emulator/_clock', payload: { advanceMs: -5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/advanceMs/);
  });

  it('answers 43002 when a POST API is called with GET, and 404 for an unknown API', async () => {
    expect((await t.get('/cgi-bin/externalcontact/mark_tag')).errcode).toBe(43002);
    const res = await t.app.inject({ url: '/emulator/cgi-bin/not/an/api' });
    expect(res.statusCode).toBe(404);
  });

  it('issues JS-SDK tickets; ticket/get needs type=agent_config (91040)', async () => {
    const corp = await t.get('/cgi-bin/get_jsapi_ticket');
    expect(corp).toMatchObject({ errcode: 0, expires_in: 7200 });
    expect(typeof corp.ticket).toBe('string');
    const agent = await t.get('/cgi-bin/ticket/get', { type: 'agent_config' });
    expect(agent).toMatchObject({ errcode: 0, expires_in: 7200 });
    expect(agent.ticket).not.toBe(corp.ticket);
    expect((await t.get('/cgi-bin/ticket/get', { type: 'other' })).errcode).toBe(91040);
  });
});
