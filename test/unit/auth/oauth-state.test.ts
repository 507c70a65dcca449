import { describe, expect, it } from 'vitest';
import {
  checkStateCookie,
  newOAuthState,
  safeReturnTo,
  stateCookieValue,
} from '../../../server/modules/auth/oauth-state.js';

describe('safeReturnTo', () => {
  it('keeps paths under /sidebar/ and /console/ with their query and fragment', () => {
    expect(safeReturnTo('/sidebar/')).toBe('/sidebar/');
    expect(safeReturnTo('/sidebar')).toBe('/sidebar');
    expect(safeReturnTo('/sidebar/?entry=single_chat_tools#/card')).toBe('/sidebar/?entry=single_chat_tools#/card');
    expect(safeReturnTo('/console/#/scripts?x=1')).toBe('/console/#/scripts?x=1');
    expect(safeReturnTo('/sidebar/./a/../b')).toBe('/sidebar/b');
  });

  it('refuses anything that could leave the site or land elsewhere on it', () => {
    for (const raw of [
      'https://evil.example/sidebar/',
      '//evil.example/sidebar/',
      '///evil.example/sidebar/',
      '/\\evil.example',
      '\\\\evil.example',
      '/sidebar/../api/me',
      '/sidebar/%2e%2e/api/me',
      '/sidebar/..%2f..%2fapi',
      '/sidebarfoo',
      '/Sidebar/',
      '/api/auth/login',
      'sidebar/',
      '',
      'javascript:alert(1)',
      '/sidebar/\nx',
      '/sidebar/\u0000',
    ]) {
      const safe = safeReturnTo(raw);
      if (safe !== null) expect(safe.startsWith('/sidebar/') || safe.startsWith('/console/'), raw).toBe(true);
      expect(safe === null || !/^\/\/|^[a-z]+:/i.test(safe), raw).toBe(true);
    }
    expect(safeReturnTo('https://evil.example/sidebar/')).toBeNull();
    expect(safeReturnTo('//evil.example/sidebar/')).toBeNull();
    expect(safeReturnTo('/sidebar/../api/me')).toBeNull();
    expect(safeReturnTo('/sidebar/%2e%2e/api/me')).toBeNull();
    expect(safeReturnTo('/sidebarfoo')).toBeNull();
    expect(safeReturnTo('/\\evil.example')).toBeNull();
  });
});

describe('the OAuth state cookie', () => {
  it('is a random alphanumeric state, bound by hash, carrying returnTo', () => {
    const state = newOAuthState();
    expect(state).toMatch(/^[0-9a-f]{48}$/);
    expect(newOAuthState()).not.toBe(state);
    const cookie = stateCookieValue(state, '/sidebar/?a=1');
    expect(cookie).not.toContain(state);
    expect(checkStateCookie(cookie, state)).toBe('/sidebar/?a=1');
  });

  it('refuses another state, a missing cookie, a tampered cookie or a tampered returnTo', () => {
    const state = newOAuthState();
    const cookie = stateCookieValue(state, '/sidebar/');
    expect(checkStateCookie(cookie, newOAuthState())).toBeNull();
    expect(checkStateCookie(undefined, state)).toBeNull();
    expect(checkStateCookie(cookie, '')).toBeNull();
    expect(checkStateCookie(`${cookie}.x`, state)).toBeNull();
    // Its first character changed (always: a cookie that began with A was left as it was, one run in 64).
    expect(checkStateCookie(`${cookie.startsWith('A') ? 'B' : 'A'}${cookie.slice(1)}`, state)).toBeNull();
    const [hash] = cookie.split('.');
    const evil = `${hash}.${Buffer.from('https://evil.example/').toString('base64url')}`;
    expect(checkStateCookie(evil, state)).toBeNull();
  });
});
