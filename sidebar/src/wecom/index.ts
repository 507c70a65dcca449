import type { ApiClient } from '../api/client';
import type { Me } from '../api/types';
import type { ChatEntry, WecomAdapter } from './adapter';
import type { MockAdapterOptions } from './mock';

export * from './adapter';

export type AdapterKind = 'real' | 'mock';

/**
 * The mock is chosen explicitly: `?mock=1` in the page URL, or a server in demo mode (no real WeCom behind it).
 * Never by looking at the user agent: a misdetected WeCom client must fail loudly, not silently fake the chat.
 */
export function chooseAdapterKind(search: string, me: Pick<Me, 'demo'>): AdapterKind {
  const mock = new URLSearchParams(search).get('mock');
  if (mock === '1' || mock === 'true') return 'mock';
  return me.demo ? 'mock' : 'real';
}

/** `?entry=group_chat_tools` lets the mock play a group chat's toolbar. */
export function mockEntryFrom(search: string): ChatEntry {
  return new URLSearchParams(search).get('entry') === 'group_chat_tools' ? 'group_chat_tools' : 'single_chat_tools';
}

/** Loads the chosen implementation; @wecom/jssdk is a separate chunk that the mock path never downloads. */
export async function loadAdapter(
  kind: AdapterKind,
  deps: { me: Pick<Me, 'corpId' | 'agentId'>; api: Pick<ApiClient, 'signatures'>; mock: MockAdapterOptions },
): Promise<WecomAdapter> {
  if (kind === 'mock') {
    const { createMockAdapter } = await import('./mock');
    return createMockAdapter(deps.mock);
  }
  const { createRealAdapter } = await import('./real');
  return createRealAdapter({ corpId: deps.me.corpId, agentId: deps.me.agentId, fetchSignatures: deps.api.signatures });
}
