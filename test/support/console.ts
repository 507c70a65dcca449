import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { App } from '../../server/app.js';
import { systemContext } from '../../server/modules/console-auth/actor.js';
import { CONSOLE_SESSION_COOKIE } from '../../shared/schemas/console-auth.js';
import type { ConsoleRole } from '../../shared/schemas/console-auth.js';
import { CORP, cookiePair, setCookies } from './sidebar.js';

/** Helpers for the manager console's tests: accounts, sign-in (password and WeCom), an API client. */

export const STRONG_PASSWORD = 'Console-pass-2024';

/**
 * Sign-ins are rate-limited per client address (30 a minute); tests that sign in often come from addresses of
 * their own, as the people of a real corp do.
 */
let nextAddress = 1;
export const clientAddress = () => `10.${(nextAddress >> 16) & 255}.${(nextAddress >> 8) & 255}.${nextAddress++ & 255}`;

/** A local console account made as the command line makes it (no password change asked by default). */
export async function createLocalAccount(
  app: App,
  input: { username: string; role: ConsoleRole; departmentIds?: number[]; name?: string; password?: string },
) {
  return app.modules.consoleAuth.accounts.createLocal(systemContext(CORP, 'test'), {
    username: input.username,
    name: input.name ?? input.username,
    password: input.password ?? STRONG_PASSWORD,
    role: input.role,
    departmentIds: input.departmentIds,
    mustChangePassword: false,
  });
}

/** Gives a WeCom member a console role. */
export async function grantMember(app: App, userId: string, role: ConsoleRole | 'rep', departmentIds?: number[]) {
  return app.modules.consoleAuth.accounts.setMemberAccess(systemContext(CORP, 'test'), userId, { role, departmentIds });
}

/** Signs in with a password; returns the Cookie header of the console session. */
export async function consoleLogin(app: App, username: string, password = STRONG_PASSWORD): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/console/auth/login',
    headers: { origin: app.origin.public(), 'sec-fetch-site': 'same-origin' },
    remoteAddress: clientAddress(),
    payload: { username, password },
  });
  expect(res.statusCode, res.body).toBe(200);
  return cookiePair(setCookies(res.headers).get(CONSOLE_SESSION_COOKIE)!);
}

/**
 * Signs a member in through WeCom's web sign-in, played by the emulator: /api/console/auth/wecom → the emulator's
 * page (choosing the member) → the callback. Returns the callback's answer and the session cookie, if any.
 */
export async function consoleWecomLogin(app: App, userId: string, returnTo = '/console/') {
  const start = await app.inject({ url: `/api/console/auth/wecom?returnTo=${encodeURIComponent(returnTo)}` });
  expect(start.statusCode, start.body).toBe(302);
  const stateCookie = cookiePair(setCookies(start.headers).get('scrm_console_oauth')!);
  const page = new URL(String(start.headers.location));
  const form = new URLSearchParams(page.searchParams);
  form.set('userid', userId);
  const picked = await app.inject({
    method: 'POST',
    url: '/emulator/wwlogin/sso/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form.toString(),
  });
  expect(picked.statusCode, picked.body).toBe(302);
  const back = new URL(String(picked.headers.location));
  const done = await app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie: stateCookie } });
  const session = setCookies(done.headers).get(CONSOLE_SESSION_COOKIE);
  return {
    res: done,
    location: String(done.headers.location ?? ''),
    cookie: session && !session.startsWith(`${CONSOLE_SESSION_COOKIE}=;`) ? cookiePair(session) : null,
  };
}

/** A console API client: the session cookie, from the app's own origin as the console's pages are. */
export function consoleClient(app: App, cookie: string) {
  const call = (method: InjectOptions['method'], url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { cookie, origin: app.origin.public(), 'sec-fetch-site': 'same-origin' },
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
export type ConsoleClient = ReturnType<typeof consoleClient>;
