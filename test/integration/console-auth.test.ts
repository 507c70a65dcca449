import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { buildApp } from '../../server/app.js';
import { ADMIN_TOKEN, testConfig } from '../support/app.js';
import {
  clientAddress,
  consoleClient,
  consoleLogin,
  consoleWecomLogin,
  createLocalAccount,
  grantMember,
  STRONG_PASSWORD,
} from '../support/console.js';
import { CORP, login, setCookies, sql, syncCorp } from '../support/sidebar.js';

/**
 * Console sign-in: local accounts (scrypt, lockout), WeCom web sign-in for members with a role, server-side sessions
 * with idle and absolute expiry, a cookie of its own, the admin token acting as an admin.
 */

const MINUTE = 60_000;
let clock = Date.UTC(2026, 5, 15, 2, 0); // 10:00 in Shanghai
let app: App;

beforeAll(async () => {
  app = await buildApp(testConfig(), { logger: false, now: () => clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await syncCorp(app);
  await createLocalAccount(app, { username: 'boss', role: 'admin', name: '老板' });
  await createLocalAccount(app, { username: 'sales1', role: 'manager', departmentIds: [2], name: '一部主管' });
});

afterAll(async () => {
  await app?.close();
});

const own = () => ({ origin: app.origin.public(), 'sec-fetch-site': 'same-origin' });
const attempt = (username: string, password: string) =>
  app.inject({
    method: 'POST',
    url: '/api/console/auth/login',
    headers: own(),
    remoteAddress: clientAddress(),
    payload: { username, password },
  });

describe('password sign-in', () => {
  it('signs in, sets a Strict HttpOnly cookie of its own, and /api/console/me answers who is signed in', async () => {
    const res = await attempt('Boss', STRONG_PASSWORD);
    expect(res.statusCode, res.body).toBe(200);
    const cookie = setCookies(res.headers).get('scrm_console')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(res.json()).toMatchObject({
      user: { kind: 'local', username: 'boss', name: '老板', role: 'admin', departments: [] },
      corp: { corpId: CORP },
      timeZone: 'Asia/Shanghai',
    });
    const me = await consoleClient(app, cookie.split(';')[0]!).get('/api/console/me');
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json().user.username).toBe('boss');
    const [stored] = await sql<{ token_hash: string }>(app, 'SELECT token_hash FROM console_sessions');
    expect(stored!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(cookie).not.toContain(stored!.token_hash);
    const audit = await sql<{ action: string; actor_name: string }>(
      app,
      "SELECT action, actor_name FROM audit_log WHERE action = 'auth.login'",
    );
    expect(audit).toContainEqual({ action: 'auth.login', actor_name: '老板' });
  });

  it('an unknown username and a wrong password get the same 401', async () => {
    const unknown = await attempt('nobody', STRONG_PASSWORD);
    const wrong = await attempt('sales1', 'Wrong-password-1');
    for (const res of [unknown, wrong]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_credentials', message: '用户名或密码错误' });
    }
  });

  it('locks the account after 5 wrong passwords in a row, says until when, and refuses even the right one', async () => {
    await createLocalAccount(app, { username: 'victim', role: 'manager', departmentIds: [3] });
    for (let i = 1; i <= 4; i++) expect((await attempt('victim', `Wrong-password-${i}`)).statusCode).toBe(401);
    const fifth = await attempt('victim', 'Wrong-password-5');
    expect(fifth.statusCode, fifth.body).toBe(423);
    const unlockAt = clock + 15 * MINUTE;
    // 10:15 in Shanghai.
    expect(fifth.json()).toMatchObject({
      error: 'account_locked',
      message: '密码错误次数过多，账号已锁定，请于 10:15 后再试',
      unlockAt,
    });
    const right = await attempt('victim', STRONG_PASSWORD);
    expect(right.statusCode).toBe(423);
    const locks = await sql<{ action: string }>(app, "SELECT action FROM audit_log WHERE action = 'auth.locked'");
    expect(locks).toHaveLength(1);
    const list = await consoleClient(app, await consoleLogin(app, 'boss')).get('/api/console/users');
    expect(list.json().items.find((a: { username: string }) => a.username === 'victim')).toMatchObject({
      status: 'locked',
      lockedUntil: unlockAt,
    });

    clock += 15 * MINUTE;
    expect((await attempt('victim', STRONG_PASSWORD)).statusCode).toBe(200);
    // The count starts again after a lockout or a sign-in.
    for (let i = 1; i <= 4; i++) expect((await attempt('victim', `Wrong-password-${i}`)).statusCode).toBe(401);
    expect((await attempt('victim', STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it('an admin unlocks an account early', async () => {
    await createLocalAccount(app, { username: 'victim2', role: 'manager', departmentIds: [3] });
    for (let i = 1; i <= 5; i++) await attempt('victim2', `Wrong-password-${i}`);
    expect((await attempt('victim2', STRONG_PASSWORD)).statusCode).toBe(423);
    const admin = consoleClient(app, await consoleLogin(app, 'boss'));
    const id = (await admin.get('/api/console/users'))
      .json()
      .items.find((a: { username: string }) => a.username === 'victim2').id;
    const unlocked = await admin.post(`/api/console/users/${id}/unlock`);
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(unlocked.json().status).toBe('active');
    expect((await attempt('victim2', STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it('a disabled account cannot sign in, and its sessions end at once', async () => {
    await createLocalAccount(app, { username: 'leaver', role: 'manager', departmentIds: [2] });
    const session = consoleClient(app, await consoleLogin(app, 'leaver'));
    expect((await session.get('/api/console/me')).statusCode).toBe(200);
    const admin = consoleClient(app, await consoleLogin(app, 'boss'));
    const id = (await admin.get('/api/console/users'))
      .json()
      .items.find((a: { username: string }) => a.username === 'leaver').id;
    expect((await admin.patch(`/api/console/users/${id}`, { disabled: true })).statusCode).toBe(200);
    expect((await session.get('/api/console/me')).statusCode).toBe(401);
    const again = await attempt('leaver', STRONG_PASSWORD);
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ error: 'account_disabled' });
  });
});

describe('sessions', () => {
  it('end after the idle time (corp settings) and 12 hours after sign-in; signing out ends them server-side', async () => {
    const admin = consoleClient(app, await consoleLogin(app, 'boss'));
    clock += 119 * MINUTE;
    expect((await admin.get('/api/console/me')).statusCode).toBe(200);
    clock += 121 * MINUTE;
    expect((await admin.get('/api/console/me')).statusCode).toBe(401);

    const busy = consoleClient(app, await consoleLogin(app, 'boss'));
    for (let h = 0; h < 12; h++) {
      clock += 60 * MINUTE;
      expect((await busy.get('/api/console/me')).statusCode, `after ${h + 1} h`).toBe(h + 1 < 12 ? 200 : 401);
    }

    const cookie = await consoleLogin(app, 'boss');
    const out = await app.inject({ method: 'POST', url: '/api/console/auth/logout', headers: { cookie, ...own() } });
    expect(out.statusCode).toBe(204);
    expect(setCookies(out.headers).get('scrm_console')).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await consoleClient(app, cookie).get('/api/console/me')).statusCode).toBe(401);
  });

  it("the sidebar's session does not open the console, nor the console's the sidebar", async () => {
    const rep = await login(app, 'lina');
    const asRep = await app.inject({ url: '/api/console/me', headers: { cookie: rep } });
    expect(asRep.statusCode).toBe(401);
    const consoleCookie = await consoleLogin(app, 'boss');
    const asConsole = await app.inject({ url: '/api/me', headers: { cookie: consoleCookie } });
    expect(asConsole.statusCode).toBe(401);
  });

  it("shows a rep's new department at once after the directory changed (the console keeps the directory 2 s)", async () => {
    const wangfang = async () => {
      const res = await app.inject({ url: '/api/console/reps', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.statusCode, res.body).toBe(200);
      const { items } = res.json() as { items: { userId: string; department: { id: number } | null }[] };
      return items.find((r) => r.userId === 'wangfang')!.department?.id;
    };
    expect(await wangfang()).toBe(2);
    const rep = app.emulator!.core.findRep('wangfang')!;
    rep.department = [3];
    rep.main_department = 3;
    try {
      await app.modules.directory.service.syncAll(CORP);
      expect(await wangfang()).toBe(3);
    } finally {
      rep.department = [2];
      rep.main_department = 2;
      await app.modules.directory.service.syncAll(CORP);
    }
    expect(await wangfang()).toBe(2);
  });

  it('the admin bearer token acts as an admin', async () => {
    const res = await app.inject({ url: '/api/console/me', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({ kind: 'token', role: 'admin', name: '管理员令牌' });
  });
});

describe('rate limit', () => {
  it('a client address gets 30 sign-in attempts a minute, then 429 in Chinese', async () => {
    const from = clientAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/console/auth/login',
        headers: own(),
        remoteAddress: from,
        payload: { username: 'nobody', password: 'x' },
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json().message).toMatch(/请求过于频繁/);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  }, 120_000);
});

describe('WeCom web sign-in (扫码登录)', () => {
  it('a member without a role is sent back to the sign-in page with no_access; a manager gets in', async () => {
    const refused = await consoleWecomLogin(app, 'liuyang');
    expect(refused.res.statusCode).toBe(302);
    expect(refused.location).toBe('/console/login?error=no_access');
    expect(refused.cookie).toBeNull();

    await grantMember(app, 'liuyang', 'manager', [3]);
    const ok = await consoleWecomLogin(app, 'liuyang', '/console/reps');
    expect(ok.location).toBe('/console/reps');
    const me = await consoleClient(app, ok.cookie!).get('/api/console/me');
    expect(me.json().user).toMatchObject({
      kind: 'member',
      userId: 'liuyang',
      name: '刘洋',
      role: 'manager',
      departments: [{ id: 3, name: '销售二部' }],
    });

    // Taking the role away ends the session.
    await grantMember(app, 'liuyang', 'rep');
    expect((await consoleClient(app, ok.cookie!).get('/api/console/me')).statusCode).toBe(401);
  });

  it('a replayed or foreign state is refused; returnTo must stay under /console/', async () => {
    await grantMember(app, 'zhangwei', 'manager', [2]);
    const start = await app.inject({ url: '/api/console/auth/wecom' });
    const page = new URL(String(start.headers.location));
    expect(page.pathname).toBe('/emulator/wwlogin/sso/login');
    expect(page.searchParams.get('login_type')).toBe('CorpApp');
    expect(page.searchParams.get('appid')).toBe(CORP);
    // No state cookie: someone else's sign-in link.
    const foreign = await app.inject({
      url: `/api/console/auth/wecom/callback?code=x&state=${page.searchParams.get('state')}`,
    });
    expect(foreign.headers.location).toBe('/console/login?error=state');
    for (const returnTo of ['/sidebar/', '//evil.example/console/', 'https://evil.example/']) {
      const bad = await app.inject({ url: `/api/console/auth/wecom?returnTo=${encodeURIComponent(returnTo)}` });
      expect(bad.statusCode, returnTo).toBe(400);
    }
  });
});

describe('password changes', () => {
  it('an admin reset asks for a new password first; the account changes it and carries on', async () => {
    const created = await createLocalAccount(app, { username: 'newbie', role: 'manager', departmentIds: [2] });
    const admin = consoleClient(app, await consoleLogin(app, 'boss'));
    const reset = await admin.put(`/api/console/users/${created.id}/password`, { password: 'Temporary-pass-9' });
    expect(reset.statusCode, reset.body).toBe(204);
    const newbie = consoleClient(app, await consoleLogin(app, 'newbie', 'Temporary-pass-9'));
    expect((await newbie.get('/api/console/me')).json().user.mustChangePassword).toBe(true);
    const blocked = await newbie.get('/api/console/departments');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({ error: 'password_change_required', message: '请先修改初始密码' });

    const weak = await newbie.put('/api/console/me/password', {
      currentPassword: 'Temporary-pass-9',
      newPassword: 'newbie-12345',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ field: 'newPassword', message: '密码不能包含用户名' });
    const letters = await newbie.put('/api/console/me/password', {
      currentPassword: 'Temporary-pass-9',
      newPassword: 'onlyletterslong',
    });
    expect(letters.json().message).toBe('密码需同时包含字母和数字（或符号）');
    const changed = await newbie.put('/api/console/me/password', {
      currentPassword: 'Temporary-pass-9',
      newPassword: 'My-own-secret-42',
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await newbie.get('/api/console/departments')).statusCode).toBe(200);
    const actions = await sql<{ action: string }>(
      app,
      "SELECT action FROM audit_log WHERE action IN ('account.password_reset', 'account.password_change') ORDER BY id",
    );
    expect(actions.map((a) => a.action)).toEqual(['account.password_reset', 'account.password_change']);
  });
});
