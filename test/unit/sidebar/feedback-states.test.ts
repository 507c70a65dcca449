// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { CustomerCard as Card } from '@shared/schemas/customers';
import CustomerCard from '../../../sidebar/src/components/CustomerCard.vue';
import CustomerTab from '../../../sidebar/src/components/CustomerTab.vue';
import { useCustomerStore } from '../../../sidebar/src/stores/customer';
import { useSessionStore } from '../../../sidebar/src/stores/session';
import { fakeFetch } from './fake-fetch';

const CARD: Card = {
  externalUserId: 'wm_1',
  name: '刘建国',
  avatar: '',
  type: 1,
  gender: 1,
  corpName: '',
  position: '',
  remark: '刘先生',
  description: '',
  addedAt: Date.now() - 86_400_000,
  channel: { id: 1, name: '门店海报' },
  stage: { stageId: 1, name: '新客户' },
  tags: [],
  followers: [{ userId: 'lina', name: '李娜', avatar: '', addedAt: 1, status: 'active', lostReason: null }],
};

let pinia: Pinia;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().me = {
    userId: 'lina',
    name: '李娜',
    avatar: '',
    position: '销售顾问',
    corpId: 'ww1',
    agentId: 1000002,
    demo: true,
    timeZone: 'Asia/Shanghai',
  };
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

/** Vant toasts that are on screen (a closed one stays in the DOM, hidden). */
const visibleToasts = () =>
  [...document.querySelectorAll<HTMLElement>('.van-toast')].filter((t) => t.style.display !== 'none');

describe('success toasts', () => {
  it('已保存 is closed when the next sheet opens, instead of lingering under it', async () => {
    const { fetch } = fakeFetch({
      'PATCH /api/customers/wm_1': () => ({ body: { ...CARD, remark: '刘先生-X9扫地机' } }),
      'GET /api/tags': () => ({ body: { groups: [] } }),
    });
    vi.stubGlobal('fetch', fetch);
    const customer = useCustomerStore();
    customer.externalUserId = 'wm_1';
    customer.card = CARD;
    customer.status = 'ready';
    const wrapper = mount(CustomerCard, { global: { plugins: [pinia] }, attachTo: document.body });

    await wrapper
      .findAll('button')
      .find((b) => b.text() === '编辑')!
      .trigger('click');
    await flushPromises();
    const field = document.querySelector<HTMLInputElement>('[data-testid="text-edit-field"] input')!;
    field.value = '刘先生-X9扫地机';
    field.dispatchEvent(new Event('input'));
    document.querySelector<HTMLButtonElement>('[data-testid="text-edit-save"]')!.click();
    await vi.waitFor(() => expect(visibleToasts().map((t) => t.textContent?.trim())).toEqual(['已保存']));

    await wrapper.get('[data-testid="edit-tags"]').trigger('click');
    // Closed as the sheet opens (a close transition), long before the toast would have timed out by itself.
    await vi.waitFor(() => expect(visibleToasts()).toEqual([]), { timeout: 300 });
    expect(document.querySelector('[data-testid="tag-editor-save"]')).not.toBeNull();
  });
});

describe('error states offer 重试 only where it can help', () => {
  async function tabWith(status: number, body: Record<string, unknown>) {
    vi.stubGlobal('fetch', fakeFetch({ 'GET /api/customers/wm_1': () => ({ status, body }) }).fetch);
    const wrapper = mount(CustomerTab, { props: { externalUserId: 'wm_1' }, global: { plugins: [pinia] } });
    await vi.waitFor(() => expect(wrapper.find('.error-state').exists()).toBe(true));
    return wrapper;
  }

  it('未找到 (the customer is not there): no 重试', async () => {
    const wrapper = await tabWith(404, { error: 'not_found', message: '客户不存在', requestId: 'r' });
    expect(wrapper.get('.error-state__title').text()).toBe('未找到');
    expect(wrapper.text()).toContain('客户不存在');
    expect(wrapper.find('.error-state__retry').exists()).toBe(false);
  });

  it('a server failure keeps 重试, and it loads the card again', async () => {
    const wrapper = await tabWith(503, { error: 'unavailable', message: 'x', requestId: 'r' });
    expect(wrapper.get('.error-state__title').text()).toBe('服务暂时不可用');
    vi.stubGlobal(
      'fetch',
      fakeFetch({
        'GET /api/customers/wm_1': () => ({ body: CARD }),
        'GET /api/customers/wm_1/timeline': () => ({ body: { items: [], nextCursor: null } }),
      }).fetch,
    );
    await wrapper.get('.error-state__retry').trigger('click');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="customer-card"]').exists()).toBe(true));
  });
});
