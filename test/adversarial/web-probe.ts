import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { App } from '../../server/app.js';
import { seedSidebar } from '../../server/demo/seed-sidebar.js';
import { ADMIN_TOKEN } from '../support/app.js';
import { queuesSettled } from '../support/queues.js';
import { customersOnlyOf, login, sharedCustomers, sql, syncCorp } from '../support/sidebar.js';
import { createLocalAccount } from '../support/console.js';

/**
 * What the browser-facing probes (web-*.test.ts) share: every route of the real app, read from Fastify's own route
 * tree so a route added later is probed without anyone listing it, and a demo corp with one of everything a route
 * can name (customers of two reps, notes, scripts, tags, a channel code).
 */

export interface AppRoute {
  method: string;
  /** The route's pattern as registered, e.g. `/api/customers/:externalUserId/notes/:id`. */
  url: string;
}

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isStateChanging = (route: AppRoute) => !SAFE_METHODS.has(route.method);
export const routeName = (route: AppRoute) => `${route.method} ${route.url}`;

/**
 * Every method × pattern the app answers (HEAD, which Fastify adds to each GET, left out). Parsed from
 * `app.printRoutes()`, Fastify's radix tree: each line is a node, indented four columns per level, its text the part
 * of the path it adds to its parent's, followed by the methods that end there.
 */
export function appRoutes(app: App): AppRoute[] {
  const lines = app
    .printRoutes()
    .split('\n')
    .filter((line) => line.trim() !== '');
  const prefixes: string[] = [];
  const routes: AppRoute[] = [];
  for (const line of lines) {
    const node = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z]+(?:, [A-Z]+)*)\))?$/u.exec(line);
    if (!node) throw new Error(`printRoutes line not understood: ${JSON.stringify(line)}`);
    const depth = node[1]!.length / 4;
    if (depth > prefixes.length) throw new Error(`printRoutes line without a parent: ${JSON.stringify(line)}`);
    prefixes.length = depth;
    const url = `${depth > 0 ? prefixes[depth - 1] : ''}${node[2]}`;
    prefixes.push(url);
    for (const method of node[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push({ method, url });
  }
  return routes;
}

/**
 * A concrete path for a route pattern. Each `:param` (and a `*`) is looked up as `<segment before>/<param>`, e.g.
 * `notes/:id`; a pattern with a parameter the probe has no value for throws, so a new kind of route is noticed.
 */
export function fillPath(pattern: string, values: Record<string, string>): string {
  const segments = pattern.split('/');
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(':') && segment !== '*') return segment;
      const key = `${segments[i - 1]}/${segment}`;
      const value = values[key];
      if (value === undefined) throw new Error(`no probe value for ${key} (route ${pattern}): add one in web-probe.ts`);
      return segment === '*' ? value : encodeURIComponent(value);
    })
    .join('/');
}

/** Headers a browser page of the app itself sends with a state-changing request. */
export function sameOriginHeaders(app: App): Record<string, string> {
  return { origin: app.origin.public(), 'sec-fetch-site': 'same-origin' };
}

/** A JSON body for the methods that carry one; DELETE carries none. */
export function jsonBody(method: string): Pick<InjectOptions, 'payload' | 'headers'> {
  return method === 'DELETE' || SAFE_METHODS.has(method)
    ? {}
    : { payload: '{}', headers: { 'content-type': 'application/json' } };
}

/** Sends `method path` with the JSON body of its method and the given headers merged over the body's. */
export function send(
  app: App,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Pick<InjectOptions, 'payload' | 'headers'> = jsonBody(method),
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: method as InjectOptions['method'],
    url,
    headers: { ...body.headers, ...headers },
    ...(body.payload !== undefined ? { payload: body.payload } : {}),
  });
}

export const ADMIN_HEADERS = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface WebFixture {
  /** Rep A (lina) and rep B (zhangwei): their session cookies. */
  lina: string;
  zhangwei: string;
  /** A customer only lina follows, one only zhangwei follows. */
  linaCustomer: string;
  zhangweiCustomer: string;
  /** A customer both follow, when the demo corp has one. */
  sharedCustomer: string | undefined;
  linaNote: number;
  zhangweiNote: number;
  /** A note zhangwei wrote on the shared customer (lina can read it, not edit it). */
  zhangweiSharedNote: number | undefined;
  /** Path values for lina's own objects, for fillPath. */
  values: Record<string, string>;
}

