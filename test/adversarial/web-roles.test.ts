import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { encodeFeedbackKey } from '../../server/modules/suggest/feedback-key.js';
import { ADMIN_TOKEN, startApp, appTableCounts } from '../support/app.js';
import {
  ADMIN_HEADERS,
  appRoutes,
  fillPath,
  isStateChanging,
  routeName,
  sameOriginHeaders,
  send,
  type AppRoute,
  type WebFixture,
  webFixture,
} from './web-probe.js';

/**
 * The role × route matrix of the JSON API. Every `/api/` route is read from the app; each is public (listed below),
 * for reps (a session), for both, or — by default — for the admin token only. A route added without a guard is a
 * public route missing from PUBLIC and fails here; a rep route must be listed to be allowed to reps.
 */

/** Reachable signed out: sign-in (WeCom OAuth) and sign-out (ends the session the cookie names, if any). */
const PUBLIC = new Set([
  'GET /api/auth/login',
  'GET /api/auth/callback',
  'POST /api/auth/logout',
  // The console's sign-in (password, WeCom web sign-in) and sign-out.
  'POST /api/console/auth/login',
  'GET /api/console/auth/wecom',
  'GET /api/console/auth/wecom/callback',
  'POST /api/console/auth/logout',
]);

/** A rep session only (the admin token is not a rep). */
const REP = new Set([
  'GET /api/me',
  'POST /api/jsapi/signatures',
  'GET /api/customers',
  'GET /api/customers/:externalUserId',
  'PATCH /api/customers/:externalUserId',
  'PUT /api/customers/:externalUserId/tags',
  'PUT /api/customers/:externalUserId/stage',
  'GET /api/customers/:externalUserId/timeline',
  'POST /api/customers/:externalUserId/notes',
  'PATCH /api/customers/:externalUserId/notes/:id',
  'POST /api/scripts/:id/favorite',
  'DELETE /api/scripts/:id/favorite',
  'POST /api/scripts/:id/sends',
  'GET /api/customers/:externalUserId/messages',
  'POST /api/customers/:externalUserId/messages',
  'GET /api/customers/:externalUserId/messages/stream',
  // Suggested replies for the rep's customer, and what became of them.
  'GET /api/customers/:externalUserId/suggestions',
  'POST /api/customers/:externalUserId/suggestions',
  'POST /api/suggestions/feedback',
  // The customer's birthday (set by the rep), the rep's own tasks.
  'GET /api/customers/:externalUserId/birthday',
  'PUT /api/customers/:externalUserId/birthday',
  'DELETE /api/customers/:externalUserId/birthday',
  'GET /api/tasks',
  'POST /api/tasks/:id/done',
  'POST /api/tasks/:id/snooze',
]);

/** Other systems, with a per-integration token: neither a rep nor the admin token. */
const INTEGRATION = new Set(['POST /api/integrations/orders', 'PUT /api/integrations/birthdays']);

/** Reads the sidebar and the admin API share: a rep session or the admin token. */
const REP_OR_ADMIN = new Set([
  'GET /api/tags',
  'GET /api/stages',
  'GET /api/scripts',
  'GET /api/script-groups',
  // Chat media: a rep those of their own chats, the admin any.
  'GET /api/media/:hash',
]);

const GARBLED_BEARERS = [
  'Bearer wrong-token-0123456789abcdef',
  `Bearer ${ADMIN_TOKEN}x`,
  `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
  `Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}`,
  'Bearer',
  `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
  `Token ${ADMIN_TOKEN}`,
  `Bearer ${'A'.repeat(4096)}`,
];

let app: App;
let fx: WebFixture;
let api: AppRoute[];

beforeAll(async () => {
  app = await startApp();
  fx = await webFixture(app);
  api = appRoutes(app).filter((r) => r.url.startsWith('/api/'));
});

afterAll(async () => {
  await app?.close();
});

