import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { api } from '../api/client';
import type { Me } from '../api/types';
import {
  chooseAdapterKind,
  loadAdapter,
  mockEntryFrom,
  type AdapterKind,
  type ChatEntry,
  type WecomAdapter,
} from '../wecom';
import { useMockChatStore } from './mock-chat';

/** The chat the sidebar sits beside: the JS-SDK adapter, the entry and the current customer. */
export const useChatStore = defineStore('chat', () => {
  const kind = ref<AdapterKind | null>(null);
  const adapter = shallowRef<WecomAdapter | null>(null);
  const entry = ref<ChatEntry | null>(null);
  const externalUserId = ref<string | null>(null);

  /** Chooses and registers the adapter once per page load. Throws WecomError (e.g. outside WeCom). */
  async function boot(me: Me, search: string = window.location.search) {
    const mockChat = useMockChatStore();
    kind.value = chooseAdapterKind(search, me);
    const loaded = await loadAdapter(kind.value, {
      me,
      api,
      mock: {
        currentCustomer: () => mockChat.customerId,
        entry: mockEntryFrom(search),
        onSend: (sent) => mockChat.record(sent),
      },
    });
    await loaded.init();
    adapter.value = markRaw(loaded);
  }

  /** What WeCom says about the current chat; called each time the sidebar is (re-)created. */
  async function resolveContext() {
    if (!adapter.value) throw new Error('the JS-SDK adapter is not booted');
    entry.value = null;
    externalUserId.value = null;
    const context = await adapter.value.getContext();
    entry.value = context.entry;
    if (context.entry === 'single_chat_tools') {
      externalUserId.value = (await adapter.value.getCurExternalContact()).userId;
    }
  }

  return { kind, adapter, entry, externalUserId, boot, resolveContext };
});
