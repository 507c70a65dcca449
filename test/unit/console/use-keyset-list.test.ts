// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../console/src/api/client';
import { useKeysetList, type KeysetPage } from '../../../console/src/lib/use-keyset-list';

/** A page answer the test settles by hand, to choose which of two loads in flight answers first. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A fetchPage whose every call waits for the test; `calls` lists the cursors asked for, in order. */
function handFetch() {
  const calls: { cursor: string | undefined; answer: ReturnType<typeof deferred<KeysetPage<string>>> }[] = [];
  const fetchPage = (cursor: string | undefined) => {
    const answer = deferred<KeysetPage<string>>();
    calls.push({ cursor, answer });
    return answer.promise;
  };
  const call = (i: number) => {
    const c = calls[i];
    if (!c) throw new Error(`no call #${i}`);
    return c;
  };
  return { fetchPage, calls, call };
}

describe('useKeysetList', () => {
  it('starts over with load(), appends with load(true) from the cursor, and hasMore follows nextCursor', async () => {
    const { fetchPage, calls, call } = handFetch();
    const list = useKeysetList(fetchPage);
    expect(list.hasMore.value).toBe(false);
    expect(list.loaded.value).toBe(false);

    const first = list.load();
    expect(list.loading.value).toBe(true);
    call(0).answer.resolve({ items: ['a', 'b'], nextCursor: 'c1' });
    await first;
    expect(list.items.value).toEqual(['a', 'b']);
    expect(list.nextCursor.value).toBe('c1');
    expect(list.hasMore.value).toBe(true);
    expect(list.loading.value).toBe(false);
    expect(list.loaded.value).toBe(true);

    const more = list.load(true);
    call(1).answer.resolve({ items: ['c'], nextCursor: null });
    await more;
    expect(calls.map((c) => c.cursor)).toEqual([undefined, 'c1']);
    expect(list.items.value).toEqual(['a', 'b', 'c']);
    expect(list.hasMore.value).toBe(false);

    // No next page: load(true) asks for nothing.
    await list.load(true);
    expect(calls).toHaveLength(2);

    // A new filter starts from the first page again and replaces what was shown.
    const again = list.load();
    call(2).answer.resolve({ items: ['x'], nextCursor: 'c9' });
    await again;
    expect(call(2).cursor).toBeUndefined();
    expect(list.items.value).toEqual(['x']);
    expect(list.hasMore.value).toBe(true);
  });

  it('keeps the newer load when an older, slower one answers last', async () => {
    const { fetchPage, call } = handFetch();
    const list = useKeysetList(fetchPage);

    const older = list.load();
    const newer = list.load();
    call(1).answer.resolve({ items: ['new'], nextCursor: null });
    await newer;
    expect(list.items.value).toEqual(['new']);
    expect(list.loading.value).toBe(false);

    call(0).answer.resolve({ items: ['old'], nextCursor: 'old-cursor' });
    await older;
    expect(list.items.value).toEqual(['new']);
    expect(list.nextCursor.value).toBeNull();
    expect(list.loading.value).toBe(false);
  });

  it('stays loading until the latest load answers, whatever an older one does', async () => {
    const { fetchPage, call } = handFetch();
    const list = useKeysetList(fetchPage);

    const older = list.load();
    const newer = list.load();
    call(0).answer.reject(new ApiError(500, 'internal', 'Internal Server Error'));
    await older;
    expect(list.loading.value).toBe(true);
    expect(list.error.value).toBe('');

    call(1).answer.resolve({ items: ['new'], nextCursor: null });
    await newer;
    expect(list.loading.value).toBe(false);
    expect(list.items.value).toEqual(['new']);
  });

  it('drops a next page that answers after a new load started, and appends nothing to the new list', async () => {
    const { fetchPage, call } = handFetch();
    const list = useKeysetList(fetchPage);

    const first = list.load();
    call(0).answer.resolve({ items: ['a'], nextCursor: 'c1' });
    await first;

    const more = list.load(true);
    const reload = list.load();
    call(2).answer.resolve({ items: ['fresh'], nextCursor: null });
    await reload;
    call(1).answer.resolve({ items: ['stale'], nextCursor: 'c2' });
    await more;
    expect(list.items.value).toEqual(['fresh']);
    expect(list.hasMore.value).toBe(false);
  });

  it('ignores load(true) while a load is in flight (its cursor is not known yet)', async () => {
    const { fetchPage, calls, call } = handFetch();
    const list = useKeysetList(fetchPage);
    const first = list.load();
    call(0).answer.resolve({ items: ['a'], nextCursor: 'c1' });
    await first;

    const reload = list.load();
    const ignored = list.load(true);
    expect(calls).toHaveLength(2);
    call(1).answer.resolve({ items: ['b'], nextCursor: null });
    await Promise.all([reload, ignored]);
    expect(list.items.value).toEqual(['b']);
  });

  it('leaves the error empty when the session ended (the sign-in page takes over)', async () => {
    const { fetchPage, call } = handFetch();
    const told: string[] = [];
    const list = useKeysetList(fetchPage, { onError: (message) => told.push(message) });
    const run = list.load();
    call(0).answer.reject(new ApiError(401, 'session_expired', '登录已过期'));
    await run;
    expect(list.error.value).toBe('');
    expect(list.status.value).toBeNull();
    expect(list.loading.value).toBe(false);
    expect(told).toEqual([]);
  });

  it("shows other failures in Chinese, with the page's own text for a 403, and keeps what was loaded", async () => {
    const { fetchPage, call } = handFetch();
    const told: string[] = [];
    const list = useKeysetList(fetchPage, {
      errorText: (err) => (err instanceof ApiError && err.status === 403 ? '消息搜索目前只有管理员可以使用' : null),
      onError: (message) => told.push(message),
    });
    const first = list.load();
    call(0).answer.resolve({ items: ['a'], nextCursor: 'c1' });
    await first;

    const forbidden = list.load();
    call(1).answer.reject(new ApiError(403, 'forbidden', 'Forbidden'));
    await forbidden;
    expect(list.error.value).toBe('消息搜索目前只有管理员可以使用');
    expect(list.status.value).toBe(403);
    expect(list.items.value).toEqual(['a']);

    // Not a 403: the usual Chinese sentence (errorText said null).
    const broken = list.load();
    call(2).answer.reject(new ApiError(502, 'bad_gateway', 'Bad Gateway'));
    await broken;
    expect(list.error.value).toBe('服务暂时不可用，请稍后重试');
    expect(list.status.value).toBe(502);
    expect(told).toEqual(['消息搜索目前只有管理员可以使用', '服务暂时不可用，请稍后重试']);

    // The next load that works clears the error.
    const fixed = list.load();
    expect(list.error.value).toBe('');
    call(3).answer.resolve({ items: ['b'], nextCursor: null });
    await fixed;
    expect(list.error.value).toBe('');
    expect(list.status.value).toBeNull();
    expect(list.items.value).toEqual(['b']);
  });
});