const isPublic = (r: AppRoute) => PUBLIC.has(routeName(r));
const forReps = (r: AppRoute) => REP.has(routeName(r)) || REP_OR_ADMIN.has(routeName(r));
const forAdmin = (r: AppRoute) => !isPublic(r) && !REP.has(routeName(r)) && !INTEGRATION.has(routeName(r));

/** A browser-like request for a rep: the app's own origin on state-changing ones. */
const repHeaders = (cookie: string, route: AppRoute) => ({
  cookie,
  ...(isStateChanging(route) ? sameOriginHeaders(app) : {}),
});

function expectNoStore(res: LightMyRequestResponse, label: string) {
  expect(res.headers['cache-control'], label).toBe('no-store');
}

/** Refused with `status` (or either of 401 and 403), no-store, a Chinese message, and the database untouched. */
async function expectRefused(
  route: AppRoute,
  url: string,
  headers: Record<string, string>,
  what: string,
  statuses: number[],
  body?: Parameters<typeof send>[4],
) {
  const before = await appTableCounts(app);
  const res = await send(app, route.method, url, headers, body);
  const label = `${routeName(route)} ${what}: ${res.statusCode} ${res.body}`;
  expect(statuses, label).toContain(res.statusCode);
  expect((res.json() as { message: string }).message, label).toMatch(/\p{Script=Han}/u);
  expectNoStore(res, label);
  expect(await appTableCounts(app), label).toEqual(before);
}

async function expectAllowed(route: AppRoute, headers: Record<string, string>, what: string) {
  const res = await send(app, route.method, fillPath(route.url, fx.values), headers);
  const label = `${routeName(route)} ${what}: ${res.statusCode} ${res.body}`;
  expect([401, 403], label).not.toContain(res.statusCode);
  if (route.url !== '/api/auth/login' && route.url !== '/api/auth/callback') expectNoStore(res, label);
  return res;
}

