import type { ChatMessage } from '../api/types';

/** The chat-toolbar entries the sidebar works in (wecom-protocol.md §5.3). */
export type ChatEntry = 'single_chat_tools' | 'group_chat_tools';
export const CHAT_ENTRIES: readonly ChatEntry[] = ['single_chat_tools', 'group_chat_tools'];

export type { ChatMessage };

/** Why the JS-SDK could not do what the page asked; each code has a Chinese message a rep can act on. */
export type WecomErrorCode =
  | 'not_in_wecom'
  | 'unsupported_entry'
  | 'no_external_contact'
  | 'no_permission'
  | 'config_failed'
  | 'cancelled'
  | 'send_failed'
  | 'timeout';

export class WecomError extends Error {
  readonly code: WecomErrorCode;
  /** The SDK's own errMsg, kept for the console and bug reports. */
  readonly detail?: string;

  constructor(code: WecomErrorCode, message: string, detail?: string) {
    super(message);
    this.name = 'WecomError';
    this.code = code;
    this.detail = detail;
  }
}

/**
 * Everything the sidebar needs from the WeCom client. Two implementations: real.ts (@wecom/jssdk, inside WeCom)
 * and mock.ts (a normal browser, demo mode or `?mock=1`). index.ts chooses, explicitly.
 */
export interface WecomAdapter {
  readonly kind: 'real' | 'mock';
  /** Registers the app (ww.register); resolves when the page may call the other methods. */
  init(): Promise<void>;
  /** Where the page was opened; rejects with `unsupported_entry` outside a customer chat's toolbar. */
  getContext(): Promise<{ entry: ChatEntry }>;
  /** The customer of the current single chat (external_userid). */
  getCurExternalContact(): Promise<{ userId: string }>;
  /** Puts a message into the current chat (the rep still presses send in WeCom). */
  sendChatMessage(message: ChatMessage): Promise<void>;
}
