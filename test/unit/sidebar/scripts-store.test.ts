// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Script } from '@shared/schemas/scripts';
import { useScriptsStore } from '../../../sidebar/src/stores/scripts';
import { deferred, fakeFetch, type FakeResponse } from './fake-fetch';

function script(id: number, title: string, content: string, extra: Partial<Script> = {}): Script {
  return {
    id,
    groupId: 1,
    groupName: '售前',
    title,
    kind: 'text',
    content,
    payload: {},
    favorite: false,
    sendCount: 0,
    ...extra,
  };
}

const LIBRARY = [
  script(1, '发货说明', '全国包邮，48小时内发货'),
  script(2, '退换货', '七天无理由退换'),
  script(3, '优惠', '满300减30，偏远地区不包邮'),
];

/** The server's search: a case-insensitive substring of title or content. */
function searchLibrary(q: string | null) {
  const needle = (q ?? '').toLowerCase();
  const items = LIBRARY.filter((s) => !needle || `${s.title}\n${s.content}`.toLowerCase().includes(needle));
  return { body: { items, total: items.length } };
}

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('scripts store', () => {
  it('searches in Chinese: 包邮 finds 全国包邮', async () => {
    const { fetch, calls } = fakeFetch({ 'GET /api/scripts': (req) => searchLibrary(req.query.get('q')) });
    vi.stubGlobal('fetch', fetch);
    const scripts = useScriptsStore();

    await scripts.setQuery('  包邮 ');
    expect(calls[0]?.query.get('q')).toBe('包邮');
    expect(scripts.items.map((s) => s.title)).toEqual(['发货说明', '优惠']);
    expect(scripts.status).toBe('ready');

    await scripts.setQuery('');
    expect(calls[1]?.query.has('q')).toBe(false);
    expect(scripts.total).toBe(3);
  });

  it('a slow answer to an older search never replaces the newer one', async () => {
    const slow = deferred<FakeResponse>();
    const { fetch } = fakeFetch({
      'GET /api/scripts': (req) => (req.query.get('q') === '包' ? slow.promise : searchLibrary(req.query.get('q'))),
    });
    vi.stubGlobal('fetch', fetch);
    const scripts = useScriptsStore();
    const older = scripts.setQuery('包');
    await scripts.setQuery('包邮');
    slow.resolve(searchLibrary('包'));
    await older;
    expect(scripts.query).toBe('包邮');
    expect(scripts.items.map((s) => s.id)).toEqual([1, 3]);
  });

  it('filters by group or favourites', async () => {
    const { fetch, calls } = fakeFetch({ 'GET /api/scripts': () => ({ body: { items: [], total: 0 } }) });
    vi.stubGlobal('fetch', fetch);
    const scripts = useScriptsStore();
    await scripts.setGroup(4);
    await scripts.showFavorites();
    expect(calls[0]?.query.get('groupId')).toBe('4');
    expect(calls[0]?.query.has('favorites')).toBe(false);
    expect(calls[1]?.query.get('favorites')).toBe('1');
    expect(calls[1]?.query.has('groupId')).toBe(false);
  });

  it('records the send first, then hands exactly the server message to sendChatMessage', async () => {
    const order: string[] = [];
    const message = { msgtype: 'text' as const, text: { content: '全国包邮，48小时内发货' } };
    const { fetch, calls } = fakeFetch({
      'GET /api/scripts': (req) => searchLibrary(req.query.get('q')),
      'POST /api/scripts/1/sends': () => {
        order.push('record');
        return { status: 201, body: { sendId: 77, message } };
      },
    });
    vi.stubGlobal('fetch', fetch);
    const scripts = useScriptsStore();
    await scripts.setQuery('包邮');
    const adapter = { sendChatMessage: vi.fn(async () => void order.push('send')) };

    expect(await scripts.send(1, 'wm_1', adapter)).toBe(true);
    expect(order).toEqual(['record', 'send']);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ externalUserId: 'wm_1' });
    expect(adapter.sendChatMessage).toHaveBeenCalledWith(message);
    expect(scripts.items.find((s) => s.id === 1)?.sendCount).toBe(1);
    expect(scripts.sendingId).toBeNull();
  });

  it('does not reach the chat when the send could not be recorded', async () => {
    const { fetch } = fakeFetch({
      'POST /api/scripts/1/sends': () => ({ status: 403, body: { error: 'forbidden', message: 'no', requestId: 'r' } }),
    });
    vi.stubGlobal('fetch', fetch);
    const scripts = useScriptsStore();
    const adapter = { sendChatMessage: vi.fn(async () => {}) };
    await expect(scripts.send(1, 'wm_other', adapter)).rejects.toMatchObject({ status: 403 });
    expect(adapter.sendChatMessage).not.toHaveBeenCalled();
    expect(scripts.sendingId).toBeNull();
  });

  it('favourites optimistically and takes it back when the server refuses', async () => {
    let refuse = false;
    const { fetch } = fakeFetch({
      'GET /api/scripts': (req) => searchLibrary(req.query.get('q')),
      'POST /api/scripts/2/favorite': () =>
        refuse
          ? { status: 500, body: { error: 'internal', message: 'x', requestId: 'r' } }
          : { body: { favorite: true } },
    });
    vi.stubGlobal('fetch', fetch);
    const scripts = useScriptsStore();
    await scripts.search();
    await scripts.toggleFavorite(2);
    expect(scripts.items.find((s) => s.id === 2)?.favorite).toBe(true);

    scripts.items.find((s) => s.id === 2)!.favorite = false;
    refuse = true;
    await expect(scripts.toggleFavorite(2)).rejects.toMatchObject({ status: 500 });
    expect(scripts.items.find((s) => s.id === 2)?.favorite).toBe(false);
  });
});