function one<T>(rows: T[], what: string): T {
  const row = rows[0];
  if (row === undefined) throw new Error(`the demo corp has no ${what}`);
  return row;
}

async function addNote(app: App, cookie: string, externalUserId: string): Promise<number> {
  const res = await send(
    app,
    'POST',
    `/api/customers/${encodeURIComponent(externalUserId)}/notes`,
    { cookie, ...sameOriginHeaders(app) },
    { payload: JSON.stringify({ content: '探针跟进记录' }), headers: { 'content-type': 'application/json' } },
  );
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: number }).id;
}

/** The demo corp mirrored, the sidebar's demo data, two reps signed in, a channel code, notes of each rep. */
export async function webFixture(app: App): Promise<WebFixture> {
  await syncCorp(app);
  await seedSidebar(app);
  const lina = await login(app, 'lina');
  const zhangwei = await login(app, 'zhangwei');
  const linaCustomer = one(await customersOnlyOf(app, 'lina', 'zhangwei'), 'customer of lina only');
  const zhangweiCustomer = one(await customersOnlyOf(app, 'zhangwei', 'lina'), 'customer of zhangwei only');
  const sharedCustomer = (await sharedCustomers(app, 'lina', 'zhangwei'))[0];

  const channel = await send(app, 'POST', '/api/channels', ADMIN_HEADERS, {
    payload: JSON.stringify({ name: '探针渠道', reps: ['lina'] }),
    headers: { 'content-type': 'application/json' },
  });
  expect(channel.statusCode, channel.body).toBe(201);
  const channelId = (channel.json() as { id: number }).id;

  const linaNote = await addNote(app, lina, linaCustomer);
  const zhangweiNote = await addNote(app, zhangwei, zhangweiCustomer);
  const zhangweiSharedNote = sharedCustomer ? await addNote(app, zhangwei, sharedCustomer) : undefined;

  const script = one(
    await sql<{ id: number; group_id: number }>(app, 'SELECT id, group_id FROM scripts ORDER BY id'),
    'script',
  );
  const tag = one(await sql<{ tag_id: string; group_id: string }>(app, 'SELECT tag_id, group_id FROM tags'), 'tag');
  const configId = one(
    await sql<{ config_id: string }>(app, 'SELECT config_id FROM channels WHERE id = ?', channelId),
    'code',
  );

  // Whatever the set-up handed to the worker is done before the probes count rows.
  await queuesSettled(app.db, 30_000);

  // A console account (the console's account routes name one).
  const account = await createLocalAccount(app, { username: 'probe-manager', role: 'manager', departmentIds: [2] });

  const values: Record<string, string> = {
    'users/:id': String(account.id),
    'members/:userId': 'lina',
    'customers/:externalUserId': linaCustomer,
    'notes/:id': String(linaNote),
    'scripts/:id': String(script.id),
    'script-groups/:id': String(script.group_id),
    'channels/:id': String(channelId),
    'tags/:id': tag.tag_id,
    'groups/:groupId': tag.group_id,
    'qr/:configId': configId.config_id,
    'avatar/:file': 'lina.svg',
    'scripts/:file': 'probe.png',
    'callback/:corpId': app.defaultCorp.corpId,
    'media/:hash': '0'.repeat(64),
    'keyword-rules/:id': '1',
    'reps/:userId': 'lina',
    'rules/:kind': 'unreplied',
    'tasks/:id': '1',
    'conversations/:id': '1',
    'bulk-tag/:batchId': '1',
    'robots/:id': '1',
    'webhooks/:id': '1',
    'integrations/:id': '1',
    '_robots/:key': 'probe-robot-key',
    'inbox/:userid': 'lina',
    'cgi-bin/*': 'externalcontact/remark',
  };
  return {
    lina,
    zhangwei,
    linaCustomer,
    zhangweiCustomer,
    sharedCustomer,
    linaNote,
    zhangweiNote,
    zhangweiSharedNote,
    values,
  };
}
