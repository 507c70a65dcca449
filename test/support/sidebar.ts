import { sql as rawSql } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { App } from '../../server/app.js';
import { DEMO_CORP, type CallRecord } from '../../server/emulator/index.js';
import { ADMIN_TOKEN } from './app.js';

/** Helpers for the rep sidebar's integration tests: sign-in through the emulator's OAuth, API calls, DB probes. */

export const CORP = DEMO_CORP.corpId;
export const SESSION_COOKIE = 'scrm_session';

/** Every `Set-Cookie` of a response as `name → full header`. */
export function setCookies(headers: Record<string, unknown>): Map<string, string> {
  const raw = headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
  return new Map(list.map((c) => [c.slice(0, c.indexOf('=')), c]));
}

/** `name=value` of a Set-Cookie header, for a Cookie request header. */
export const cookiePair = (setCookie: string) => setCookie.split(';', 1)[0]!;

/**
 * Signs `userId` in through the real flow: /api/auth/login → the emulator's authorize page (choosing the member, as
 * its form does) → /api/auth/callback. Returns the Cookie header carrying the session.
 */
export async function login(app: App, userId: string, returnTo = '/sidebar/'): Promise<string> {
  const start = await app.inject({ url: `/api/auth/login?returnTo=${encodeURIComponent(returnTo)}` });
  expect(start.statusCode, start.body).toBe(302);
  const stateCookie = cookiePair(setCookies(start.headers).get('scrm_oauth')!);
  const authorize = new URL(String(start.headers.location));
  const form = new URLSearchParams(authorize.searchParams);
  form.set('userid', userId);
  const picked = await app.inject({
    method: 'POST',
    url: '/emulator/connect/oauth2/authorize',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form.toString(),
  });
  expect(picked.statusCode, picked.body).toBe(302);
  const back = new URL(String(picked.headers.location));
  const done = await app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie: stateCookie } });
  expect(done.statusCode, done.body).toBe(302);
  return cookiePair(setCookies(done.headers).get(SESSION_COOKIE)!);
}

/** A rep's API client: inject with the session cookie, from the app's own origin as the sidebar's pages are. */
export function repClient(app: App, cookie: string) {
  const call = (method: InjectOptions['method'], url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { cookie, origin: app.origin.public() },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload?: unknown) => call('POST', url, payload ?? {}),
    put: (url: string, payload: unknown) => call('PUT', url, payload),
    patch: (url: string, payload: unknown) => call('PATCH', url, payload),
    delete: (url: string) => call('DELETE', url),
  };
}
export type RepClient = ReturnType<typeof repClient>;

export function adminCall(app: App, method: InjectOptions['method'], url: string, payload?: unknown) {
  return app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

/** The local mirrors the sidebar reads: reps, customers with their follows, corp tags (tests run no boot sync). */
export async function syncCorp(app: App): Promise<void> {
  await app.modules.directory.service.syncAll(CORP);
  await app.modules.contacts.service.syncAll(CORP);
  await app.modules.tags.service.syncAll(CORP);
}

/** Recorded WeCom API calls of one path. */
export async function calls(app: App, path: string): Promise<CallRecord[]> {
  const res = await app.inject({ url: `/emulator/_calls?path=${encodeURIComponent(path)}` });
  return res.json() as CallRecord[];
}

/**
 * Rows of a hand-written query with `?` placeholders, on either backend (numbered `$n` on PostgreSQL). Keep the SQL
 * portable: no SQLite or PostgreSQL functions.
 */
export async function sql<T>(app: App, query: string, ...params: unknown[]): Promise<T[]> {
  const parts = query.split('?');
  const chunks = parts.flatMap((part, i) =>
    i < params.length ? [rawSql.raw(part), rawSql`${params[i]}`] : [rawSql.raw(part)],
  );
  return (await app.db.rows(app.db, rawSql.join(chunks))) as T[];
}

/** Customers `userId` actively follows and `other` does not follow at all. */
export async function customersOnlyOf(app: App, userId: string, other: string): Promise<string[]> {
  return (
    await sql<{ id: string }>(
      app,
      `SELECT f.external_user_id AS id FROM follows f
      WHERE f.corp_id = ? AND f.user_id = ? AND f.status = 'active'
        AND NOT EXISTS (SELECT 1 FROM follows o WHERE o.corp_id = f.corp_id AND o.external_user_id = f.external_user_id AND o.user_id = ?)
      ORDER BY f.external_user_id`,
      CORP,
      userId,
      other,
    )
  ).map((r) => r.id);
}

/** Customers both reps actively follow. */
export async function sharedCustomers(app: App, a: string, b: string): Promise<string[]> {
  return (
    await sql<{ id: string }>(
      app,
      `SELECT f.external_user_id AS id FROM follows f JOIN follows o
        ON o.corp_id = f.corp_id AND o.external_user_id = f.external_user_id AND o.user_id = ? AND o.status = 'active'
      WHERE f.corp_id = ? AND f.user_id = ? AND f.status = 'active' ORDER BY f.external_user_id`,
      b,
      CORP,
      a,
    )
  ).map((r) => r.id);
}
