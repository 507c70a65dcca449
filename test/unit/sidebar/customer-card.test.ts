// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { CustomerCard as Card } from '@shared/schemas/customers';
import CustomerCard from '../../../sidebar/src/components/CustomerCard.vue';
import { useCustomerStore } from '../../../sidebar/src/stores/customer';
import { useSessionStore } from '../../../sidebar/src/stores/session';
import { fakeFetch } from './fake-fetch';

const HOSTILE = '<img src=x onerror="window.__pwned=1">{{ 7*7 }}';

function card(overrides: Partial<Card> = {}): Card {
  return {
    externalUserId: 'wm_1',
    name: '王雨桐',
    avatar: '',
    type: 1,
    gender: 2,
    corpName: '',
    position: '',
    remark: '王姐',
    description: '关注智能手表',
    addedAt: new Date(2024, 5, 18, 9, 30).getTime(),
    channel: { id: 3, name: '618直播间' },
    stage: { stageId: 1, name: '新客户' },
    tags: [
      { groupId: 'g1', groupName: '客户等级', tags: [{ tagId: 't1', name: '重要客户' }] },
      {
        groupId: 'g2',
        groupName: '意向产品',
        tags: [
          { tagId: 't2', name: '智能手表' },
          { tagId: 't3', name: '无线耳机' },
        ],
      },
    ],
    followers: [
      { userId: 'lina', name: '李娜', avatar: '', addedAt: 1, status: 'active', lostReason: null },
      { userId: 'zhaolei', name: '赵磊', avatar: '', addedAt: 1, status: 'lost', lostReason: 'deleted_by_customer' },
    ],
    ...overrides,
  };
}

let pinia: Pinia;

function mountCard(data: Card) {
  const customer = useCustomerStore();
  customer.externalUserId = data.externalUserId;
  customer.card = data;
  customer.status = 'ready';
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
  return mount(CustomerCard, { global: { plugins: [pinia] }, attachTo: document.body });
}

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

describe('CustomerCard', () => {
  it('shows the tags grouped by tag group, with the channel, stage and followers', () => {
    const wrapper = mountCard(card());
    const groups = wrapper.findAll('[data-testid="tag-group"]');
    expect(groups.map((g) => g.find('.tag-group__name').text())).toEqual(['客户等级', '意向产品']);
    expect(groups[0]!.findAll('[data-testid="tag"]').map((t) => t.text())).toEqual(['重要客户']);
    expect(groups[1]!.findAll('[data-testid="tag"]').map((t) => t.text())).toEqual(['智能手表', '无线耳机']);
    expect(wrapper.get('[data-testid="customer-channel"]').text()).toBe('618直播间');
    expect(wrapper.get('[data-testid="stage-button"]').text()).toContain('新客户');
    expect(wrapper.get('[data-testid="customer-remark"]').text()).toBe('王姐');
    expect(wrapper.text()).toContain('@微信');
    expect(wrapper.text()).toContain('李娜（我）');
    expect(wrapper.text()).toContain('客户已删除');
  });

  it('says when there are no tags and no channel', () => {
    const wrapper = mountCard(card({ tags: [], channel: null }));
    expect(wrapper.text()).toContain('暂无标签');
    expect(wrapper.get('[data-testid="customer-channel"]').text()).toBe('非渠道活码添加');
  });

  it('renders hostile names as text, never as HTML', () => {
    const wrapper = mountCard(
      card({
        name: HOSTILE,
        remark: HOSTILE.slice(0, 20),
        corpName: HOSTILE,
        type: 2,
        description: HOSTILE,
        channel: { id: 1, name: HOSTILE },
        tags: [{ groupId: 'g1', groupName: HOSTILE, tags: [{ tagId: 't1', name: HOSTILE }] }],
        followers: [{ userId: 'x', name: HOSTILE, avatar: '', addedAt: 1, status: 'active', lostReason: null }],
      }),
    );
    expect(wrapper.find('img[src="x"]').exists()).toBe(false);
    expect(document.querySelector('img[onerror]')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    expect(wrapper.get('[data-testid="customer-name"]').text()).toBe(HOSTILE);
    expect(wrapper.get('[data-testid="customer-channel"]').text()).toBe(HOSTILE);
    expect(wrapper.get('[data-testid="tag"]').text()).toBe(HOSTILE);
    expect(wrapper.get('.tag-group__name').text()).toBe(HOSTILE);
    // Mustache-like text in data is not evaluated either.
    expect(wrapper.text()).not.toContain('49');
  });

  it('saves the tag selection as add/remove against the current tags', async () => {
    const { fetch, calls } = fakeFetch({
      'GET /api/tags': () => ({
        body: {
          groups: [
            {
              groupId: 'g1',
              name: '客户等级',
              order: 1,
              tags: [
                { id: 't1', groupId: 'g1', name: '重要客户', order: 2 },
                { id: 't4', groupId: 'g1', name: '普通客户', order: 1 },
              ],
            },
          ],
        },
      }),
      'PUT /api/customers/wm_1/tags': () => ({
        body: card({ tags: [{ groupId: 'g1', groupName: '客户等级', tags: [{ tagId: 't4', name: '普通客户' }] }] }),
      }),
    });
    vi.stubGlobal('fetch', fetch);
    const wrapper = mountCard(card());
    await wrapper.get('[data-testid="edit-tags"]').trigger('click');
    await vi.waitFor(() => expect(document.querySelectorAll('[data-testid="tag-option"]').length).toBeGreaterThan(0));

    const options = [...document.querySelectorAll<HTMLButtonElement>('[data-testid="tag-option"]')];
    // The library's tags, then the card's tags the library does not list (so they can be removed).
    expect(options.map((o) => o.textContent?.trim())).toEqual(['重要客户', '普通客户', '智能手表', '无线耳机']);
    expect(options.map((o) => o.getAttribute('aria-pressed'))).toEqual(['true', 'false', 'true', 'true']);
    options[0]!.click(); // remove 重要客户
    options[1]!.click(); // add 普通客户
    options[2]!.click(); // remove 智能手表
    options[3]!.click(); // remove 无线耳机
    await wrapper.vm.$nextTick();
    document.querySelector<HTMLButtonElement>('[data-testid="tag-editor-save"]')!.click();

    await vi.waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.body).toEqual({ add: ['t4'], remove: ['t1', 't2', 't3'] });
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="tag"]').map((t) => t.text())).toEqual(['普通客户']));
    expect(wrapper.emitted('changed')).toHaveLength(1);
  });
});
