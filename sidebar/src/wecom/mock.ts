import type { ChatEntry, ChatMessage, WecomAdapter } from './adapter';
import { WecomError } from './adapter';

export interface MockSentMessage {
  externalUserId: string;
  message: ChatMessage;
  /** ms */
  at: number;
}

export interface MockAdapterOptions {
  /** The customer of the stand-in chat (the mock chat window or `?customer=`); null before one is picked. */
  currentCustomer: () => string | null;
  /** Simulates a group chat's toolbar (`?entry=group_chat_tools`). */
  entry?: ChatEntry;
  /** Told about every message the page sends, for the stand-in chat's transcript. */
  onSend?: (sent: MockSentMessage) => void;
  now?: () => number;
}

export interface MockAdapter extends WecomAdapter {
  readonly kind: 'mock';
  /** Every message sendChatMessage received, in order. */
  readonly sent: readonly MockSentMessage[];
}

/** The JS-SDK for a normal browser: no WeCom client, the "chat" is the page's stand-in chat window. */
export function createMockAdapter(options: MockAdapterOptions): MockAdapter {
  const sent: MockSentMessage[] = [];
  const entry = options.entry ?? 'single_chat_tools';
  const now = options.now ?? Date.now;

  return {
    kind: 'mock',
    sent,
    async init() {},
    async getContext() {
      return { entry };
    },
    async getCurExternalContact() {
      const userId = entry === 'single_chat_tools' ? options.currentCustomer() : null;
      if (!userId) {
        throw new WecomError('no_external_contact', '请先在模拟聊天窗口中选择一位客户');
      }
      return { userId };
    },
    async sendChatMessage(message) {
      const externalUserId = options.currentCustomer();
      if (!externalUserId) throw new WecomError('no_external_contact', '请先在模拟聊天窗口中选择一位客户');
      // A copy: the transcript must show what was sent, even if the caller reuses the object.
      const record: MockSentMessage = {
        externalUserId,
        message: JSON.parse(JSON.stringify(message)) as ChatMessage,
        at: now(),
      };
      sent.push(record);
      options.onSend?.(record);
    },
  };
}
