import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import { ADMIN_TOKEN, appTableCounts, startApp, testConfig } from '../support/app.js';
import { calls, cookiePair, CORP, login, repClient, SESSION_COOKIE, setCookies, sql } from '../support/sidebar.js';

let app: App;

afterEach(async () => {
  await app?.close();
});

const HOUR = 3_600_000;

function unescapeHtml(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The fields of the authorize page's form for one member, as a browser would submit them. */
function formFor(html: string, userId: string): { action: string; fields: URLSearchParams } {
  const forms = [...html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => f[2]!.includes(`name="userid" value="${userId}"`));
  if (!form) throw new Error(`no sign-in form for ${userId}`);
  const fields = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.append(unescapeHtml(input[1]!), unescapeHtml(input[2]!));
  }
  return { action: unescapeHtml(form[1]!), fields };
}

/** Starts a sign-in: the state WeCom will echo back and the cookie binding it to this browser. */
async function beginSignIn(target: App): Promise<{ state: string; stateCookie: string }> {
  const start = await target.inject({ url: '/api/auth/login' });
  expect(start.statusCode, start.body).toBe(302);
  return {
    state: new URL(String(start.headers.location)).searchParams.get('state')!,
    stateCookie: cookiePair(setCookies(start.headers).get('scrm_oauth')!),
  };
}

/** WeCom sends the browser back with a code and the state. */
function oauthCallback(target: App, state: string, stateCookie: string, code: string) {
  return target.inject({ url: `/api/auth/callback?code=${code}&state=${state}`, headers: { cookie: stateCookie } });
}

/** A full sign-in, returning the session's Set-Cookie header as well as its name=value pair. */
async function loginWithCookie(target: App, userId: string): Promise<{ header: string; pair: string }> {
  const { state, stateCookie } = await beginSignIn(target);
  const done = await oauthCallback(target, state, stateCookie, target.emulator!.issueOAuthCode(userId));
  expect(done.statusCode, done.body).toBe(302);
  const header = setCookies(done.headers).get(SESSION_COOKIE)!;
  return { header, pair: cookiePair(header) };
}

