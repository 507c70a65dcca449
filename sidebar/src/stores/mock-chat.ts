import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, loginUrl } from '../api/client';
import { latestLoad } from '../lib/latest-load';
import type { CustomerListItem, DemoRep } from '../api/types';
import type { MockSentMessage } from '../wecom/mock';
import { useScriptsStore } from './scripts';

/**
 * What the stand-in chat shows of a message: one the sidebar sent (with the title of the script it came from), or
 * one the demo's customer typed (`fromCustomer`).
 */
export interface TranscriptEntry extends MockSentMessage {
  title?: string;
  fromCustomer?: boolean;
}

/**
 * A picture the sidebar sent, as WeCom (the emulator, in the demo) holds it under its media id. Outside the demo
 * there is no such page and the chat falls back to the script's title.
 */
export const mediaPictureUrl = (mediaId: string) => `/emulator/media/${encodeURIComponent(mediaId)}`;

const STORAGE_PREFIX = 'scrm.sidebar.mockChat.';
/** The stand-in chat keeps the last messages per customer, like a chat window would scroll them away. */
const MAX_PER_CUSTOMER = 50;

function readTranscripts(key: string): Record<string, TranscriptEntry[]> {
  try {
    const raw = window.sessionStorage.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, TranscriptEntry[]>)
      : {};
  } catch {
    return {};
  }
}

/**
 * The stand-in chat window of mock mode: which customer the rep is "chatting" with, and what the sidebar put into
 * that chat with sendChatMessage. The transcript survives the page being re-created (sessionStorage), as a real
 * chat would.
 */
export const useMockChatStore = defineStore('mockChat', () => {
  const customerId = ref<string | null>(null);
  const customers = ref<CustomerListItem[]>([]);
  const customersLoad = latestLoad();
  const { status: customersStatus, error: customersError } = customersLoad;
  const reps = ref<DemoRep[]>([]);
  const transcripts = ref<Record<string, TranscriptEntry[]>>({});
  let storageKey: string | null = null;

  /** Starts the window for the signed-in rep, on the customer from `?customer=` if any. */
  function start(repUserId: string, initialCustomer: string | null) {
    storageKey = STORAGE_PREFIX + repUserId;
    transcripts.value = readTranscripts(storageKey);
    customerId.value = initialCustomer;
  }

  function persist() {
    if (!storageKey) return;
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(transcripts.value));
    } catch {
      // storage full or disabled: the transcript simply does not survive a reload
    }
  }

  /**
   * Keeps a message the sidebar put into the chat. A script send is under way while the JS-SDK is called: its title
   * names a picture or card better than a media id could.
   */
  function record(sent: MockSentMessage) {
    const scripts = useScriptsStore();
    const title = scripts.items.find((s) => s.id === scripts.sendingId)?.title;
    append(title ? { ...sent, title } : sent);
  }

  function append(entry: TranscriptEntry) {
    const list = [...(transcripts.value[entry.externalUserId] ?? []), entry].slice(-MAX_PER_CUSTOMER);
    transcripts.value = { ...transcripts.value, [entry.externalUserId]: list };
    persist();
  }

  /**
   * The demo's customer types a message to the signed-in rep. It shows in the stand-in chat at once, as typed; the
   * emulator archives it as WeCom would, and the sidebar's chat receives it through the archive pull and its live
   * stream, as in production. The emulator answers only once its msgaudit_notify went out (WeCom sends one per
   * 15 s window at most), so the promise may take that long; a refusal (e.g. the customer refused archiving)
   * rejects it.
   */
  async function customerSays(repUserId: string, text: string) {
    const id = customerId.value;
    const content = text.trim();
    if (!id || !content) return false;
    append({ externalUserId: id, message: { msgtype: 'text', text: { content } }, at: Date.now(), fromCustomer: true });
    await archiveCustomerMessage(id, repUserId, content);
    return true;
  }

  /** The emulator's half of customerSays (again, after a failure: the stand-in chat shows the message already). */
  async function archiveCustomerMessage(externalUserId: string, repUserId: string, content: string) {
    await api.demoCustomerSays(externalUserId, repUserId, content);
  }

  const transcript = computed<TranscriptEntry[]>(() =>
    customerId.value ? (transcripts.value[customerId.value] ?? []) : [],
  );
  const currentCustomer = computed(() => customers.value.find((c) => c.externalUserId === customerId.value) ?? null);

  function selectCustomer(id: string | null) {
    customerId.value = id;
  }

  async function loadCustomers(q = '') {
    await customersLoad.run(
      () => api.customers({ q: q.trim() || undefined, limit: 100 }),
      (page) => (customers.value = page.items),
    );
  }

  /** The emulator's members; an empty list only hides the picker (the page works without it). */
  async function loadReps() {
    try {
      reps.value = await api.demoReps();
    } catch {
      reps.value = [];
    }
  }

  /**
   * Another rep: sign out and go through OAuth again. The emulator's authorize page is where the rep is chosen
   * (as WeCom would know who is signed in); the current customer is dropped, since it belongs to this rep.
   */
  async function switchRep(returnTo: string) {
    try {
      await api.logout();
    } catch {
      // already signed out, or the server is down: the login page will tell
    }
    window.location.assign(loginUrl(returnTo));
  }

  return {
    customerId,
    customers,
    customersStatus,
    customersError,
    reps,
    transcripts,
    transcript,
    currentCustomer,
    start,
    record,
    customerSays,
    archiveCustomerMessage,
    selectCustomer,
    loadCustomers,
    loadReps,
    switchRep,
  };
});
