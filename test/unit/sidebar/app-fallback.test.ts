// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { h, nextTick, type Component } from 'vue';
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import App from '../../../sidebar/src/App.vue';
import { ApiError } from '../../../sidebar/src/api/client';
import { useFeedbackStore } from '../../../sidebar/src/stores/feedback';

afterEach(() => vi.restoreAllMocks());

async function mountWith(view: Component) {
  const pinia = createPinia();
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: view }] });
  await router.push('/');
  await router.isReady();
  vi.spyOn(console, 'error').mockImplementation(() => {});
  const wrapper = mount(App, { global: { plugins: [pinia, router] } });
  await nextTick();
  return { wrapper, pinia };
}

describe('App: never a blank page', () => {
  it('shows a Chinese fallback with 重试 when a view crashes while rendering', async () => {
    let crash = true;
    const view: Component = {
      setup() {
        return () => {
          if (crash) throw new TypeError("Cannot read properties of undefined (reading 'name')");
          return h('p', { class: 'ok' }, '恢复了');
        };
      },
    };
    const { wrapper } = await mountWith(view);
    expect(wrapper.text()).toContain('页面出错了');
    crash = false;
    await wrapper.get('button').trigger('click');
    await nextTick();
    expect(wrapper.find('.ok').text()).toBe('恢复了');
  });

  it('an API failure a handler let through becomes a toast with 重试, the page stays', async () => {
    const view: Component = {
      setup() {
        return () =>
          h(
            'button',
            {
              class: 'save',
              onClick: () => {
                throw new ApiError(503, 'unavailable', 'down');
              },
            },
            '保存',
          );
      },
    };
    const { wrapper, pinia } = await mountWith(view);
    await wrapper.get('.save').trigger('click');
    await nextTick();
    expect(wrapper.find('.save').exists()).toBe(true);
    expect(useFeedbackStore(pinia).notice?.message).toBe('服务暂时不可用，请稍后重试');
  });
});
