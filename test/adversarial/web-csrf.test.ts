import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { startApp, appTableCounts, testConfig } from '../support/app.js';
import { login, sql } from '../support/sidebar.js';
import {
  ADMIN_HEADERS,
  appRoutes,
  fillPath,
  isStateChanging,
  jsonBody,
  routeName,
  sameOriginHeaders,
  send,
  type AppRoute,
  type WebFixture,
  webFixture,
} from './web-probe.js';

/**
 * CSRF probes: a page of another origin (another port of the same host, another host, a sandboxed `null` origin)
 * makes the rep's browser send a state-changing request with the rep's session cookie. Every such route of the app —
 * read from Fastify's route table, so a route added later is probed too — refuses it and writes nothing; the same
 * request from the app's own pages goes through.
 */

/**
 * Outside the browser scope: WeCom's callback is a machine endpoint, authenticated by WeCom's signature over the
 * encrypted body (test/integration/callback.test.ts), with no cookie and no browser security.
 */
const MACHINE_ROUTES = new Set(['POST /wecom/callback/:corpId']);

/** The emulator (demo and tests only) takes WeCom clients' assorted bodies and its own pages' forms, same origin. */
const takesForms = (route: AppRoute) => route.url.startsWith('/emulator/');

let app: App;
let fx: WebFixture;
let routes: AppRoute[];

beforeAll(async () => {
  app = await startApp();
  fx = await webFixture(app);
  routes = appRoutes(app).filter((r) => isStateChanging(r) && !MACHINE_ROUTES.has(routeName(r)));
});

afterAll(async () => {
  await app?.close();
});

const otherPort = () => {
  const url = new URL(app.origin.public());
  return `${url.protocol}//${url.hostname}:${Number(url.port) === 65535 ? 1 : Number(url.port) + 1}`;
};

/** The refusal, and the database exactly as before. */
async function expectRefused(
  route: AppRoute,
  what: string,
  headers: Record<string, string>,
  body = jsonBody(route.method),
): Promise<void> {
  const before = await appTableCounts(app);
  const res = await send(app, route.method, fillPath(route.url, fx.values), headers, body);
  const label = `${routeName(route)} ${what}: ${res.statusCode} ${res.body}`;
  expect([403, 415], label).toContain(res.statusCode);
  const answer = res.json() as { error: string; message: string };
  expect(answer.error, label).toBe(res.statusCode === 403 ? 'cross_site_request' : 'unsupported_media_type');
  expect(answer.message, label).toMatch(/\p{Script=Han}/u);
  if (route.url.startsWith('/api/')) expect(res.headers['cache-control'], label).toBe('no-store');
  expect(await appTableCounts(app), label).toEqual(before);
}

