import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Where a sign-in may send the browser back to: pages of this server only. */
const RETURN_PREFIXES = ['/sidebar/', '/console/'];
export const DEFAULT_RETURN_TO = '/sidebar/';

/**
 * `returnTo` as a safe same-origin path, or null. Only relative paths under /sidebar/ or /console/ pass, after the
 * URL parser has resolved `..`, `%2e` and backslashes, so `//evil.example`, `/sidebar/../api` or `https://…` can
 * never become the redirect target.
 */
export function safeReturnTo(raw: string): string | null {
  if (!raw.startsWith('/') || raw.startsWith('//') || /[\\\p{Cc}]/u.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, 'http://return-to.invalid');
  } catch {
    return null;
  }
  if (url.origin !== 'http://return-to.invalid') return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  const bare = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return RETURN_PREFIXES.some((p) => bare.startsWith(p)) ? path : null;
}

/** OAuth `state`: WeCom allows ≤ 128 bytes of [a-zA-Z0-9]; 48 hex characters carry 192 random bits. */
export function newOAuthState(): string {
  return randomBytes(24).toString('hex');
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The short-lived cookie that binds a sign-in to the browser that started it: the state's hash (the state itself
 * travels through WeCom and the URL) and where to return. A callback whose state does not match it is refused.
 */
export function stateCookieValue(state: string, returnTo: string): string {
  return `${digest(state).toString('base64url')}.${Buffer.from(returnTo, 'utf8').toString('base64url')}`;
}

/** The `returnTo` the cookie carries when it was issued for this state, else null. */
export function checkStateCookie(cookie: string | undefined, state: string): string | null {
  if (!cookie || !state) return null;
  const [hash, encodedReturnTo, extra] = cookie.split('.');
  if (!hash || encodedReturnTo === undefined || extra !== undefined) return null;
  const expected = digest(state);
  const got = Buffer.from(hash, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  return safeReturnTo(Buffer.from(encodedReturnTo, 'base64url').toString('utf8'));
}
