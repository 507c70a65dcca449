import { describe, it, expect } from 'vitest';
import { isRetryableErrcode, WecomApiError, WecomNetworkError } from '../../../server/wecom/errors.js';
import { earlyExpiryMs, TokenCache } from '../../../server/wecom/token-cache.js';

describe('isRetryableErrcode', () => {
  it.each([-1, 45009, 45033, 40001, 40014, 42001, 41096])('%i is retryable', (errcode) => {
    expect(isRetryableErrcode(errcode)).toBe(true);
  });

  it.each([84061, 40096, 48002, 60011, 60020, 41051, 40003, 0, 12345])('%i is final', (errcode) => {
    expect(isRetryableErrcode(errcode)).toBe(false);
  });
});

describe('error classes', () => {
  it('WecomApiError carries errcode, errmsg, path and retryable', () => {
    const err = new WecomApiError('/cgi-bin/externalcontact/get', 84061, 'not external contact');
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'WecomApiError',
      errcode: 84061,
      errmsg: 'not external contact',
      retryable: false,
    });
    expect(err.message).toBe('WeCom API /cgi-bin/externalcontact/get failed: errcode 84061 (not external contact)');
    expect(new WecomApiError('/p', 45009, '').retryable).toBe(true);
    expect(new WecomApiError('/p', 40001, 'bad secret', false).retryable).toBe(false);
  });

  it('WecomNetworkError is retryable unless told otherwise', () => {
    expect(new WecomNetworkError('/p', 'TIMEOUT', 'timed out')).toMatchObject({
      name: 'WecomNetworkError',
      retryable: true,
      code: 'TIMEOUT',
    });
    expect(new WecomNetworkError('/p', 'HTTP_404', 'HTTP status 404', false).retryable).toBe(false);
  });
});

describe('TokenCache', () => {
  it('retires tokens 10% early, at most 5 minutes', () => {
    expect(earlyExpiryMs(7200)).toBe(300_000);
    expect(earlyExpiryMs(600)).toBe(60_000);
  });

  it('expires entries, invalidates only the stale token, and never keys by the plain secret', async () => {
    let now = 0;
    const cache = new TokenCache({ now: () => now });
    const key = TokenCache.keyOf('ww1', 'my-secret');
    expect(key).not.toContain('my-secret');
    expect(TokenCache.keyOf('ww1', 'other')).not.toBe(key);

    cache.set(key, { token: 'A', expiresIn: 100 });
    expect(cache.peek(key)).toBe('A');
    cache.invalidate(key, 'OLD');
    expect(cache.peek(key)).toBe('A');
    cache.invalidate(key, 'A');
    expect(cache.peek(key)).toBeUndefined();

    cache.set(key, { token: 'B', expiresIn: 100 });
    now = 89_999;
    expect(cache.peek(key)).toBe('B');
    now = 90_000;
    expect(cache.peek(key)).toBeUndefined();

    let fetches = 0;
    const fetchToken = async () => ({ token: `T${++fetches}`, expiresIn: 7200 });
    const tokens = await Promise.all([
      cache.get(key, fetchToken),
      cache.get(key, fetchToken),
      cache.get(key, fetchToken),
    ]);
    expect(tokens).toEqual(['T1', 'T1', 'T1']);
    expect(fetches).toBe(1);
  });

  it('a synchronous throw in the fetcher rejects instead of escaping', async () => {
    const cache = new TokenCache();
    await expect(
      cache.get('k', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
