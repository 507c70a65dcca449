import { describe, expect, it } from 'vitest';
import { createAuthService } from '../../../server/modules/auth/service.js';
import { checkStateCookie } from '../../../server/modules/auth/oauth-state.js';
import type { RepRow } from '../../../server/modules/directory/repo.js';
import { WecomApiError, WecomNetworkError } from '../../../server/wecom/errors.js';
import type { UserInfoByCodeResponse } from '../../../server/wecom/types.js';

const CORP = { corpId: 'wwcorp', agentId: 1000002 };

function rep(userId: string, status = 1): RepRow {
  return {
    corpId: CORP.corpId,
    userId,
    name: '张伟',
    position: '',
    avatar: '',
    departmentIds: [],
    status,
    createdAt: 0,
    updatedAt: 0,
  };
}

function setup(answer: () => Promise<UserInfoByCodeResponse>, reps: RepRow[] = [rep('zhangwei')]) {
  const created: { corpId: string; userId: string }[] = [];
  const destroyed: string[] = [];
  const ensured: string[][] = [];
  /** The states issued and not yet consumed, as the sessions table of OAuth states keeps them. */
  const states = new Set<string>();
  const service = createAuthService({
    sessions: {
      create: async (user) => {
        created.push(user);
        return { token: 't'.repeat(43), expiresAt: 1 };
      },
      destroy: async (token) => {
        destroyed.push(token);
      },
      issueOAuthState: async (state) => {
        states.add(state);
      },
      consumeOAuthState: async (state) => states.delete(state),
    },
    directory: {
      ensureReps: async (_corpId, ids) => {
        ensured.push(ids);
      },
      findRep: async (_corpId, userId) => reps.find((r) => r.userId === userId),
    },
    api: () => ({ getUserInfoByCode: answer }),
    loginCorp: () => CORP,
    corp: (corpId) => (corpId === CORP.corpId ? CORP : undefined),
    oauthBase: () => 'https://open.weixin.qq.com',
    publicOrigin: () => 'https://scrm.example.com',
    demo: false,
  });
  const begin = async (returnTo?: string) => {
    const { location, stateCookie } = await service.beginLogin(returnTo);
    const state = new URL(location).searchParams.get('state')!;
    return { location, stateCookie, state };
  };
  return { service, created, destroyed, ensured, states, begin };
}

