// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { TimelineItem } from '@shared/schemas/customers';
import { useTimelineStore } from '../../../sidebar/src/stores/timeline';
import { deferred, fakeFetch, type FakeResponse } from './fake-fetch';

function item(id: number, kind = 'note'): TimelineItem {
  return {
    id,
    kind,
    content: `item ${id}`,
    payload: {},
    userId: 'lina',
    userName: '李娜',
    dueAt: null,
    occurredAt: 1_700_000_000_000 + id,
    editable: kind === 'note',
  };
}

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe('timeline store', () => {
  it('pages with the keyset cursor, newest first, never showing an item twice', async () => {
    const { fetch, calls } = fakeFetch({
      'GET /api/customers/wm_1/timeline': (req) => {
        const cursor = req.query.get('cursor');
        if (!cursor) return { body: { items: [item(9), item(8), item(7)], nextCursor: 'c1' } };
        // An item written meanwhile can make the next page overlap the previous one.
        if (cursor === 'c1') return { body: { items: [item(7), item(6), item(5)], nextCursor: 'c2' } };
        return { body: { items: [item(4)], nextCursor: null } };
      },
    });
    vi.stubGlobal('fetch', fetch);
    const timeline = useTimelineStore();
    timeline.reset('wm_1');

    await timeline.loadMore();
    await timeline.loadMore();
    await timeline.loadMore();
    expect(timeline.items.map((i) => i.id)).toEqual([9, 8, 7, 6, 5, 4]);
    expect(timeline.finished).toBe(true);
    expect(calls.map((c) => c.query.get('cursor'))).toEqual([null, 'c1', 'c2']);
    expect(calls.every((c) => c.query.get('filter') === 'all')).toBe(true);

    await timeline.loadMore(); // finished: no request
    expect(calls).toHaveLength(3);
  });

  it('does not start a second page while one is loading', async () => {
    const answer = deferred<FakeResponse>();
    const { fetch, calls } = fakeFetch({ 'GET /api/customers/wm_1/timeline': () => answer.promise });
    vi.stubGlobal('fetch', fetch);
    const timeline = useTimelineStore();
    timeline.reset('wm_1');
    const first = timeline.loadMore();
    void timeline.loadMore();
    answer.resolve({ body: { items: [item(1)], nextCursor: null } });
    await first;
    expect(calls).toHaveLength(1);
    expect(timeline.items).toHaveLength(1);
  });

  it('a new filter starts from the first page and drops the answer of the old filter', async () => {
    const slowAll = deferred<FakeResponse>();
    const { fetch, calls } = fakeFetch({
      'GET /api/customers/wm_1/timeline': (req) => {
        const filter = req.query.get('filter');
        if (filter === 'all' && req.query.get('cursor') === 'c1') return slowAll.promise;
        if (filter === 'all') return { body: { items: [item(9, 'added'), item(8)], nextCursor: 'c1' } };
        return { body: { items: [item(8)], nextCursor: null } };
      },
    });
    vi.stubGlobal('fetch', fetch);
    const timeline = useTimelineStore();
    timeline.reset('wm_1');
    await timeline.loadMore();
    const stale = timeline.loadMore(); // page 2 of "all", answered late

    await timeline.setFilter('notes');
    expect(timeline.filter).toBe('notes');
    expect(timeline.items.map((i) => i.id)).toEqual([8]);
    expect(timeline.finished).toBe(true);
    expect(calls.at(-1)?.query.get('cursor')).toBeNull();
    expect(calls.at(-1)?.query.get('filter')).toBe('notes');

    slowAll.resolve({ body: { items: [item(7), item(6)], nextCursor: 'c2' } });
    await stale;
    expect(timeline.items.map((i) => i.id)).toEqual([8]);
    expect(timeline.cursor).toBeNull();
    expect(timeline.loading).toBe(false);
  });

  it('keeps what it has on a failed page and can try again', async () => {
    let fail = true;
    const { fetch } = fakeFetch({
      'GET /api/customers/wm_1/timeline': () =>
        fail
          ? { status: 503, body: { error: 'unavailable', message: 'down', requestId: 'r' } }
          : { body: { items: [item(1)], nextCursor: null } },
    });
    vi.stubGlobal('fetch', fetch);
    const timeline = useTimelineStore();
    timeline.reset('wm_1');
    await timeline.loadMore();
    expect(timeline.error).toMatchObject({ status: 503 });
    expect(timeline.loading).toBe(false);
    fail = false;
    await timeline.loadMore();
    expect(timeline.error).toBeNull();
    expect(timeline.items.map((i) => i.id)).toEqual([1]);
  });

  it('adding a note reloads the first page of the current filter', async () => {
    const notes: TimelineItem[] = [item(1)];
    const { fetch, calls } = fakeFetch({
      'GET /api/customers/wm_1/timeline': () => ({ body: { items: [...notes].reverse(), nextCursor: null } }),
      'POST /api/customers/wm_1/notes': (req) => {
        const created = { ...item(2), content: (req.body as { content: string }).content };
        notes.push(created);
        return { status: 201, body: created };
      },
    });
    vi.stubGlobal('fetch', fetch);
    const timeline = useTimelineStore();
    timeline.reset('wm_1', 'notes');
    await timeline.loadMore();
    await timeline.addNote({ content: '客户想要报价单', dueAt: 1_800_000_000_000 });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      content: '客户想要报价单',
      dueAt: 1_800_000_000_000,
    });
    expect(timeline.items.map((i) => i.content)).toEqual(['客户想要报价单', 'item 1']);
    expect(timeline.filter).toBe('notes');
  });
});