describe('WeCom OAuth sign-in through the emulator', () => {
  it('login → authorize page → pick a rep → callback → HttpOnly session cookie → /api/me (real HTTP)', async () => {
    app = await startApp();
    const base = app.origin.internal();

    const login = await fetch(`${base}/api/auth/login?returnTo=${encodeURIComponent('/sidebar/?from=chat#/card')}`, {
      redirect: 'manual',
    });
    expect(login.status).toBe(302);
    const location = login.headers.get('location')!;
    expect(location).toMatch(/#wechat_redirect$/);
    const authorize = new URL(location);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${base}/emulator/connect/oauth2/authorize`);
    expect([...authorize.searchParams.keys()]).toEqual([
      'appid',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
      'agentid',
    ]);
    expect(authorize.searchParams.get('appid')).toBe(CORP);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/api/auth/callback`);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('scope')).toBe('snsapi_base');
    expect(authorize.searchParams.get('agentid')).toBe('1000002');
    const state = authorize.searchParams.get('state')!;
    expect(state).toMatch(/^[a-zA-Z0-9]{16,128}$/);
    const stateCookie = login.headers.getSetCookie().find((c) => c.startsWith('scrm_oauth='))!;
    expect(stateCookie).toMatch(/HttpOnly/i);
    expect(stateCookie).toMatch(/SameSite=Lax/i);
    expect(stateCookie).toMatch(/Max-Age=600/);
    // The cookie binds the state by its hash: the state itself is not in it.
    expect(stateCookie).not.toContain(state);

    // The browser follows the redirect (without the fragment) to the emulator's member picker.
    const page = await fetch(location.split('#')[0]!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('以李娜身份登录');
    const { action, fields } = formFor(html, 'lina');
    const picked = await fetch(new URL(action, base), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    });
    expect(picked.status).toBe(302);
    const callback = new URL(picked.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${base}/api/auth/callback`);
    expect(callback.searchParams.get('state')).toBe(state);
    const code = callback.searchParams.get('code')!;

    const done = await fetch(callback, { redirect: 'manual', headers: { cookie: cookiePair(stateCookie) } });
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/sidebar/?from=chat#/card');
    const cookies = done.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(session).toMatch(/; Path=\/(;|$)/);
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).not.toMatch(/Secure/i);
    // The state cookie is spent.
    expect(cookies.find((c) => c.startsWith('scrm_oauth='))).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);

    // The server exchanged exactly this code with auth/getuserinfo.
    const exchanges = await calls(app, '/cgi-bin/auth/getuserinfo');
    expect(exchanges.map((c) => c.query.code)).toEqual([code]);

    const token = cookiePair(session).slice(SESSION_COOKIE.length + 1);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await sql<{ token_hash: string; user_id: string; expires_at: number; created_at: number }>(
      app,
      'SELECT * FROM sessions',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(rows[0]!.user_id).toBe('lina');
    expect(rows[0]!.expires_at - rows[0]!.created_at).toBe(12 * HOUR);
    // The state was spent on the server.
    expect(await sql(app, 'SELECT * FROM oauth_states')).toHaveLength(0);

    const me = await fetch(`${base}/api/me`, { headers: { cookie: cookiePair(session) } });
    expect(me.status).toBe(200);
    // A signed-in person's data: no cache may keep it.
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(await me.json()).toEqual({
      userId: 'lina',
      name: '李娜',
      avatar: expect.stringContaining('/emulator/avatar/lina.svg'),
      position: '销售顾问',
      corpId: CORP,
      agentId: 1000002,
      demo: true,
      timeZone: 'Asia/Shanghai',
    });
    // The rep was mirrored locally on sign-in.
    expect(await sql(app, `SELECT user_id FROM reps WHERE user_id = 'lina'`)).toHaveLength(1);
    // Security headers are on API answers too.
    expect(me.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(me.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('GET /api/me without a session, with a garbage or unknown cookie, or with the admin token → 401 unauthorized', async () => {
    app = await startApp();
    for (const headers of [
      {},
      { cookie: `${SESSION_COOKIE}=not-a-token` },
      { cookie: `${SESSION_COOKIE}=${'A'.repeat(43)}` },
      { authorization: `Bearer ${ADMIN_TOKEN}` },
    ]) {
      const res = await app.inject({ url: '/api/me', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized', message: expect.stringMatching(/\p{Script=Han}/u) });
    }
  });

  it('an invalid code, a replayed code and an expired code are refused with 401 and no session', async () => {
    app = await startApp();
    const attempt = async (code: string) => {
      const start = await app.inject({ url: '/api/auth/login' });
      const state = new URL(String(start.headers.location)).searchParams.get('state')!;
      const stateCookie = cookiePair(setCookies(start.headers).get('scrm_oauth')!);
      return app.inject({
        url: `/api/auth/callback?code=${encodeURIComponent(code)}&state=${state}`,
        headers: { cookie: stateCookie },
      });
    };

    const invalid = await attempt('this-code-was-never-issued');
    expect(invalid.statusCode).toBe(401);
    expect(invalid.json()).toMatchObject({
      error: 'unauthorized',
      message: expect.stringContaining('登录凭证无效或已过期'),
    });

    const code = app.emulator!.issueOAuthCode('lina');
    expect((await attempt(code)).statusCode).toBe(302);
    const replay = await attempt(code);
    expect(replay.statusCode).toBe(401);

    const late = app.emulator!.issueOAuthCode('lina');
    app.emulator!.advanceClock(5 * 60_000 + 1000);
    const expired = await attempt(late);
    expect(expired.statusCode).toBe(401);
    expect(setCookies(expired.headers).has(SESSION_COOKIE)).toBe(false);
    expect(await sql(app, 'SELECT * FROM sessions')).toHaveLength(1);
  });

  it('a callback whose state was not issued to this browser is refused before the code is used', async () => {
    app = await startApp();
    const victim = await app.inject({ url: '/api/auth/login' });
    const attacker = await app.inject({ url: '/api/auth/login' });
    const attackerState = new URL(String(attacker.headers.location)).searchParams.get('state')!;
    const code = app.emulator!.issueOAuthCode('zhangwei');
    const victimCookie = cookiePair(setCookies(victim.headers).get('scrm_oauth')!);

    const before = await appTableCounts(app);
    for (const headers of [{ cookie: victimCookie }, {}]) {
      const res = await app.inject({ url: `/api/auth/callback?code=${code}&state=${attackerState}`, headers });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_request', field: 'state' });
      expect(setCookies(res.headers).has(SESSION_COOKIE)).toBe(false);
    }
    expect(await calls(app, '/cgi-bin/auth/getuserinfo')).toHaveLength(0);
    expect(await appTableCounts(app)).toEqual(before);
  });

  it('a replayed state (the same state cookie and state with a new code) is refused: no second session', async () => {
    app = await startApp();
    const { state, stateCookie } = await beginSignIn(app);
    expect(await sql(app, 'SELECT * FROM oauth_states')).toHaveLength(1);
    const first = await oauthCallback(app, state, stateCookie, app.emulator!.issueOAuthCode('lina'));
    expect(first.statusCode, first.body).toBe(302);
    expect(await sql(app, 'SELECT * FROM sessions')).toHaveLength(1);

    const before = await appTableCounts(app);
    const replay = await oauthCallback(app, state, stateCookie, app.emulator!.issueOAuthCode('zhangwei'));
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({
      error: 'bad_request',
      field: 'state',
      message: expect.stringContaining('登录状态已使用或已过期'),
    });
    expect(setCookies(replay.headers).has(SESSION_COOKIE)).toBe(false);
    expect(await appTableCounts(app)).toEqual(before);
    // The new code was never exchanged: one getuserinfo call, the first sign-in's.
    expect(await calls(app, '/cgi-bin/auth/getuserinfo')).toHaveLength(1);
  });

  it('two callbacks racing with one state: exactly one signs in', async () => {
    app = await startApp();
    const { state, stateCookie } = await beginSignIn(app);
    const answers = await Promise.all(
      ['lina', 'zhangwei'].map((userId) =>
        oauthCallback(app, state, stateCookie, app.emulator!.issueOAuthCode(userId)),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([302, 400]);
    expect(await sql(app, 'SELECT * FROM sessions')).toHaveLength(1);
  });

  it('the state lives in the database: issued by one instance it signs in on another, and only once', async () => {
    app = await startApp();
    // The same database, and the same data folder (its secret.key opens the corp's sealed secrets).
    const base = { ...testConfig({ database: app.config.database }), dataDir: app.config.dataDir };
    // A second instance on the same database, talking to the first one's WeCom (the emulator).
    const other = await buildApp(
      { ...base, emulator: false, wecom: { ...base.wecom, apiBase: `${app.origin.internal()}/emulator` } },
      { logger: false },
    );
    try {
      await other.listen({ port: 0, host: '127.0.0.1' });
      const crossed = await beginSignIn(app);
      const signedIn = await oauthCallback(
        other,
        crossed.state,
        crossed.stateCookie,
        app.emulator!.issueOAuthCode('lina'),
      );
      expect(signedIn.statusCode, signedIn.body).toBe(302);

      const spent = await beginSignIn(app);
      expect(
        (await oauthCallback(app, spent.state, spent.stateCookie, app.emulator!.issueOAuthCode('lina'))).statusCode,
      ).toBe(302);
      const replayElsewhere = await oauthCallback(
        other,
        spent.state,
        spent.stateCookie,
        app.emulator!.issueOAuthCode('zhangwei'),
      );
      expect(replayElsewhere.statusCode).toBe(400);
      expect(replayElsewhere.json()).toMatchObject({ field: 'state' });
      expect(await sql(app, 'SELECT user_id FROM sessions ORDER BY user_id')).toEqual([
        { user_id: 'lina' },
        { user_id: 'lina' },
      ]);
    } finally {
      await other.close();
    }
  });

  it('a state older than 10 minutes is refused, even with its cookie; a younger one works', async () => {
    let offset = 0;
    app = await buildApp(testConfig(), { logger: false, now: () => Date.now() + offset });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const late = await beginSignIn(app);
    const [row] = await sql<{ created_at: number; expires_at: number }>(app, 'SELECT * FROM oauth_states');
    expect(row!.expires_at - row!.created_at).toBe(10 * 60_000);
    const onTime = await beginSignIn(app);

    offset = 9 * 60_000;
    const inTime = await oauthCallback(app, onTime.state, onTime.stateCookie, app.emulator!.issueOAuthCode('lina'));
    expect(inTime.statusCode, inTime.body).toBe(302);

    offset = 10 * 60_000 + 1000;
    const before = await appTableCounts(app);
    const expired = await oauthCallback(app, late.state, late.stateCookie, app.emulator!.issueOAuthCode('lina'));
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({ error: 'bad_request', field: 'state' });
    expect(setCookies(expired.headers).has(SESSION_COOKIE)).toBe(false);
    expect(await appTableCounts(app)).toEqual(before);
    // Expired states do not pile up: the next sign-in purges them.
    await beginSignIn(app);
    expect(await sql(app, 'SELECT * FROM oauth_states')).toHaveLength(1);
  });

  it('signing in ends the session the browser came with (no session carried across a sign-in)', async () => {
    app = await startApp();
    const old = await login(app, 'lina');
    const { state, stateCookie } = await beginSignIn(app);
    const res = await app.inject({
      url: `/api/auth/callback?code=${app.emulator!.issueOAuthCode('zhangwei')}&state=${state}`,
      headers: { cookie: `${stateCookie}; ${old}` },
    });
    expect(res.statusCode, res.body).toBe(302);
    const fresh = cookiePair(setCookies(res.headers).get(SESSION_COOKIE)!);
    expect(fresh).not.toBe(old);
    expect(await sql(app, 'SELECT user_id FROM sessions')).toEqual([{ user_id: 'zhangwei' }]);
    expect((await repClient(app, old).get('/api/me')).statusCode).toBe(401);
    expect((await repClient(app, fresh).get('/api/me')).json()).toMatchObject({ userId: 'zhangwei' });
  });

  it('behind https (PUBLIC_URL https://…): session and state cookies are Secure, HSTS is sent', async () => {
    app = await startApp({ ...testConfig(), publicUrl: 'https://scrm.example.com' });
    const start = await app.inject({ url: '/api/auth/login' });
    expect(setCookies(start.headers).get('scrm_oauth')).toMatch(/; Secure/i);
    const cookie = await loginWithCookie(app, 'lina');
    expect(cookie.header).toMatch(/; HttpOnly/i);
    expect(cookie.header).toMatch(/; Secure/i);
    expect(cookie.header).toMatch(/; SameSite=Lax/i);
    const me = await repClient(app, cookie.pair).get('/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: cookie.pair, origin: 'https://scrm.example.com' },
    });
    expect(out.statusCode).toBe(204);
    expect(setCookies(out.headers).get(SESSION_COOKIE)).toMatch(/; Secure/i);
  });

  it('open-redirect attempts in returnTo are rejected with 400 and no OAuth state', async () => {
    app = await startApp();
    const attempts = [
      'https://evil.example/sidebar/',
      '//evil.example/sidebar/',
      '/\\evil.example/sidebar/',
      '/sidebar/../api/me',
      '/sidebar/%2e%2e/%2e%2e/evil',
      '/api/auth/logout',
      '/sidebarx/',
      'javascript:alert(1)',
      'sidebar/',
      '/sidebar/\r\nSet-Cookie: x=1',
    ];
    for (const returnTo of attempts) {
      const res = await app.inject({ url: `/api/auth/login?returnTo=${encodeURIComponent(returnTo)}` });
      expect(res.statusCode, returnTo).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_request', field: 'returnTo' });
      expect(res.headers.location).toBeUndefined();
      expect(setCookies(res.headers).has('scrm_oauth')).toBe(false);
    }
    expect(await sql(app, 'SELECT * FROM oauth_states')).toHaveLength(0);
    // The console and the bare sidebar are fine; no returnTo means the sidebar.
    for (const [returnTo, expected] of [
      ['/console/#/scripts', '/console/#/scripts'],
      ['/sidebar', '/sidebar'],
      ['', '/sidebar/'],
    ] as const) {
      const start = await app.inject({
        url: `/api/auth/login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`,
      });
      expect(start.statusCode).toBe(302);
      const state = new URL(String(start.headers.location)).searchParams.get('state')!;
      const code = app.emulator!.issueOAuthCode('lina');
      const done = await app.inject({
        url: `/api/auth/callback?code=${code}&state=${state}`,
        headers: { cookie: cookiePair(setCookies(start.headers).get('scrm_oauth')!) },
      });
      expect(done.headers.location).toBe(expected);
    }
  });

  it('logout ends the session server-side and clears the cookie', async () => {
    app = await startApp();
    const cookie = await login(app, 'lina');
    expect((await repClient(app, cookie).get('/api/me')).statusCode).toBe(200);
    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, origin: app.origin.public() },
    });
    expect(out.statusCode).toBe(204);
    expect(setCookies(out.headers).get(SESSION_COOKIE)).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    expect(await sql(app, 'SELECT * FROM sessions')).toHaveLength(0);
    expect((await repClient(app, cookie).get('/api/me')).statusCode).toBe(401);
  });

  it('sessions end after 8 idle hours or 12 hours in all; expired rows are purged', async () => {
    app = await startApp();
    const idle = await login(app, 'lina');
    const old = await login(app, 'zhangwei');
    const fresh = await login(app, 'wangfang');
    const hash = (cookie: string) => createHash('sha256').update(cookie.split('=')[1]!).digest('hex');
    const now = Date.now();
    const { sessions } = app.db.t;
    const change = (cookie: string, set: Partial<typeof sessions.$inferInsert>) =>
      app.db
        .update(sessions)
        .set(set)
        .where(eq(sessions.tokenHash, hash(cookie)));
    await change(idle, { lastSeenAt: now - 8 * HOUR - 1000 });
    await change(old, { createdAt: now - 12 * HOUR - 1000, expiresAt: now - 1000, lastSeenAt: now - 60_000 });
    // Recently used: lastSeenAt moves forward (at most once a minute).
    await change(fresh, { lastSeenAt: now - 7 * HOUR });

    expect((await repClient(app, idle).get('/api/me')).statusCode).toBe(401);
    expect((await repClient(app, old).get('/api/me')).statusCode).toBe(401);
    expect((await repClient(app, fresh).get('/api/me')).statusCode).toBe(200);
    const touched = await sql<{ last_seen_at: number }>(
      app,
      'SELECT last_seen_at FROM sessions WHERE token_hash = ?',
      hash(fresh),
    );
    expect(touched[0]!.last_seen_at).toBeGreaterThan(now - 60_000);
    expect(await sql(app, 'SELECT * FROM sessions')).toHaveLength(1);

    // Leftovers nobody presents again are purged at the next sign-in.
    await app.db.insert(sessions).values({
      tokenHash: 'x'.repeat(64),
      corpId: CORP,
      userId: 'lina',
      createdAt: now - 40 * HOUR,
      expiresAt: now - 28 * HOUR,
      lastSeenAt: now - 30 * HOUR,
    });
    await login(app, 'lina');
    expect(await sql(app, 'SELECT * FROM sessions WHERE token_hash = ?', 'x'.repeat(64))).toHaveLength(0);
  });

  it('the auth routes are rate-limited per client', async () => {
    app = await startApp();
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++) statuses.push((await app.inject({ url: '/api/auth/login' })).statusCode);
    expect(statuses.slice(0, 60).every((s) => s === 302)).toBe(true);
    const limited = await app.inject({ url: '/api/auth/login' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('请求过于频繁') });
  });
});

describe('JS-SDK signatures', () => {
  it('signs the URL without its fragment with the corp and agent tickets the emulator issued', async () => {
    app = await startApp();
    const rep = repClient(app, await login(app, 'lina'));
    const pageUrl = 'http://127.0.0.1:3000/sidebar/?entry=single_chat_tools&x=1';
    const res = await rep.post('/api/jsapi/signatures', { url: `${pageUrl}#/customer/wm123` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      corpId: string;
      agentId: number;
      config: { timestamp: number; nonceStr: string; signature: string };
      agentConfig: { timestamp: number; nonceStr: string; signature: string };
    };
    expect(body.corpId).toBe(CORP);
    expect(body.agentId).toBe(1000002);

    const [corpTicket] = (await calls(app, '/cgi-bin/get_jsapi_ticket')).map(
      (c) => (c.response as { ticket: string }).ticket,
    );
    const [agentTicket] = (await calls(app, '/cgi-bin/ticket/get')).map(
      (c) => (c.response as { ticket: string }).ticket,
    );
    expect(app.emulator!.core.credentials.isValidTicket(corpTicket!, 'jsapi')).toBe(true);
    expect(app.emulator!.core.credentials.isValidTicket(agentTicket!, 'agent_config')).toBe(true);
    const sha1 = (ticket: string, s: { nonceStr: string; timestamp: number }) =>
      createHash('sha1')
        .update(`jsapi_ticket=${ticket}&noncestr=${s.nonceStr}&timestamp=${s.timestamp}&url=${pageUrl}`)
        .digest('hex');
    expect(body.config.signature).toBe(sha1(corpTicket!, body.config));
    expect(body.agentConfig.signature).toBe(sha1(agentTicket!, body.agentConfig));
    expect(Math.abs(body.config.timestamp - Date.now() / 1000)).toBeLessThan(60);
    // The same signer the server uses agrees (and the tickets are cached: one fetch each).
    const again = await app.wecom.jsapi(CORP).configSignature(pageUrl);
    expect(again.signature).toBe(sha1(corpTicket!, again));
    await rep.post('/api/jsapi/signatures', { url: pageUrl });
    expect(await calls(app, '/cgi-bin/get_jsapi_ticket')).toHaveLength(1);
    expect(await calls(app, '/cgi-bin/ticket/get')).toHaveLength(1);
    // Nothing secret in the answer.
    expect(res.body).not.toContain(corpTicket!);
    expect(res.body).not.toContain(agentTicket!);
  });

  it('refuses URLs that are not absolute http(s), and anonymous callers', async () => {
    app = await startApp();
    const rep = repClient(app, await login(app, 'lina'));
    for (const url of ['/sidebar/', 'ftp://example.com/sidebar/', 'javascript:alert(1)//x', 'not a url at all']) {
      const res = await rep.post('/api/jsapi/signatures', { url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ field: 'url' });
    }
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/jsapi/signatures',
      payload: { url: 'http://a.test/sidebar/' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