describe('auth service', () => {
  it('builds the documented authorize URL on open.weixin.qq.com', async () => {
    const { begin } = setup(async () => ({ userid: 'zhangwei' }));
    const { location, stateCookie, state } = await begin('/console/');
    expect(location).toBe(
      `https://open.weixin.qq.com/connect/oauth2/authorize?appid=wwcorp&redirect_uri=${encodeURIComponent('https://scrm.example.com/api/auth/callback')}&response_type=code&scope=snsapi_base&state=${state}&agentid=1000002#wechat_redirect`,
    );
    expect(checkStateCookie(stateCookie, state)).toBe('/console/');
  });

  it('a member signs in: the rep is ensured locally and a session created', async () => {
    const { service, begin, created, ensured } = setup(async () => ({ userid: 'zhangwei' }));
    const { state, stateCookie } = await begin('/sidebar/#/x');
    const result = await service.completeLogin({ code: 'c', state, stateCookie });
    expect(result.returnTo).toBe('/sidebar/#/x');
    expect(ensured).toEqual([['zhangwei']]);
    expect(created).toEqual([{ corpId: 'wwcorp', userId: 'zhangwei' }]);
  });

  it('an openid-only answer (not a member of the corp) is 403 and opens no session', async () => {
    const { service, begin, created } = setup(async () => ({ openid: 'oAbc', external_userid: 'wmX' }));
    const { state, stateCookie } = await begin();
    await expect(service.completeLogin({ code: 'c', state, stateCookie })).rejects.toMatchObject({
      statusCode: 403,
      code: 'forbidden',
    });
    expect(created).toEqual([]);
  });

  it('a disabled or resigned member is 403', async () => {
    const { service, begin, created } = setup(async () => ({ userid: 'zhangwei' }), [rep('zhangwei', 5)]);
    const { state, stateCookie } = await begin();
    await expect(service.completeLogin({ code: 'c', state, stateCookie })).rejects.toMatchObject({ statusCode: 403 });
    expect(created).toEqual([]);
  });

  it('maps WeCom failures: bad code 401, other errcodes and network failures 502', async () => {
    const cases: [Error, number][] = [
      [new WecomApiError('/cgi-bin/auth/getuserinfo', 40029, 'invalid code'), 401],
      [new WecomApiError('/cgi-bin/auth/getuserinfo', 50001, 'redirect_uri not trusted'), 502],
      [new WecomNetworkError('/cgi-bin/auth/getuserinfo', 'TIMEOUT', 'timeout'), 502],
    ];
    for (const [err, status] of cases) {
      const { service, begin } = setup(async () => {
        throw err;
      });
      const { state, stateCookie } = await begin();
      await expect(service.completeLogin({ code: 'c', state, stateCookie })).rejects.toMatchObject({
        statusCode: status,
      });
    }
  });

  it('refuses a missing code after a valid state, and any state mismatch before calling WeCom', async () => {
    let called = 0;
    const { service, begin } = setup(async () => {
      called += 1;
      return { userid: 'zhangwei' };
    });
    const { state, stateCookie } = await begin();
    await expect(service.completeLogin({ code: undefined, state, stateCookie })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(service.completeLogin({ code: 'c', state: 'abc', stateCookie })).rejects.toMatchObject({
      statusCode: 400,
    });
    expect(called).toBe(0);
  });

  it('issues each state on the server and spends it at the callback: a replay is 400 before WeCom is asked', async () => {
    let called = 0;
    const { service, begin, created, states } = setup(async () => {
      called += 1;
      return { userid: 'zhangwei' };
    });
    const { state, stateCookie } = await begin();
    expect([...states]).toEqual([state]);
    await service.completeLogin({ code: 'c1', state, stateCookie });
    expect(states.size).toBe(0);
    await expect(service.completeLogin({ code: 'c2', state, stateCookie })).rejects.toMatchObject({
      statusCode: 400,
      code: 'bad_request',
      details: { field: 'state' },
      message: expect.stringContaining('登录状态已使用或已过期'),
    });
    expect(called).toBe(1);
    expect(created).toHaveLength(1);
  });

  it('a state the server does not hold (expired, or never issued here) is refused even with a matching cookie', async () => {
    const { service, begin, created, states } = setup(async () => ({ userid: 'zhangwei' }));
    const { state, stateCookie } = await begin();
    states.clear();
    await expect(service.completeLogin({ code: 'c', state, stateCookie })).rejects.toMatchObject({ statusCode: 400 });
    expect(created).toEqual([]);
  });

  it('a cookie mismatch leaves the state unspent for the browser that owns it', async () => {
    const { service, begin, states } = setup(async () => ({ userid: 'zhangwei' }));
    const victim = await begin();
    const attacker = await begin();
    await expect(
      service.completeLogin({ code: 'c', state: victim.state, stateCookie: attacker.stateCookie }),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect(states.has(victim.state)).toBe(true);
    await service.completeLogin({ code: 'c', state: victim.state, stateCookie: victim.stateCookie });
  });

  it('signing in ends the session the browser came with, and only after the sign-in succeeded', async () => {
    const ok = setup(async () => ({ userid: 'zhangwei' }));
    const first = await ok.begin();
    await ok.service.completeLogin({ ...first, code: 'c', previousSession: 'old-session-token' });
    expect(ok.destroyed).toEqual(['old-session-token']);

    const refused = setup(async () => ({ openid: 'oAbc' }));
    const second = await refused.begin();
    await expect(
      refused.service.completeLogin({ ...second, code: 'c', previousSession: 'old-session-token' }),
    ).rejects.toMatchObject({ statusCode: 403 });
    expect(refused.destroyed).toEqual([]);
  });
});