describe('who may call which /api/ route', { timeout: 180_000 }, () => {
  it('the route table is read from the app and every listed route exists', () => {
    const names = new Set(api.map(routeName));
    for (const name of [...PUBLIC, ...REP, ...REP_OR_ADMIN, ...INTEGRATION]) expect(names, name).toContain(name);
    expect(api.filter(forAdmin).length).toBeGreaterThan(15);
  });

  it('signed out: 401 on every route not in PUBLIC, nothing written', async () => {
    for (const route of api.filter((r) => !isPublic(r))) {
      await expectRefused(route, fillPath(route.url, fx.values), {}, 'signed out', [401]);
    }
    for (const route of api.filter(isPublic)) {
      const res = await send(app, route.method, fillPath(route.url, fx.values), {});
      expect(res.statusCode, routeName(route)).not.toBe(401);
    }
  });

  it('a wrong or garbled bearer token: 401 on every guarded route, nothing written', async () => {
    for (const route of api.filter((r) => !isPublic(r))) {
      for (const authorization of GARBLED_BEARERS) {
        await expectRefused(
          route,
          fillPath(route.url, fx.values),
          { authorization },
          `with ${authorization.slice(0, 30)}…`,
          [401],
        );
      }
    }
  });

  it("a rep's session: refused (401/403) on every admin route, nothing written", async () => {
    for (const route of api.filter((r) => forAdmin(r) && !forReps(r))) {
      await expectRefused(route, fillPath(route.url, fx.values), repHeaders(fx.lina, route), 'as a rep', [401, 403]);
    }
  });

  it('the admin token and a rep: refused (401) on the integration routes (they take an integration token)', async () => {
    for (const route of api.filter((r) => INTEGRATION.has(routeName(r)))) {
      await expectRefused(route, route.url, ADMIN_HEADERS, 'with the admin token', [401]);
      await expectRefused(route, route.url, repHeaders(fx.lina, route), 'as a rep', [401]);
    }
  });

  it('the admin token: refused (401) on the rep-only routes (it is no rep), nothing written', async () => {
    for (const route of api.filter((r) => REP.has(routeName(r)))) {
      await expectRefused(route, fillPath(route.url, fx.values), ADMIN_HEADERS, 'with the admin token', [401]);
    }
  });

  it("rep A on rep B's customer: 403 on every customer route, nothing written (IDOR)", async () => {
    // The sidebar's customer routes: a rep's session has no console access at all (the console's customer routes are
    // refused before any customer is looked at; their department scope is test/integration/console-customers.test.ts).
    const customerRoutes = api.filter((r) => r.url.includes(':externalUserId') && !r.url.startsWith('/api/console/'));
    expect(customerRoutes.length).toBeGreaterThanOrEqual(7);
    const values = {
      ...fx.values,
      'customers/:externalUserId': fx.zhangweiCustomer,
      'notes/:id': String(fx.zhangweiNote),
    };
    const bodies: Record<string, object> = {
      'PATCH /api/customers/:externalUserId': { remark: '越权' },
      'PUT /api/customers/:externalUserId/tags': { add: [fx.values['tags/:id']], remove: [] },
      'PUT /api/customers/:externalUserId/stage': { stageId: 1 },
      'POST /api/customers/:externalUserId/notes': { content: '越权' },
      'PATCH /api/customers/:externalUserId/notes/:id': { content: '越权' },
      'POST /api/customers/:externalUserId/messages': { text: '越权' },
      'POST /api/customers/:externalUserId/suggestions': { messages: ['运费多少'] },
      'PUT /api/customers/:externalUserId/birthday': { month: 5, day: 20 },
    };
    for (const route of customerRoutes) {
      const payload = bodies[routeName(route)];
      await expectRefused(
        route,
        fillPath(route.url, values),
        repHeaders(fx.lina, route),
        "on rep B's customer",
        [403],
        payload ? { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } } : undefined,
      );
    }
    // A script sent to rep B's customer: the customer is in the body.
    const sends = api.find((r) => routeName(r) === 'POST /api/scripts/:id/sends')!;
    await expectRefused(
      sends,
      fillPath(sends.url, fx.values),
      repHeaders(fx.lina, sends),
      "to rep B's customer",
      [403],
      {
        payload: JSON.stringify({ externalUserId: fx.zhangweiCustomer }),
        headers: { 'content-type': 'application/json' },
      },
    );
    // Feedback on a suggestion for rep B's customer: the customer is in the key.
    const feedback = api.find((r) => routeName(r) === 'POST /api/suggestions/feedback')!;
    const feedbackKey = encodeFeedbackKey({
      customer: fx.zhangweiCustomer,
      messageKey: `t:${'A'.repeat(22)}`,
      messageId: null,
      message: '越权',
      scriptId: Number(fx.values['scripts/:id']),
      rank: 1,
      scorePermille: 500,
    });
    await expectRefused(feedback, feedback.url, repHeaders(fx.lina, feedback), "for rep B's customer", [403], {
      payload: JSON.stringify({ feedbackKey, outcome: 'shown' }),
      headers: { 'content-type': 'application/json' },
    });
    // On a customer both follow, rep A reads rep B's note but cannot edit it.
    if (fx.sharedCustomer && fx.zhangweiSharedNote) {
      const edit = api.find((r) => routeName(r) === 'PATCH /api/customers/:externalUserId/notes/:id')!;
      await expectRefused(
        edit,
        fillPath(edit.url, {
          ...fx.values,
          'customers/:externalUserId': fx.sharedCustomer,
          'notes/:id': String(fx.zhangweiSharedNote),
        }),
        repHeaders(fx.lina, edit),
        "rep B's note",
        [403],
        { payload: JSON.stringify({ content: '越权' }), headers: { 'content-type': 'application/json' } },
      );
    }
  });

  it("a rep's session is allowed on the rep routes, with Cache-Control: no-store", async () => {
    for (const route of api.filter(forReps)) await expectAllowed(route, repHeaders(fx.lina, route), 'as a rep');
  });

  it('the admin token is allowed on the admin routes, with Cache-Control: no-store', async () => {
    // Deletions last: the other routes name the same channel, script and tags.
    const admin = api.filter(forAdmin).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    for (const route of admin) await expectAllowed(route, ADMIN_HEADERS, 'with the admin token');
  });
});
