// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { chooseAdapterKind, loadAdapter, mockEntryFrom, WecomError } from '../../../sidebar/src/wecom';
import { createMockAdapter } from '../../../sidebar/src/wecom/mock';

const text = (content: string) => ({ msgtype: 'text' as const, text: { content } });

describe('mock JS-SDK adapter', () => {
  it('records every message sent into the stand-in chat, with its customer', async () => {
    let customer: string | null = 'wm_1';
    const onSend = vi.fn();
    const adapter = createMockAdapter({ currentCustomer: () => customer, onSend, now: () => 42 });
    await adapter.init();
    expect(await adapter.getContext()).toEqual({ entry: 'single_chat_tools' });
    expect(await adapter.getCurExternalContact()).toEqual({ userId: 'wm_1' });

    const message = text('您好，全国包邮');
    await adapter.sendChatMessage(message);
    message.text.content = 'changed afterwards';
    customer = 'wm_2';
    await adapter.sendChatMessage({
      msgtype: 'news',
      news: { link: 'https://example.com/a', title: '新品', desc: '说明', imgUrl: '' },
    });

    expect(adapter.sent).toEqual([
      { externalUserId: 'wm_1', message: text('您好，全国包邮'), at: 42 },
      { externalUserId: 'wm_2', message: expect.objectContaining({ msgtype: 'news' }), at: 42 },
    ]);
    expect(onSend).toHaveBeenCalledTimes(2);
    expect(onSend.mock.calls[0]?.[0]).toEqual(adapter.sent[0]);
  });

  it('has no customer until one is picked, and none in a group chat', async () => {
    const adapter = createMockAdapter({ currentCustomer: () => null });
    await expect(adapter.getCurExternalContact()).rejects.toBeInstanceOf(WecomError);
    await expect(adapter.getCurExternalContact()).rejects.toMatchObject({ code: 'no_external_contact' });
    await expect(adapter.sendChatMessage(text('x'))).rejects.toMatchObject({ code: 'no_external_contact' });

    const group = createMockAdapter({ currentCustomer: () => 'wm_1', entry: 'group_chat_tools' });
    expect(await group.getContext()).toEqual({ entry: 'group_chat_tools' });
    await expect(group.getCurExternalContact()).rejects.toMatchObject({ code: 'no_external_contact' });
  });
});

describe('choosing the adapter', () => {
  it('uses the mock only when asked (?mock=1) or in demo mode, whatever the user agent says', () => {
    expect(chooseAdapterKind('?mock=1', { demo: false })).toBe('mock');
    expect(chooseAdapterKind('', { demo: true })).toBe('mock');
    expect(chooseAdapterKind('?customer=wm_1', { demo: false })).toBe('real');
    expect(chooseAdapterKind('?mock=0', { demo: false })).toBe('real');
    expect(mockEntryFrom('?entry=group_chat_tools')).toBe('group_chat_tools');
    expect(mockEntryFrom('?entry=contact_profile')).toBe('single_chat_tools');
  });

  it('the real adapter explains that the page is not inside WeCom', async () => {
    const adapter = await loadAdapter('real', {
      me: { corpId: 'ww1', agentId: 1000002 },
      api: { signatures: vi.fn() },
      mock: { currentCustomer: () => null },
    });
    expect(adapter.kind).toBe('real');
    await expect(adapter.init()).rejects.toMatchObject({
      code: 'not_in_wecom',
      message: '请在企业微信客户聊天的侧边栏中打开',
    });
  });
});
