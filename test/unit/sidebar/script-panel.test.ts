// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import ScriptPanel from '../../../sidebar/src/components/ScriptPanel.vue';
import { useScriptsStore } from '../../../sidebar/src/stores/scripts';
import { fakeFetch } from './fake-fetch';

const FAVOURITE = {
  id: 1,
  groupId: 1,
  groupName: '物流售后',
  title: '发货时效',
  kind: 'text',
  content: '江浙沪次日达',
  payload: {},
  favorite: true,
  sendCount: 3,
};

let pinia: Pinia;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  // The rep has one favourite; a search filters favourites by title or content.
  const { fetch } = fakeFetch({
    'GET /api/script-groups': () => ({ body: [{ id: 1, name: '物流售后', order: 0, count: 1 }] }),
    'GET /api/scripts': (req) => {
      const q = req.query.get('q') ?? '';
      const items = [FAVOURITE].filter((s) => `${s.title}${s.content}`.includes(q));
      return { body: { items, total: items.length } };
    },
  });
  vi.stubGlobal('fetch', fetch);
});
afterEach(() => vi.unstubAllGlobals());

async function mountPanel() {
  const wrapper = mount(ScriptPanel, { props: { externalUserId: 'wm_1' }, global: { plugins: [pinia] } });
  await flushPromises();
  return wrapper;
}

describe('ScriptPanel: an empty list says why', () => {
  it('a search among favourites with no match says no favourite matches, not that there are none', async () => {
    const wrapper = await mountPanel();
    const scripts = useScriptsStore();
    await scripts.showFavorites();
    await scripts.setQuery('退货');
    await flushPromises();
    expect(wrapper.text()).toContain('没有匹配的收藏话术');
    expect(wrapper.text()).not.toContain('还没有收藏的话术');

    await scripts.setQuery('发货');
    await flushPromises();
    expect(wrapper.findAll('[data-testid="script-card"]')).toHaveLength(1);
  });

  it('favourites with no search and nothing starred say there are none yet; a search of all says nothing found', async () => {
    const wrapper = await mountPanel();
    const scripts = useScriptsStore();
    await scripts.setQuery('退货');
    await flushPromises();
    expect(wrapper.text()).toContain('没有找到相关话术');

    FAVOURITE.favorite = false;
    vi.stubGlobal('fetch', fakeFetch({ 'GET /api/scripts': () => ({ body: { items: [], total: 0 } }) }).fetch);
    await scripts.setQuery('');
    await scripts.showFavorites();
    await flushPromises();
    expect(wrapper.text()).toContain('还没有收藏的话术');
    FAVOURITE.favorite = true;
  });
});
