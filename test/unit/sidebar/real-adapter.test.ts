// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A stand-in for @wecom/jssdk inside the WeCom client: what the page registers, and what each call answers. */
const sdk = vi.hoisted(() => ({
  env: { isWeCom: true, isWeChat: false },
  register: vi.fn(),
  getContext: vi.fn(),
  getCurExternalContact: vi.fn(),
  sendChatMessage: vi.fn(),
}));
vi.mock('@wecom/jssdk', () => sdk);

const { createRealAdapter } = await import('../../../sidebar/src/wecom/real');

const signatures = {
  corpId: 'ww1',
  agentId: 1000002,
  config: { timestamp: 1700000000, nonceStr: 'n1', signature: 'corp-sig' },
  agentConfig: { timestamp: 1700000001, nonceStr: 'n2', signature: 'agent-sig' },
};

beforeEach(() => {
  vi.clearAllMocks();
  sdk.env.isWeCom = true;
});

describe('real JS-SDK adapter', () => {
  it('registers with the app identity; both signatures come from one request, for the URL without #', async () => {
    const fetchSignatures = vi.fn(async () => signatures);
    const adapter = createRealAdapter({ corpId: 'ww1', agentId: 1000002, fetchSignatures });
    await adapter.init();

    expect(sdk.register).toHaveBeenCalledTimes(1);
    const options = sdk.register.mock.calls[0]![0];
    expect(options).toMatchObject({
      corpId: 'ww1',
      agentId: 1000002,
      jsApiList: ['getContext', 'getCurExternalContact', 'sendChatMessage'],
    });
    const url = 'https://scrm.example.com/sidebar/?customer=wm_1#/card';
    await expect(options.getConfigSignature(url)).resolves.toEqual(signatures.config);
    await expect(options.getAgentConfigSignature(url)).resolves.toEqual(signatures.agentConfig);
    expect(fetchSignatures).toHaveBeenCalledTimes(1);
    expect(fetchSignatures).toHaveBeenCalledWith('https://scrm.example.com/sidebar/?customer=wm_1');
  });

  it('accepts only the chat toolbar entries', async () => {
    const adapter = createRealAdapter({ corpId: 'ww1', agentId: 1, fetchSignatures: vi.fn() });
    sdk.getContext.mockResolvedValueOnce({ errMsg: 'getContext:ok', entry: 'group_chat_tools' });
    await expect(adapter.getContext()).resolves.toEqual({ entry: 'group_chat_tools' });
    sdk.getContext.mockResolvedValueOnce({ errMsg: 'getContext:ok', entry: 'contact_profile' });
    await expect(adapter.getContext()).rejects.toMatchObject({ code: 'unsupported_entry' });
  });

  it("turns the SDK's errMsg into errors a rep can act on", async () => {
    const adapter = createRealAdapter({ corpId: 'ww1', agentId: 1, fetchSignatures: vi.fn() });
    sdk.getCurExternalContact.mockRejectedValueOnce({ errMsg: 'getCurExternalContact:fail no permission' });
    await expect(adapter.getCurExternalContact()).rejects.toMatchObject({ code: 'no_permission' });
    sdk.sendChatMessage.mockRejectedValueOnce({ errMsg: 'sendChatMessage:cancel' });
    await expect(adapter.sendChatMessage({ msgtype: 'text', text: { content: 'hi' } })).rejects.toMatchObject({
      code: 'cancelled',
    });
    sdk.getCurExternalContact.mockResolvedValueOnce({ errMsg: 'getCurExternalContact:ok', userId: 'wm_1' });
    await expect(adapter.getCurExternalContact()).resolves.toEqual({ userId: 'wm_1' });
  });

  it('outside WeCom it fails at once with the Chinese explanation, without registering', async () => {
    sdk.env.isWeCom = false;
    const adapter = createRealAdapter({ corpId: 'ww1', agentId: 1, fetchSignatures: vi.fn() });
    await expect(adapter.init()).rejects.toMatchObject({
      code: 'not_in_wecom',
      message: '请在企业微信客户聊天的侧边栏中打开',
    });
    expect(sdk.register).not.toHaveBeenCalled();
  });
});
