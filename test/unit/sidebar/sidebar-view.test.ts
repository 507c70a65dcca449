// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import { REAUTH_STORAGE_KEY } from '../../../sidebar/src/api/client';
import SidebarView from '../../../sidebar/src/views/SidebarView.vue';
import { fakeFetch } from './fake-fetch';

const ME = { userId: 'lina', name: '李娜', avatar: '', position: '销售顾问', corpId: 'ww1', agentId: 1000002 };

async function mountView(path = '/') {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: SidebarView }] });
  await router.push(path);
  await router.isReady();
  const wrapper = mount(SidebarView, { global: { plugins: [createPinia(), router] } });
  // The real adapter is a dynamic import: give it time to load.
  await vi.waitFor(() => expect(wrapper.find('.boot').exists()).toBe(false), { timeout: 5000 });
  await flushPromises();
  return wrapper;
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.sessionStorage.clear();
});

describe('SidebarView: errors a rep can act on', () => {
  it('outside WeCom, without mock mode, says where to open the page', async () => {
    const { fetch } = fakeFetch({ 'GET /api/me': () => ({ body: { ...ME, demo: false } }) });
    vi.stubGlobal('fetch', fetch);
    const wrapper = await mountView();
    expect(wrapper.text()).toContain('请在企业微信客户聊天的侧边栏中打开');
    expect(wrapper.text()).toContain('?mock=1');
  });

  it('after a silent re-authentication that did not help, asks to sign in again', async () => {
    window.sessionStorage.setItem(REAUTH_STORAGE_KEY, String(Date.now() - 1000));
    const { fetch } = fakeFetch({
      'GET /api/me': () => ({ status: 401, body: { error: 'unauthorized', message: 'x', requestId: 'r' } }),
    });
    vi.stubGlobal('fetch', fetch);
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
    const wrapper = await mountView();
    expect(wrapper.text()).toContain('登录已过期，请重新打开侧边栏');
    expect(assign).not.toHaveBeenCalled();
    await wrapper.get('button').trigger('click');
    expect(assign).toHaveBeenCalledWith(expect.stringMatching(/^\/api\/auth\/login\?returnTo=/));
  });

  it('in mock mode without a customer, asks to pick one in the stand-in chat', async () => {
    const { fetch } = fakeFetch({
      'GET /api/me': () => ({ body: { ...ME, demo: true } }),
      'GET /api/customers': () => ({
        body: {
          items: [
            { externalUserId: 'wm_1', name: '周梓涵', avatar: '', remark: '', addedAt: 1, channelName: '直播间' },
          ],
          nextCursor: null,
        },
      }),
      'GET /emulator/_state': () => ({ body: { reps: [{ userid: 'lina', name: '李娜', position: '销售顾问' }] } }),
    });
    vi.stubGlobal('fetch', fetch);
    const wrapper = await mountView();
    await vi.waitFor(() => expect(wrapper.text()).toContain('还没有选择客户'));
    expect(wrapper.find('[data-testid="mock-chat"]').exists()).toBe(true);
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="mock-customer"] option')).toHaveLength(2));
  });
});
