import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CORP } from '../../../server/emulator/index.js';
import { buildEmulatorApp, type TestEmulator } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:3999/sidebar/?from=wecom#/customer';

function authorizeQuery(overrides: Record<string, string> = {}): string {
  return new URLSearchParams({
    appid: DEMO_CORP.corpId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'abc123',
    agentid: String(DEMO_CORP.agentId),
    ...overrides,
  }).toString();
}

describe('emulator: OAuth2 member login', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  /** Chooses a member on the page (posts its form) and returns the redirect target. */
  const choose = async (userid: string, query = authorizeQuery()) => {
    const form = new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(query)), userid }).toString();
    const res = await t.app.inject({
      method: 'POST',
      url: '/emulator/connect/oauth2/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    return res;
  };

  it('shows a Chinese member picker listing reps with their departments', async () => {
    const res = await t.app.inject({ url: `/emulator/connect/oauth2/authorize?${authorizeQuery()}#wechat_redirect` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('选择登录的成员（企业微信模拟器）');
    expect(res.body).toContain('<html lang="zh-CN">');
    for (const text of ['张伟', '销售一部', '刘洋', '销售二部']) expect(res.body).toContain(text);
    expect(res.body).toContain('name="userid" value="lina"');
  });

  it('rejects a wrong appid, a relative redirect_uri and a foreign agentid with an error page', async () => {
    const bads: Record<string, string>[] = [
      { appid: 'ww0000000000000000' },
      { redirect_uri: '/sidebar/' },
      { redirect_uri: 'javascript:alert(1)' },
      { redirect_uri: 'https://evil.example.com/steal' },
      { agentid: '42' },
    ];
    for (const bad of bads) {
      const res = await t.app.inject({ url: `/emulator/connect/oauth2/authorize?${authorizeQuery(bad)}` });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.body).toContain('无法登录');
      expect(res.body).not.toContain('name="userid"');
    }
  });

  it('accepts redirect_uri on the public host or a loopback host (any port)', async () => {
    for (const redirect of ['http://localhost:5173/sidebar/', 'http://127.0.0.1:3999/console/']) {
      const res = await t.app.inject({
        url: `/emulator/connect/oauth2/authorize?${authorizeQuery({ redirect_uri: redirect })}`,
      });
      expect(res.statusCode, redirect).toBe(200);
    }
  });

  it('redirects with code and state; the code is single-use', async () => {
    const res = await choose('chenjing');
    expect(res.statusCode).toBe(302);
    const target = new URL(res.headers.location as string);
    expect(`${target.origin}${target.pathname}`).toBe('http://127.0.0.1:3999/sidebar/');
    expect(target.hash).toBe('#/customer');
    expect(target.searchParams.get('from')).toBe('wecom');
    expect(target.searchParams.get('state')).toBe('abc123');
    const code = target.searchParams.get('code')!;
    expect(code).toBeTruthy();

    expect(await t.get('/cgi-bin/auth/getuserinfo', { code })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'chenjing',
    });
    expect((await t.get('/cgi-bin/auth/getuserinfo', { code })).errcode).toBe(40029);
    expect((await t.get('/cgi-bin/auth/getuserinfo', { code: 'made-up' })).errcode).toBe(40029);
    expect((await t.get('/cgi-bin/auth/getuserinfo')).errcode).toBe(41008);
  });

  it('codes expire after 5 minutes of the emulator clock', async () => {
    const fresh = t.emulator.issueOAuthCode('lina');
    const stale = t.emulator.issueOAuthCode('lina');
    t.emulator.advanceClock(5 * 60_000 - 1);
    expect((await t.get('/cgi-bin/auth/getuserinfo', { code: fresh })).userid).toBe('lina');
    t.emulator.advanceClock(1);
    expect((await t.get('/cgi-bin/auth/getuserinfo', { code: stale })).errcode).toBe(40029);
  });

  it('snsapi_privateinfo also returns a user_ticket; an unknown member cannot log in', async () => {
    const res = await choose('lina', authorizeQuery({ scope: 'snsapi_privateinfo' }));
    const code = new URL(res.headers.location as string).searchParams.get('code')!;
    const info = await t.get('/cgi-bin/auth/getuserinfo', { code });
    expect(info).toMatchObject({ errcode: 0, userid: 'lina', expires_in: 1800 });
    expect(typeof info.user_ticket).toBe('string');
    expect((await choose('ghost')).statusCode).toBe(400);
  });
});
