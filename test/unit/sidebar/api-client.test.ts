// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  REAUTH_STORAGE_KEY,
  REAUTH_WINDOW_MS,
  createApiClient,
  isErrorBody,
} from '../../../sidebar/src/api/client';
import { fakeFetch } from './fake-fetch';

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

function setup(routes: Parameters<typeof fakeFetch>[0], opts: { now?: () => number } = {}) {
  const { fetch, calls } = fakeFetch(routes);
  const location = { current: () => '/sidebar/?mock=1&customer=wm_1', assign: vi.fn() };
  const storage = memoryStorage();
  const client = createApiClient({ fetch, location, storage, now: opts.now ?? (() => 1_000_000) });
  return { client, calls, location, storage };
}

const unauthorized = () => ({ status: 401, body: { error: 'unauthorized', message: 'no session', requestId: 'r' } });

describe('api client', () => {
  it('sends JSON with the same-origin cookie and drops empty query values', async () => {
    const { client, calls } = setup({
      'GET /api/customers': () => ({ body: { items: [], nextCursor: null } }),
      'PUT /api/customers/wm%2F1/tags': () => ({ body: { ok: true } }),
    });
    await client.customers({ q: '', cursor: null, limit: 5 });
    await client.changeTags('wm/1', { add: ['t1'], remove: [] });
    expect(calls[0]?.query.toString()).toBe('limit=5');
    expect(calls[0]?.init?.credentials).toBe('same-origin');
    expect(calls[1]?.path).toBe('/api/customers/wm%2F1/tags');
    expect(calls[1]?.body).toEqual({ add: ['t1'], remove: [] });
    expect((calls[1]?.init?.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('on a 401 goes through OAuth once, back to the current page', async () => {
    const { client, location, storage } = setup({ 'GET /api/me': unauthorized, 'GET /api/stages': unauthorized });
    const results = await Promise.allSettled([client.me(), client.stages()]);
    expect(location.assign).toHaveBeenCalledTimes(1);
    expect(location.assign).toHaveBeenCalledWith(
      `/api/auth/login?returnTo=${encodeURIComponent('/sidebar/?mock=1&customer=wm_1')}`,
    );
    expect(storage.data.get(REAUTH_STORAGE_KEY)).toBe('1000000');
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 401, code: 'reauthenticating' });
    }
  });

  it('keeps the page when only one endpoint refuses a live session', async () => {
    const { client, location, calls } = setup({
      'GET /api/me': () => ({ body: { userId: 'lina' } }),
      'GET /api/tags': unauthorized,
    });
    await expect(client.tagLibrary()).rejects.toMatchObject({ status: 401, code: 'not_permitted' });
    expect(calls.map((c) => c.path)).toEqual(['/api/tags', '/api/me']);
    expect(location.assign).not.toHaveBeenCalled();
  });

  it('does not loop: a 401 right after a re-authentication asks the rep to reopen the sidebar', async () => {
    let now = 1_000_000;
    const first = setup({ 'GET /api/me': unauthorized }, { now: () => now });
    await expect(first.client.me()).rejects.toMatchObject({ code: 'reauthenticating' });

    // The page came back from OAuth (a new page load, same sessionStorage) and the session is still refused.
    now += 3_000;
    const { fetch } = fakeFetch({ 'GET /api/me': unauthorized });
    const location = { current: () => '/sidebar/', assign: vi.fn() };
    const again = createApiClient({ fetch, location, storage: first.storage, now: () => now });
    const err = await again.me().catch((e: unknown) => e);
    expect(location.assign).not.toHaveBeenCalled();
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'session_expired', message: '登录已过期，请重新打开侧边栏' });

    // Once the window has passed, an expired session is renewed silently again.
    now += REAUTH_WINDOW_MS;
    const later = createApiClient({ fetch, location, storage: first.storage, now: () => now });
    await expect(later.me()).rejects.toMatchObject({ code: 'reauthenticating' });
    expect(location.assign).toHaveBeenCalledTimes(1);
  });

  it('turns the error body into a typed ApiError with status, message and field', async () => {
    const { client } = setup({
      'PATCH /api/customers/wm_1': () => ({
        status: 400,
        body: { error: 'validation', message: 'remark too long', requestId: 'r9', field: 'remark' },
      }),
      'GET /api/customers/wm_2': () => ({
        status: 403,
        body: { error: 'forbidden', message: 'not yours', requestId: 'r' },
      }),
      'GET /api/stages': () => ({ status: 502, raw: '<html>bad gateway</html>' }),
    });
    await expect(client.patchCustomer('wm_1', { remark: 'x' })).rejects.toMatchObject({
      status: 400,
      code: 'validation',
      message: 'remark too long',
      field: 'remark',
      requestId: 'r9',
    });
    await expect(client.customer('wm_2')).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    await expect(client.stages()).rejects.toMatchObject({ status: 502, code: 'http_error' });
  });

  it('reports a network failure as status 0, in Chinese', async () => {
    const client = createApiClient({
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      location: { current: () => '/sidebar/', assign: vi.fn() },
      storage: memoryStorage(),
    });
    await expect(client.me()).rejects.toMatchObject({
      status: 0,
      code: 'network',
      message: '网络异常，请检查网络后重试',
    });
  });

  it('maps the tag library and the emulator members', async () => {
    const { client } = setup({
      'GET /api/tags': () => ({
        body: {
          groups: [
            {
              groupId: 'g1',
              name: '客户等级',
              order: 1,
              tags: [{ id: 't1', groupId: 'g1', name: '重要客户', order: 1 }],
            },
          ],
        },
      }),
      'GET /emulator/_state': () => ({
        body: { reps: [{ userid: 'lina', name: '李娜', position: '销售顾问', avatar: '' }], customers: [] },
      }),
    });
    expect(await client.tagLibrary()).toEqual([
      { groupId: 'g1', name: '客户等级', tags: [{ tagId: 't1', name: '重要客户' }] },
    ]);
    expect(await client.demoReps()).toEqual([{ userId: 'lina', name: '李娜', position: '销售顾问', avatar: '' }]);
  });
});

describe('isErrorBody', () => {
  it('accepts the server error shape', () => {
    expect(isErrorBody({ error: 'forbidden', message: '无权', requestId: 'r' })).toBe(true);
    expect(isErrorBody({ error: 'validation', message: 'm', requestId: 'r', field: 'remark' })).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'error'],
    ['an array', [{ error: 'x', message: 'y' }]],
    ['no message', { error: 'x', requestId: 'r' }],
    ['a numeric error', { error: 500, message: 'm', requestId: 'r' }],
    ['a non-string field', { error: 'x', message: 'm', requestId: 'r', field: 3 }],
  ])('rejects %s', (_label, value) => {
    expect(isErrorBody(value)).toBe(false);
  });
});