describe('state-changing requests from another origin', () => {
  it('the probe sees every state-changing route of the app, including the rep routes of the report', () => {
    const names = routes.map(routeName);
    for (const known of [
      'POST /api/auth/logout',
      'POST /api/scripts/:id/favorite',
      'DELETE /api/scripts/:id/favorite',
      'PATCH /api/customers/:externalUserId/notes/:id',
      'POST /api/channels',
      'POST /emulator/_simulate',
    ]) {
      expect(names).toContain(known);
    }
    expect(names.length).toBeGreaterThan(30);
  });

  // One test per origin and per Sec-Fetch-Site value: each probes every route, and hundreds of requests with two
  // database counts each are too many for one test's time limit on a loaded CI machine.
  it.each(['another port', 'http://evil.example', 'https://127.0.0.1', 'null'])(
    "with the rep's cookie and a foreign Origin (%s): 403, nothing written",
    async (which) => {
      const origin = which === 'another port' ? otherPort() : which;
      for (const route of routes) await expectRefused(route, `Origin ${origin}`, { cookie: fx.lina, origin });
    },
  );

  it.each(['cross-site', 'same-site', 'none'])(
    "with the rep's cookie and Sec-Fetch-Site %s (another port counts as same-site), Origin or not: 403",
    async (site) => {
      for (const route of routes) {
        await expectRefused(route, `Sec-Fetch-Site ${site}`, { cookie: fx.lina, 'sec-fetch-site': site });
        await expectRefused(route, `Sec-Fetch-Site ${site} + own Origin`, {
          cookie: fx.lina,
          origin: app.origin.public(),
          'sec-fetch-site': site,
        });
      }
    },
  );

  it("with the rep's cookie and no Origin nor Sec-Fetch-Site (a browser hiding where it comes from): 403", async () => {
    for (const route of routes) await expectRefused(route, 'no Origin', { cookie: fx.lina });
  });

  it('with the admin token and a foreign Origin: 403 (a page elsewhere cannot borrow the token either)', async () => {
    for (const route of routes) {
      await expectRefused(route, 'admin token, foreign Origin', { ...ADMIN_HEADERS, origin: 'http://evil.example' });
    }
  });

  it('a body that is not JSON (text/plain, a form, multipart), even from the right origin: 415, nothing written', async () => {
    const boundary = '----probe';
    const bodies = {
      'text/plain': { payload: '{"content":"x"}', headers: { 'content-type': 'text/plain;charset=UTF-8' } },
      'text/plain, empty': { payload: '', headers: { 'content-type': 'text/plain' } },
      urlencoded: { payload: 'content=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      multipart: {
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="content"\r\n\r\nx\r\n--${boundary}--\r\n`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      },
      'JSON without a content type': { payload: '{"content":"x"}', headers: {} },
    };
    for (const route of routes.filter((r) => !takesForms(r))) {
      for (const [what, body] of Object.entries(bodies)) {
        await expectRefused(route, what, { cookie: fx.lina, ...sameOriginHeaders(app) }, body);
      }
    }
  });

  it('the same requests from the app’s own pages pass the check (the route answers for itself)', async () => {
    for (const route of routes.filter((r) => routeName(r) !== 'POST /api/auth/logout')) {
      const res = await send(app, route.method, fillPath(route.url, fx.values), {
        cookie: fx.lina,
        ...sameOriginHeaders(app),
      });
      const label = `${routeName(route)}: ${res.statusCode} ${res.body}`;
      expect(res.statusCode, label).not.toBe(415);
      if (res.statusCode === 403) expect((res.json() as { error: string }).error, label).not.toBe('cross_site_request');
    }
  });

  it('a favourite and a logout from the sidebar itself work; the admin token without Origin (curl) works', async () => {
    const [script] = await sql<{ id: number }>(app, 'SELECT id FROM scripts ORDER BY id DESC');
    const favorites = async () => (await sql(app, 'SELECT * FROM script_favorites WHERE user_id = ?', 'lina')).length;
    const before = await favorites();
    const add = await send(app, 'POST', `/api/scripts/${script!.id}/favorite`, {
      cookie: fx.lina,
      ...sameOriginHeaders(app),
    });
    expect(add.statusCode, add.body).toBe(200);
    expect(await favorites()).toBe(before + 1);

    const group = await send(app, 'POST', '/api/script-groups', ADMIN_HEADERS, {
      payload: JSON.stringify({ name: '脚本创建' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(group.statusCode, group.body).toBe(201);

    const sessions = async () => (await sql(app, 'SELECT * FROM sessions')).length;
    const open = await sessions();
    const out = await send(app, 'POST', '/api/auth/logout', { cookie: fx.lina, ...sameOriginHeaders(app) }, {});
    expect(out.statusCode, out.body).toBe(204);
    expect(await sessions()).toBe(open - 1);
  });

  it('no answer is shared with another origin: no CORS headers, not even on a preflight', async () => {
    const read = await app.inject({ url: '/api/me', headers: { cookie: fx.zhangwei, origin: 'http://evil.example' } });
    expect(read.statusCode).toBe(200);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/scripts/1/favorite',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    for (const res of [read, preflight]) {
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(read.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

describe('with PUBLIC_URL set', () => {
  it('the public origin is the one allowed; the listening address is another origin', async () => {
    const behindProxy = await startApp({ ...testConfig(), publicUrl: 'https://scrm.example.com' });
    try {
      const cookie = await login(behindProxy, 'lina');
      const listening = behindProxy.origin.internal();
      const before = await appTableCounts(behindProxy);
      const refused = await behindProxy.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie, origin: listening },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: 'cross_site_request' });
      expect(await appTableCounts(behindProxy)).toEqual(before);
      const allowed = await behindProxy.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie, origin: 'https://scrm.example.com', 'sec-fetch-site': 'same-origin' },
      });
      expect(allowed.statusCode).toBe(204);
    } finally {
      await behindProxy.close();
    }
  });
});
